"""Cards after production: handed over, activated, lost, replaced or exchanged; and who collected them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Parties
from sbcard.crypto import EncryptedCharField
from sbcard.idnumbers import mask_resident_id


class CardStatus(models.TextChoices):
    ISSUED = "issued", _("Issued (financial functions not yet active)")
    ACTIVE = "active", _("Active")
    PRE_REPORTED_LOST = "pre_reported_lost", _("Reported lost by phone (to be confirmed in writing)")
    REPORTED_LOST = "reported_lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")
    EXCHANGED = "exchanged", _("Exchanged")


class ECardState(models.TextChoices):
    """What the electronic card (电子社保卡) tells a hospital or pharmacy. Never stored: it follows the card's
    status, so the e-card stops the moment the card is reported lost, replaced or exchanged, and works again on
    unreport, through the card table alone."""

    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended: the card is reported lost")
    REPLACED = "replaced", _("Replaced: the card was replaced or exchanged")


ECARD_STATE_BY_CARD_STATUS = {
    CardStatus.ISSUED: ECardState.ACTIVE,  # medical use needs no bank activation (rule 10 is the bank's function)
    CardStatus.ACTIVE: ECardState.ACTIVE,
    CardStatus.PRE_REPORTED_LOST: ECardState.SUSPENDED,
    CardStatus.REPORTED_LOST: ECardState.SUSPENDED,
    CardStatus.REPLACED: ECardState.REPLACED,
    CardStatus.EXCHANGED: ECardState.REPLACED,
}


class Card(models.Model):
    """A card handed to its holder: created `issued` at pickup."""

    # A clerk of the issuing station; the holder, or the guardian who applied for the child.
    PARTIES = Parties(station="application__station_id", holders=("person__user_id", "application__applicant_id"))

    number = models.CharField(_("card number"), max_length=30, unique=True)
    application = models.OneToOneField("applications.CardApplication", on_delete=models.PROTECT, related_name="card")
    person = models.ForeignKey("applications.Person", on_delete=models.PROTECT, related_name="cards")
    # The one writer of this field is the status engine, with the card table (a test checks).
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
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CardStatus.values), name="card_status_known"),
        ]
        indexes = [
            models.Index(fields=["status", "issued_at"], name="card_status_issued"),
            models.Index(fields=["person", "status"], name="card_person_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def ecard_state(self) -> str:
        return ECARD_STATE_BY_CARD_STATUS[CardStatus(self.status)]

    @property
    def ecard_state_label(self) -> str:
        return ECardState(self.ecard_state).label

    @property
    def masked_number(self) -> str:
        """The first 3 and last 2 characters: enough for the holder to tell two cards apart."""
        return self.number[:3] + "*" * max(len(self.number) - 5, 0) + self.number[-2:]


class Pickup(models.Model):
    """Who collected a card, and on what authority (rule 9)."""

    application = models.OneToOneField("applications.CardApplication", on_delete=models.PROTECT, related_name="pickup")
    card = models.OneToOneField(Card, on_delete=models.PROTECT, related_name="pickup")
    by_proxy = models.BooleanField(_("collected by a proxy"), default=False)
    proxy_name = models.CharField(_("proxy's name"), max_length=60, blank=True)
    proxy_id_number = EncryptedCharField(_("proxy's ID number"), max_length=18, blank=True)
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
    id_number = EncryptedCharField(_("proxy's ID number"), max_length=18)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("named proxy")
        verbose_name_plural = _("named proxies")

    def __str__(self) -> str:
        return f"proxy for {self.application_id}"


class CardEvent(models.Model):
    """One change of a card's status: the card's history."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(_("event"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, choices=CardStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CardStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(_("role"), max_length=20)
    reason = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("card event")
        verbose_name_plural = _("card events")
        indexes = [models.Index(fields=["card", "created_at"], name="card_event_time")]

    def __str__(self) -> str:
        return f"{self.card_id}: {self.from_status} -> {self.to_status}"


