from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "simulator.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox accounts"
    default_auto_field = "django.db.models.BigAutoField"
