from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "simulator.console"
    label = "console"
    verbose_name = "Console: the learner's pages for their sandbox"
