"""Users, their roles and what each is bound to: a clerk to a station, an agent to an employer."""

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from stdnum.cn import uscc

from sbcard.crypto import EncryptedCharField
from sbcard.validators import validate_mobile_phone


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    CLERK = "clerk", _("Service-window clerk")
    EMPLOYER_AGENT = "employer_agent", _("Employer agent")
    ADMIN = "admin", _("Administrator")
    # Staff of a designated hospital or pharmacy (定点医药机构) who check electronic cards; created by the admin.
    VERIFIER = "verifier", _("Hospital or pharmacy staff")


@dataclass(frozen=True)
class Parties:
    """Who a record belongs to, as field paths (Django lookups) from the record: the station that handles
    it, the employer that filed it, the user accounts that hold it. A model with owners declares its
    `PARTIES`; accounts.access answers from it what a user is to a record and which records they see."""

    station: str | None = None
    employer: str | None = None
    holders: tuple[str, ...] = ()
    institution: str | None = None  # the hospital or pharmacy whose staff made the record (an e-card check)


class ServiceStation(models.Model):
    """A service station (服务站/网点) where applications are reviewed and cards are handed out."""

    code = models.CharField(_("station code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    district = models.CharField(_("district"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    is_active = models.BooleanField(_("accepts applications"), default=True)
    instant_issuance = models.BooleanField(
        _("replaces cards at once (立等可取)"),
        default=False,
        help_text=_("A city-level window with a card printer: a replacement with complete data is issued at once."),
    )
    daily_appointment_capacity = models.PositiveSmallIntegerField(_("phone appointments per day"), default=40)

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# GB 32100: the registering authority and the kind of organisation (digits or letters: N2 a rural collective,
# Y1 others), the 6-digit region, the 9-character organisation code, the check character; no I, O, S, V or Z.
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def validate_credit_code(value: str) -> None:
    """GB 32100. python-stdnum's own validate() wants digits in the first two places, which refuses real codes
    of rural collectives (N…) and other registrars (Y…); its check-character function is the standard's."""
    code = uscc.compact(value or "")
    if not CREDIT_CODE.match(code) or uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValidationError(
            _("The unified social credit code is not valid (18 characters with a correct check character)."),
            code="invalid_credit_code",
        )


class Employer(models.Model):
    """An employer (单位) identified by its unified social credit code (统一社会信用代码)."""

    PARTIES = Parties(station="station_id", employer="pk")

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    station = models.ForeignKey(
        ServiceStation, verbose_name=_("service station"), on_delete=models.PROTECT, related_name="employers"
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_approved = models.BooleanField(_("approved"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.credit_code = uscc.compact(self.credit_code or "")


class MedicalInstitution(models.Model):
    """A designated hospital or pharmacy (定点医药机构) whose staff check electronic social security cards."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        PHARMACY = "pharmacy", _("Pharmacy")

    code = models.CharField(_("institution code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type of institution"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("may check e-cards"), default=True)

    class Meta:
        verbose_name = _("hospital or pharmacy")
        verbose_name_plural = _("hospitals and pharmacies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Everyone who signs in. Citizens sign in with their mobile phone number as user name."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    full_name = models.CharField(pgettext_lazy("person", "name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[validate_mobile_phone])
    station = models.ForeignKey(
        ServiceStation,
        verbose_name=_("service station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clerks",
        help_text=_("Required for clerks: the one station they work at."),
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
        help_text=_("Required for employer agents."),
    )
    institution = models.ForeignKey(
        MedicalInstitution,
        verbose_name=_("hospital or pharmacy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Required for hospital or pharmacy staff: where they check e-cards."),
    )
    preferred_language = models.CharField(_("language"), max_length=10, default="zh-hans")
    sms_notices_enabled = models.BooleanField(_("SMS notices"), default=True)
    care_mode = models.BooleanField(
        _("care mode"),
        default=False,
        help_text=_("Larger text, stronger contrast, bigger buttons and one task per screen (关怀模式)."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="clerk_has_station",
                condition=~models.Q(role="clerk") | models.Q(station__isnull=False),
            ),
            models.CheckConstraint(
                name="agent_has_employer",
                condition=~models.Q(role="employer_agent") | models.Q(employer__isnull=False),
            ),
            models.CheckConstraint(
                name="verifier_has_institution",
                condition=~models.Q(role="verifier") | models.Q(institution__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.CLERK and not self.station_id:
            raise ValidationError({"station": _("A clerk must be bound to a service station.")})
        if self.role == Role.EMPLOYER_AGENT and not self.employer_id:
            raise ValidationError({"employer": _("An employer agent must be bound to an employer.")})
        if self.role == Role.VERIFIER and not self.institution_id:
            raise ValidationError({"institution": _("Hospital or pharmacy staff must be bound to their institution.")})

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.CLERK

    @property
    def is_verifier(self) -> bool:
        return self.role == Role.VERIFIER

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class PhoneCode(models.Model):
    """A one-time SMS code: single use, 10 minutes, a few per phone per hour. Only its hash is stored."""

    class Purpose(models.TextChoices):
        SIGN_UP = "sign_up", _("Sign up")
        SIGN_IN = "sign_in", _("Sign in")
        CHANGE_PHONE = "change_phone", _("Change phone")
        FAMILY_CONSENT = "family_consent", _("Consent to a relative holding your e-card")

    phone_key = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_key", "purpose", "-created_at"], name="phone_code_lookup")]

    def __str__(self) -> str:
        return f"{self.purpose} code"


class ApiToken(models.Model):
    """A key for the API (`Authorization: Bearer <key>`). Only its hash is stored; it expires, and its owner can
    list and revoke it (revoking deletes it)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What the token is for."))
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=8)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_by_user")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user})"


class IdempotentRequest(models.Model):
    """A POST sent with an Idempotency-Key: while it runs it holds the key; once it has succeeded, its answer is
    kept (encrypted: it may carry personal data) so that the same request sent again gets the same answer."""

    scope = models.CharField(max_length=40)  # "user:<id>", or "anonymous" for sign-up and phone codes
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)  # null while the first request is running
    body = EncryptedCharField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
