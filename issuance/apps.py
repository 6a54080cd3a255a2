from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuanceConfig(AppConfig):
    name = "issuance"
    verbose_name = _("Cards")

    def ready(self):
        from applications.workflow import MACHINE

        from .services import retire_old_cards_on_approval

        # A replacement or exchange approved in the station's online review stops the old card in the same
        # transaction; the application table runs it without knowing of cards.
        MACHINE.after("approve", retire_old_cards_on_approval)
