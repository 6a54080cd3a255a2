from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcardsConfig(AppConfig):
    name = "ecards"
    verbose_name = _("Electronic cards")