class SwipeLimitChange(models.Model):
    """The daily pharmacy swipe limit (rule 10), set at activation and changed later, with who changed it."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="swipe_limit_changes")
    old_limit = models.PositiveSmallIntegerField(null=True, blank=True)
    new_limit = models.PositiveSmallIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=20)  # activation, online, station
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("swipe limit change")
        verbose_name_plural = _("swipe limit changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.card_id}: {self.old_limit} -> {self.new_limit}"


class LossReport(models.Model):
    """A loss report (rule 12): oral (online, phone, 12333) to be confirmed in writing, or written."""

    class Kind(models.TextChoices):
        ORAL = "oral", _("Oral (to be confirmed in writing)")
        WRITTEN = "written", _("Written")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PHONE = "phone", _("Phone call to the station")
        HOTLINE = "hotline", _("12333 hotline")
        STATION = "station", _("At a station")

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="loss_reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    caller_employer = models.CharField(_("employer (as given)"), max_length=100, blank=True)
    caller_phone = models.CharField(_("phone (as given)"), max_length=20, blank=True)
    written_deadline = models.DateField(_("confirm in writing by"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported"))
    confirmed_at = models.DateTimeField(_("confirmed in writing"), null=True, blank=True)
    lapse_warned_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(_("lapsed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn (unreported)"), null=True, blank=True)

    class Meta:
        verbose_name = _("loss report")
        verbose_name_plural = _("loss reports")
        indexes = [
            models.Index(fields=["kind", "written_deadline"], name="loss_oral_deadline"),
            # Oral reports still waiting for the written confirmation (small): the deadline lists.
            models.Index(
                fields=["written_deadline"],
                condition=models.Q(kind="oral", confirmed_at=None, lapsed_at=None, withdrawn_at=None),
                name="loss_oral_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} loss report for {self.card_id}"


class CardChange(models.Model):
    """A replacement (rule 13) or exchange (rule 15) application, and the card it takes over from."""

    class Reason(models.TextChoices):
        LOST = "lost", _("Lost")
        DAMAGED = "damaged", _("Damaged")
        NAME_CHANGED = "name_changed", _("Name changed")
        ID_NUMBER_CHANGED = "id_number_changed", _("ID number changed")

    application = models.OneToOneField(
        "applications.CardApplication", on_delete=models.CASCADE, related_name="card_change"
    )
    old_card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="changes")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    new_name = models.CharField(_("new name"), max_length=60, blank=True)
    new_id_number = EncryptedCharField(_("new ID number"), max_length=18, blank=True)
    proxy_name = models.CharField(_("proxy's name"), max_length=60, blank=True)
    proxy_id_number = EncryptedCharField(_("proxy's ID number"), max_length=18, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("replacement or exchange")
        verbose_name_plural = _("replacements and exchanges")

    def __str__(self) -> str:
        return f"{self.reason} of {self.old_card_id}"


class StationDay(models.Model):
    """Phone-appointment slots of one station on one day (rule 7): booked never passes capacity."""

    station = models.ForeignKey("accounts.ServiceStation", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "date"], name="one_day_per_station"),
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="booked_within_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.date}: {self.booked}/{self.capacity}"


class Appointment(models.Model):
    """A phone appointment to apply at a station (rule 7), made after the registry confirmed the caller."""

    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ATTENDED = "attended", _("Attended")
        CANCELLED = "cancelled", _("Cancelled")

    station = models.ForeignKey("accounts.ServiceStation", on_delete=models.PROTECT, related_name="appointments")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedCharField(_("resident ID number"), max_length=18)
    phone = models.CharField(_("mobile phone"), max_length=11)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.BOOKED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["station", "date", "state"], name="appointment_day")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.date}"

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.id_number)


class BankCallback(models.Model):
    """A verified call from the bank (an activation at a branch). The unique event id makes a replay a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=20)
    card_number = models.CharField(max_length=30)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank callback")
        verbose_name_plural = _("bank callbacks")

    def __str__(self) -> str:
        return self.event_id
