from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Card applications")

    def ready(self):
        # Imported here, not at the top: the models they import load only once every app is registered.
        from .calendar import add_deadline_source
        from .notifications import tell_dates_moved
        from .progress import StepDeadlines

        # An entered holiday year moves the expected date of open applications' steps: their people are told.
        add_deadline_source(StepDeadlines(), tell=tell_dates_moved)
