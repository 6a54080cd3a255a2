from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # Sign-ins and failed sign-ins come from Django's auth signals: not domain flow, just a record.
        from . import receivers  # noqa: F401
