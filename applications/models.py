"""People, card applications, their history and photos; the city's working calendar and policy."""

import datetime
import time
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Employer, Parties, ServiceStation
from partners.models import Partner
from sbcard.crypto import EncryptedCharField, keyed_hash
from sbcard.generations import Generation
from sbcard.idnumbers import mask_phone, mask_resident_id, validate_resident_id
from sbcard.validators import validate_mobile_phone


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class InsuranceType(models.TextChoices):
    """The insurance a person has; it sets the card colour (rule 11)."""

    URBAN_EMPLOYEE = "urban_employee", _("Urban employee medical insurance")
    URBAN_RURAL_RESIDENT = "urban_rural_resident", _("Urban-rural resident medical insurance")
    RETIRED_CADRE = "retired_cadre", _("Retired cadre or pre-1949 worker")


class CardColour(models.TextChoices):
    BLUE = "blue", _("Blue")
    GREEN = "green", _("Green")
    RED = "red", _("Red")


CARD_COLOUR_BY_INSURANCE = {
    InsuranceType.URBAN_EMPLOYEE: CardColour.BLUE,
    InsuranceType.URBAN_RURAL_RESIDENT: CardColour.GREEN,
    InsuranceType.RETIRED_CADRE: CardColour.RED,
}

CARD_USES_BY_COLOUR = {
    CardColour.BLUE: _("Hospitals and pharmacies; has a medical personal account."),
    CardColour.GREEN: _("Designated hospitals only; no medical personal account."),
    CardColour.RED: _("Designated medical institutions only."),
}


