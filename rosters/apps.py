from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "rosters"
    verbose_name = _("Employer rosters")

    def ready(self):
        # Imported here, not at the top: the models they import load only once every app is registered.
        from applications.calendar import add_deadline_source

        from .notifications import tell_pickup_dates_moved
        from .services import BatchPickupDates

        # An entered holiday year moves paid batches' pickup dates: their agents are told.
        add_deadline_source(BatchPickupDates(), tell=tell_pickup_dates_moved)
