"""Electronic cards (电子社保卡): whose e-cards a user holds on their phone, and every check of one.

An e-card is not a record of its own: it is the card (issuance) seen through a signed, short-lived code, and its
state follows the card's status (issuance.models.ECARD_STATE_BY_CARD_STATUS). What is stored here is what the card
does not know: the relatives whose e-cards someone holds with their consent, and each check by a hospital or
pharmacy."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Parties

# A guardian holds the e-cards of their children under 16 and, with each relative's SMS consent, of relatives:
# at most this many others in all.
MAX_OTHERS = 8


class FamilyLink(models.Model):
    """A relative's e-card held on another person's phone, with the relative's consent by SMS code."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the relative's code")
        ACTIVE = "active", _("Held")
        ENDED = "ended", _("Ended")

    class Relationship(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        PARENT = "parent", _("Parent")
        CHILD = "child", _("Adult child")
        SIBLING = "sibling", _("Brother or sister")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other relative")

    # The holder sees and ends the links they hold; the relative sees who holds their e-card and can end it too.
    PARTIES = Parties(holders=("holder_id", "person__user_id"))

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("held by"), on_delete=models.CASCADE, related_name="family_links"
    )
    person = models.ForeignKey(
        "applications.Person", verbose_name=_("relative"), on_delete=models.CASCADE, related_name="+"
    )
    relationship = models.CharField(_("relationship"), max_length=12, choices=Relationship.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    consented_at = models.DateTimeField(_("consented"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("relative's e-card")
        verbose_name_plural = _("relatives' e-cards")
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "person"],
                condition=models.Q(state__in=["pending", "active"]),
                name="one_open_family_link",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="active") | models.Q(consented_at__isnull=False),
                name="family_link_active_has_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "state"], name="family_link_holder"),
            models.Index(fields=["person", "state"], name="family_link_person"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_id} holds {self.person_id} ({self.state})"


class ECardCheck(models.Model):
    """One check of an e-card's code by a hospital's or pharmacy's staff, and what they were told. The holder
    sees who checked their card and when."""

    class Outcome(models.TextChoices):
        VALID = "valid", _("Genuine and valid")
        STOPPED = "stopped", _("Genuine, but the card is stopped")
        EXPIRED = "expired", _("Genuine, but the code had expired")
        FORGED = "forged", _("Not genuine")

    # The institution's staff see their institution's checks; the card's holder sees the checks of their card.
    PARTIES = Parties(institution="institution_id", holders=("card__person__user_id",))

    card = models.ForeignKey(
        "issuance.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="ecard_checks"
    )
    code_id = models.CharField(_("code"), max_length=40, blank=True)  # the code's "jti": one code, several checks
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("why"), max_length=30, blank=True)  # for a code that is not genuine
    card_status = models.CharField(_("card status then"), max_length=20, blank=True)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "accounts.MedicalInstitution", verbose_name=_("at"), on_delete=models.PROTECT, related_name="ecard_checks"
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)

    class Meta:
        verbose_name = _("e-card check")
        verbose_name_plural = _("e-card checks")
        indexes = [
            models.Index(fields=["card", "-checked_at"], name="ecard_check_card"),
            models.Index(fields=["institution", "-checked_at"], name="ecard_check_institution"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} check of {self.card_id} at {self.institution_id}"
