from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "simulator.people"
    label = "people"
    verbose_name = "People: learners and instructors"