class PersonQuerySet(models.QuerySet):
    """Keeps the ID number's keyed hash in step on the bulk paths that skip save()."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for person in objs:
            person.id_number_hash = keyed_hash(person.id_number)
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        if "id_number" in kwargs:
            kwargs["id_number_hash"] = keyed_hash(kwargs["id_number"])
        return super().update(**kwargs)


class Person(models.Model):
    """Someone a card is for. One row per resident ID number, stored encrypted; found by its keyed hash."""

    id_number = EncryptedCharField(
        _("resident ID number"), max_length=18, hash_field="id_number_hash", validators=[validate_resident_id]
    )
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[validate_mobile_phone])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} {self.masked_id_number}"

    def save(self, *args, **kwargs) -> None:
        self.id_number_hash = keyed_hash(self.id_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "id_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "id_number_hash"}
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def is_pre_school(self, today: datetime.date) -> bool:
        """Rule 17: under 6 on 31 August of the school year gets a card without a photo."""
        cutoff_year = today.year if today >= datetime.date(today.year, 9, 1) else today.year - 1
        return self.age_on(datetime.date(cutoff_year, 8, 31)) < 6 and self.age_on(today) < 7


class ApplicationKind(models.TextChoices):
    NEW = "new", _("New card")
    REPLACEMENT = "replacement", _("Replacement after loss")
    EXCHANGE = "exchange", _("Exchange")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At a station (walk-in)")
    PHONE = "phone", _("Phone appointment")
    ROSTER = "roster", _("Employer roster")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    RETURNED = "returned", _("Returned for correction")
    VERIFYING = "verifying", _("Checking with the information centre")
    OPENING_ACCOUNT = "opening_account", _("Opening the bank account")
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for the card fee")
    IN_PRODUCTION = "in_production", _("Card in production")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    UNCLAIMED = "unclaimed", _("Unclaimed (still collectable)")
    COLLECTED = "collected", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_STATUSES = frozenset({Status.COLLECTED, Status.CANCELLED})
OPEN_STATUSES = frozenset(s for s in Status if s not in CLOSED_STATUSES)


class Relationship(models.TextChoices):
    SELF = "self", _("Myself")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GUARDIAN = "guardian", _("Other legal guardian")


# A card waiting at its station for the holder to come.
WAITING_AT_STATION = models.Q(status__in=["ready_for_pickup", "unclaimed"])
# A partner step still in progress.
STEP_IN_PROGRESS = models.Q(outcome="open")


class CardApplication(models.Model):
    PARTIES = Parties(station="station_id", employer="employer_id", holders=("applicant_id", "person__user_id"))

    person = models.ForeignKey(
        Person, verbose_name=_("card holder"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_applications",
        help_text=_("Who filed it: the holder, a guardian, an employer agent or a clerk."),
    )
    relationship = models.CharField(
        _("relationship to the holder"), max_length=10, choices=Relationship.choices, default=Relationship.SELF
    )
    guardian_proof = models.FileField(_("proof of guardianship"), upload_to="proofs/", blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ApplicationKind.choices, default=ApplicationKind.NEW)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    station = models.ForeignKey(
        ServiceStation, verbose_name=_("service station"), on_delete=models.PROTECT, related_name="applications"
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The one writer of this field is the status engine, with the application table (a test checks).
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    insurance_type = models.CharField(_("insurance type"), max_length=24, choices=InsuranceType.choices)
    household_city = models.CharField(_("household registration city"), max_length=60)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("mobile phone"), max_length=11, validators=[validate_mobile_phone])
    photo = models.ForeignKey(
        "Photo", verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by an employer roster import when the information centre's record has the person's ID photo
    # (rule 18: local residents with a second-generation ID use it), so no photo needs uploading.
    photo_on_file_at_registry = models.BooleanField(_("ID photo on file at the information centre"), default=False)
    # Filled in by the partners: the card's bank account (rule 3) and, once shipped, the card itself.
    bank_account_number = EncryptedCharField(_("bank account"), max_length=19, blank=True, editable=False)
    card_number = models.CharField(_("card number"), max_length=30, blank=True, editable=False)
    card_batch_number = models.CharField(_("delivery batch"), max_length=60, blank=True, editable=False)
    review_overdue_noticed_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("card application")
        verbose_name_plural = _("card applications")
        constraints = [
            # One person, one open application of a kind (DESIGN.md): the database enforces it too.
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="one_open_application_per_person_and_kind",
            ),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="application_status_known"),
        ]
        indexes = [
            models.Index(fields=["station", "status", "submitted_at"], name="app_station_queue"),
            models.Index(fields=["status", "status_changed_at"], name="app_status_age"),
            models.Index(fields=["applicant", "-created_at"], name="app_applicant_recent"),
            # The dashboards' lists behind each status and ageing figure, for the city and for one station.
            models.Index(fields=["status", "created_at"], name="app_status_created"),
            models.Index(fields=["station", "status", "created_at"], name="app_station_status_created"),
            # Reviews past 7 working days, city-wide (small: only submitted applications).
            models.Index(fields=["submitted_at"], condition=models.Q(status=Status.SUBMITTED), name="app_review_wait"),
            # Cards waiting at stations, oldest first, read off the index (60,000 in a 3-million city).
            models.Index(fields=["status_changed_at", "id"], condition=WAITING_AT_STATION, name="app_waiting_pickup"),
            models.Index(
                fields=["station", "status_changed_at", "id"],
                condition=WAITING_AT_STATION,
                name="app_station_waiting_pickup",
            ),
            # Counting one station's open 督办 cases joins them with a narrow index instead of the table.
            models.Index(fields=["id", "station"], name="app_station_of"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The number a citizen quotes on the phone: SB + creation date + id."""
        created = timezone.localtime(self.created_at) if self.created_at else timezone.localtime()
        return f"SB{created:%Y%m%d}{self.pk or 0:07d}"

    @property
    def card_colour(self) -> str:
        return CARD_COLOUR_BY_INSURANCE[self.insurance_type]

    @property
    def card_colour_label(self) -> str:
        return CardColour(self.card_colour).label

    @property
    def card_uses(self) -> str:
        return CARD_USES_BY_COLOUR[self.card_colour]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)

    @property
    def needs_photo(self) -> bool:
        """Whether a photo must be uploaded: not for a pre-school child's card (rule 17), nor when the
        information centre already has the person's ID photo (rule 18, set by a roster import)."""
        if self.photo_on_file_at_registry:
            return False
        return not self.person.is_pre_school(timezone.localdate())

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class StatusEvent(models.Model):
    """One change of an application's status: the history a citizen sees as a timeline."""

    application = models.ForeignKey(CardApplication, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(_("event"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("role"), max_length=20)
    reason_code = models.CharField(_("reason"), max_length=40, blank=True)
    reason = models.TextField(_("details"), blank=True)
    # What a partner answered when it refused (rule 3): {"partner", "field", "held", "sent"}. The reason is shown
    # from it in each reader's language, and an unchanged resubmission into the same refusal is caught.
    reason_detail = models.JSONField(_("partner's answer"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "created_at"], name="event_application_time")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '-'} -> {self.to_status}"


class Escalation(models.Model):
    """An application older than two months, in the 督办 queue (rule 1), with who is handling it."""

    application = models.OneToOneField(CardApplication, on_delete=models.CASCADE, related_name="escalation")
    summary = models.TextField(_("case summary"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("escalated"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalated case (督办)")
        verbose_name_plural = _("escalated cases (督办)")
        indexes = [
            models.Index(fields=["resolved_at", "created_at"], name="escalation_open"),
            # The open 督办 queue's first page, read off the index (24,000 open cases in a 3-million city).
            models.Index(
                fields=["created_at", "id"], condition=models.Q(resolved_at=None), name="escalation_open_order"
            ),
        ]

    def __str__(self) -> str:
        return f"督办 {self.application_id}"


class Photo(models.Model):
    """A checked ID photo (rule 18), re-encoded without EXIF."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="photos/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo {self.pk}"


class CalendarDay(models.Model):
    """A day that breaks the Monday-Friday rule: a statutory holiday or a make-up working day."""

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar package")
        ADMIN = "admin", _("Entered by an administrator")

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked for a make-up working day on a weekend; clear for a holiday.")
    )
    name = models.CharField(_("holiday"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("working-day calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'working' if self.is_working_day else 'holiday'} {self.name}"


POLICY_GENERATION = Generation("city-policy")


class CityPolicy(models.Model):
    """The settings a city chooses. One row; admins edit it in the Django admin."""

    charges_card_fee = models.BooleanField(_("charges a card fee"), default=False, help_text=_("Rule 6"))
    card_fee_yuan = models.PositiveIntegerField(_("card fee (yuan)"), default=20)
    review_limit_working_days = models.PositiveSmallIntegerField(_("review limit (working days)"), default=7)
    review_warning_working_days = models.PositiveSmallIntegerField(
        _("mark a review as near its limit after (working days)"), default=5
    )
    registry_check_working_days = models.PositiveSmallIntegerField(_("registry check (working days)"), default=2)
    bank_account_working_days = models.PositiveSmallIntegerField(_("bank account (working days)"), default=3)
    production_working_days = models.PositiveSmallIntegerField(_("card production (working days)"), default=20)
    replacement_working_days = models.PositiveSmallIntegerField(_("replacement card (working days)"), default=15)
    pickup_unclaimed_days = models.PositiveSmallIntegerField(_("unclaimed after (days)"), default=30)
    escalation_days = models.PositiveSmallIntegerField(_("escalate open applications after (days)"), default=60)
    default_swipe_limit = models.PositiveSmallIntegerField(_("default daily pharmacy swipe limit"), default=2)
    oral_loss_report_working_days = models.PositiveSmallIntegerField(
        _("oral loss report lapses after (working days)"), default=3
    )
    formal_loss_report_can_be_undone = models.BooleanField(
        _("a written loss report can be undone"), default=True, help_text=_("Rule 14: some cities make it final.")
    )
    replacements_allowed_in_12_months = models.PositiveSmallIntegerField(
        _("replacements in 12 months without a review"),
        default=3,
        help_text=_(
            "One more replacement within 12 months goes to a clerk's review with the person's history, instead of "
            "straight to production (3: the fourth, as the US Social Security Administration counts)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("city policy")
        verbose_name_plural = _("city policy")

    def __str__(self) -> str:
        return str(_("City policy"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a single row
        super().save(*args, **kwargs)
        CityPolicy.forget()

    # Read on every job and page: kept in each process, read again when any process saves it (its generation
    # in the shared cache changes) and at least every few minutes.
    _cached: "CityPolicy | None" = None
    _cached_at = 0.0
    _cached_generation = ""
    CACHE_SECONDS = 300

    @classmethod
    def current(cls) -> "CityPolicy":
        now, generation = time.monotonic(), POLICY_GENERATION.current()
        if cls._cached is None or generation != cls._cached_generation or now - cls._cached_at > cls.CACHE_SECONDS:
            policy, created = cls.objects.get_or_create(pk=1)
            if created:  # saving the first policy moved the generation on: this copy is of that row
                generation = POLICY_GENERATION.current()
            cls._cached, cls._cached_at, cls._cached_generation = policy, now, generation
        return cls._cached

    @classmethod
    def forget(cls) -> None:
        """Every process reads the policy again (this one at once)."""
        cls._cached = None
        POLICY_GENERATION.bump()


class PartnerStep(models.Model):
    """One round of one partner step for one application.

    The idempotency key is stored (committed) before the partner is called, so a retried or
    redelivered task sends the same key and the partner answers as before: one account, one order.
    A new round (after the applicant corrected and resubmitted) gets a new key.
    """

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    application = models.ForeignKey(CardApplication, on_delete=models.CASCADE, related_name="partner_steps")
    partner = models.CharField(_("partner"), max_length=10, choices=Partner.choices)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    unavailable_since = models.DateTimeField(
        _("partner unavailable since"),
        null=True,
        blank=True,
        help_text=_("Set when retries ran out; a periodic job keeps trying and clears it."),
    )
    result_reference = models.CharField(_("partner's reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner step")
        verbose_name_plural = _("partner steps")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "partner"],
                condition=models.Q(outcome="open"),
                name="one_open_step_per_partner",
            )
        ]
        indexes = [
            models.Index(fields=["outcome", "partner", "updated_at"], name="step_open_age"),
            # /metrics reads steps in progress, failing and given up without touching the millions finished.
            models.Index(fields=["partner", "attempts"], condition=STEP_IN_PROGRESS, name="step_open"),
            models.Index(
                fields=["partner"], condition=STEP_IN_PROGRESS & ~models.Q(last_error=""), name="step_failing"
            ),
            models.Index(
                fields=["partner"],
                condition=STEP_IN_PROGRESS & models.Q(unavailable_since__isnull=False),
                name="step_unavailable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} step for application {self.application_id}"


class VendorCallback(models.Model):
    """A verified callback from the card vendor. The unique event id makes a replay a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=20)
    order_id = models.CharField(max_length=60)
    application = models.ForeignKey(CardApplication, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    card_number = models.CharField(max_length=30, blank=True)
    batch_number = models.CharField(max_length=60, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vendor callback")
        verbose_name_plural = _("vendor callbacks")

    def __str__(self) -> str:
        return self.event_id
