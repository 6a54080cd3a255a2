from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data, the demo city and `make run`: scaffolding above every app (it may import any of them; none
    imports it). It has no tables of its own."""

    name = "demo"
    verbose_name = "Demo"
