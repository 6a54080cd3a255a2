"""Employer rosters (单位办卡人员名册, rule 19): the employer's materials, each uploaded roster with its
dry-run report row by row, the batch of applications it became, its card fee (rule 6) and its pickup.

A batch is `checking` while its dry run runs, `checked` when the report is ready, `unreadable` when the
file could not be read at all, `submitted` once its accepted rows became applications. After that the
batch's stage (awaiting payment, in production, ready for pickup, collected) is read from its
applications' statuses, which only the workflow writes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Employer, Parties, ServiceStation
from applications.models import CardApplication, InsuranceType
from sbcard.crypto import EncryptedCharField
from sbcard.idnumbers import mask_phone, mask_resident_id


class EmployerDocument(models.Model):
    """A material the employer hands in before its first roster (rule 19), checked by content."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("Business licence copy")
        AGENT_ID = "agent_id", _("The agent's resident ID card")
        BANK_AGREEMENT = "bank_agreement", _("Bank service agreement")

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("material"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="employer-documents/")
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer material")
        verbose_name_plural = _("employer materials")
        constraints = [models.UniqueConstraint(fields=["employer", "kind"], name="one_document_per_kind")]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.kind}"


class EmployerApproval(models.Model):
    """Who approved an employer for rosters, and when (the employer row holds only the flag)."""

    employer = models.OneToOneField(Employer, on_delete=models.CASCADE, related_name="approval")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)

    class Meta:
        verbose_name = _("employer approval")
        verbose_name_plural = _("employer approvals")

    def __str__(self) -> str:
        return f"approval of {self.employer_id}"


def new_fee_reference() -> str:
    return "JF" + uuid.uuid4().hex[:14].upper()


class RosterBatch(models.Model):
    PARTIES = Parties(station="station_id", employer="employer_id")

    class State(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked (dry run): not submitted yet")
        UNREADABLE = "unreadable", _("The file could not be read")
        SUBMITTED = "submitted", _("Submitted")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        JSON = "json", _("JSON rows (API)")

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="roster_batches")
    station = models.ForeignKey(ServiceStation, on_delete=models.PROTECT, related_name="roster_batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.CHECKING)
    # The name as shown to the agent only; files are stored under generated names.
    file_name = models.CharField(_("file"), max_length=120)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    encoding = models.CharField(_("text encoding"), max_length=20, blank=True)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    rows_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # Kept only for the background check, encrypted on disk (sbcard.crypto.encrypt_bytes).
    roster_file = models.FileField(upload_to="rosters/", blank=True)
    photos_file = models.FileField(upload_to="rosters/", blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects the refused rows of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    accepted_rows = models.PositiveIntegerField(_("accepted rows"), default=0)
    refused_rows = models.PositiveIntegerField(_("refused rows"), default=0)
    problem = models.TextField(_("problem"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_count = models.PositiveIntegerField(_("applications submitted"), default=0)
    # Rule 6: the card fee, when the city charges one, for every application the batch submitted.
    fee_reference = models.CharField(_("payment reference"), max_length=20, blank=True)
    fee_per_card_yuan = models.PositiveIntegerField(_("fee per card (yuan)"), default=0)
    fee_total_yuan = models.PositiveIntegerField(_("fee (yuan)"), default=0)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_channel = models.CharField(_("payment confirmed by"), max_length=10, blank=True)
    pickup_date = models.DateField(_("cards ready for pickup from"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster batch")
        verbose_name_plural = _("roster batches")
        indexes = [
            models.Index(fields=["employer", "-created_at"], name="batch_employer_recent"),
            models.Index(fields=["station", "state", "-created_at"], name="batch_station_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fee_reference"], condition=~models.Q(fee_reference=""), name="unique_fee_reference"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        created = timezone.localtime(self.created_at) if self.created_at else timezone.localtime()
        return f"MC{created:%Y%m%d}{self.pk or 0:05d}"

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED

    @property
    def charges_fee(self) -> bool:
        return bool(self.fee_reference)

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.state == self.State.CHECKING else 100
        return min(100, self.rows_checked * 100 // self.total_rows)


class RosterRow(models.Model):
    """One row of an uploaded roster as the dry run found it: accepted, or refused with the reasons."""

    batch = models.ForeignKey(RosterBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("row"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    # The ID number encrypted at rest like Person's (issue 7); rows are found by batch and line, never by it.
    # The phone is stored as Person and CardApplication store it, so the submission copies it in SQL.
    id_number = EncryptedCharField(_("resident ID number"), max_length=18, hash_field="id_number_hash")
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Of a row with a valid ID number: its keyed hash (as Person's; rotate_keys recomputes it, and then
    # hashes an invalid number too, which matches nobody) and what the number says, so the submission
    # creates people and applications in SQL, decrypting nothing.
    id_number_hash = models.CharField(max_length=64, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    insurance_type = models.CharField(_("insurance type"), max_length=24, blank=True)
    household_city = models.CharField(_("household registration city"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    accepted = models.BooleanField(_("accepted"), default=False)
    # [{"column": "身份证号码", "message": "..."}], messages already in the agent's language.
    refusals = models.JSONField(_("reasons"), default=list, blank=True)
    photo_on_file_at_registry = models.BooleanField(default=False)
    photo_file = models.CharField(max_length=120, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    photo_size_bytes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("roster row")
        verbose_name_plural = _("roster rows")
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "accepted", "line"], name="row_batch_accepted")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def insurance_label(self) -> str:
        return InsuranceType(self.insurance_type).label if self.insurance_type in InsuranceType.values else ""

    @property
    def reasons_text(self) -> str:
        return "；".join(f"{refusal['column']}：{refusal['message']}" for refusal in self.refusals)


class BatchApplication(models.Model):
    """An application a batch submitted, and the roster row it came from."""

    batch = models.ForeignKey(RosterBatch, on_delete=models.PROTECT, related_name="entries")
    application = models.OneToOneField(CardApplication, on_delete=models.PROTECT, related_name="roster_entry")
    line = models.PositiveIntegerField(_("row"))

    class Meta:
        verbose_name = _("batch application")
        verbose_name_plural = _("batch applications")
        indexes = [models.Index(fields=["batch", "line"], name="entry_batch_line")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.application_id}"


class BankPayment(models.Model):
    """A verified payment callback from the partner bank; the unique event id makes a replay a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    reference = models.CharField(max_length=20)
    amount_yuan = models.PositiveIntegerField()
    batch = models.ForeignKey(RosterBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments")
    outcome = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank payment")
        verbose_name_plural = _("bank payments")

    def __str__(self) -> str:
        return self.event_id
