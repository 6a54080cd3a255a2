"""Cards after production: issued at pickup, then activated, lost, replaced or exchanged."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CardStatus(models.TextChoices):
    ISSUED = "issued", _("Issued (financial functions not yet active)")
    ACTIVE = "active", _("Active")
    PRE_REPORTED_LOST = "pre_reported_lost", _("Reported lost by phone (to be confirmed in writing)")
    REPORTED_LOST = "reported_lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")
    EXCHANGED = "exchanged", _("Exchanged")


class Card(models.Model):
    """A card handed to its holder. Created `issued` at pickup (the service-window issue)."""

    number = models.CharField(_("card number"), max_length=30, unique=True)
    application = models.OneToOneField("applications.CardApplication", on_delete=models.PROTECT, related_name="card")
    person = models.ForeignKey("applications.Person", on_delete=models.PROTECT, related_name="cards")
    status = models.CharField(_("status"), max_length=20, choices=CardStatus.choices, default=CardStatus.ISSUED)
    issued_at = models.DateTimeField(_("issued"))
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    activation_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        indexes = [models.Index(fields=["status", "issued_at"], name="card_status_issued")]

    def __str__(self) -> str:
        return self.number
