from django.db import migrations

# The name is repeated rather than imported: a migration must keep meaning what it meant when it was written.
INSTRUCTORS = "instructors"


def create_instructors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=INSTRUCTORS)


def delete_instructors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=INSTRUCTORS).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_instructors_group, delete_instructors_group)]
