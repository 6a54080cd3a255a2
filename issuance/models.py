"""Cards after production: handed over, activated, lost, replaced or exchanged; and who collected them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.idnumbers import mask_resident_id


class CardStatus(models.TextChoices):
    ISSUED = "issued", _("Issued (financial functions not yet active)")
    ACTIVE = "active", _("Active")
    PRE_REPORTED_LOST = "pre_reported_lost", _("Reported lost by phone (to be confirmed in writing)")
    REPORTED_LOST = "reported_lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")
    EXCHANGED = "exchanged", _("Exchanged")


class Card(models.Model):
    """A card handed to its holder: created `issued` at pickup."""

    number = models.CharField(_("card number"), max_length=30, unique=True)
    application = models.OneToOneField("applications.CardApplication", on_delete=models.PROTECT, related_name="card")
    person = models.ForeignKey("applications.Person", on_delete=models.PROTECT, related_name="cards")
    # The one writer of this field is issuance.lifecycle.apply_card_event (a test checks).
    status = models.CharField(
        _("status"), max_length=20, choices=CardStatus.choices, default=CardStatus.ISSUED, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    swipe_limit = models.PositiveSmallIntegerField(_("daily pharmacy swipe limit"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    activation_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        indexes = [
            models.Index(fields=["status", "issued_at"], name="card_status_issued"),
            models.Index(fields=["person", "status"], name="card_person_status"),
        ]

    def __str__(self) -> str:
        return self.number


class Pickup(models.Model):
    """Who collected a card, and on what authority (rule 9)."""

    application = models.OneToOneField("applications.CardApplication", on_delete=models.PROTECT, related_name="pickup")
    card = models.OneToOneField(Card, on_delete=models.PROTECT, related_name="pickup")
    by_proxy = models.BooleanField(_("collected by a proxy"), default=False)
    proxy_name = models.CharField(_("proxy's name"), max_length=60, blank=True)
    proxy_id_number = models.CharField(_("proxy's ID number"), max_length=18, blank=True)
    proxy_card_number = models.CharField(_("proxy's social security card"), max_length=30, blank=True)
    authorisation = models.FileField(_("signed authorisation"), upload_to="authorisations/", blank=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    collected_at = models.DateTimeField(_("collected"))

    class Meta:
        verbose_name = _("pickup")
        verbose_name_plural = _("pickups")

    def __str__(self) -> str:
        return f"pickup of {self.card_id}"

    @property
    def masked_proxy_id_number(self) -> str:
        return mask_resident_id(self.proxy_id_number)


class NamedProxy(models.Model):
    """A proxy the holder named online before pickup: at the desk the proxy's ID must match."""

    application = models.OneToOneField(
        "applications.CardApplication", on_delete=models.CASCADE, related_name="named_proxy"
    )
    name = models.CharField(_("proxy's name"), max_length=60)
    id_number = models.CharField(_("proxy's ID number"), max_length=18)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("named proxy")
        verbose_name_plural = _("named proxies")

    def __str__(self) -> str:
        return f"proxy for {self.application_id}"
