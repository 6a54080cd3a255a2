from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuanceConfig(AppConfig):
    name = "issuance"
    verbose_name = _("Cards")

    def ready(self):
        # Imported here, not at the top: the models they import load only once every app is registered.
        from applications.calendar import add_deadline_source
        from applications.workflow import MACHINE

        from . import notifications
        from .intake import AppointmentDays
        from .services import LossReportDeadlines, retire_old_cards_on_approval

        # A replacement or exchange approved in the station's online review stops the old card in the same
        # transaction; the application table runs it without knowing of cards.
        MACHINE.after("approve", retire_old_cards_on_approval)
        # An entered holiday year moves loss-report deadlines and closes booked days: their people are told.
        add_deadline_source(LossReportDeadlines(), tell=notifications.tell_loss_deadlines_moved)
        add_deadline_source(AppointmentDays(), tell=notifications.tell_appointment_days_moved)
