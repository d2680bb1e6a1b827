from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SandboxConfig(AppConfig):
    name = "simulator.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .aws_managed import install_after_migrate

        # Every database gets the AWS managed policies: after migrate, and after each test flush.
        post_migrate.connect(install_after_migrate, sender=self)
