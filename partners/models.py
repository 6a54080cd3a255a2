"""What the portal asked its partners: the staff's request log (transport only: no domain table here)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Partner(models.TextChoices):
    REGISTRY = "registry", _("City information centre")
    BANK = "bank", _("Partner bank")
    VENDOR = "vendor", _("Card vendor")
    SMS = "sms", _("SMS gateway")


class PartnerCall(models.Model):
    """One request to a partner: the staff view's request log (sent, answered, retries, key)."""

    class Result(models.TextChoices):
        OK = "ok", _("Answered")
        REFUSED = "refused", _("Refused")
        TRANSIENT = "transient", _("Failed, will retry")

    partner = models.CharField(_("partner"), max_length=10, choices=Partner.choices)
    operation = models.CharField(_("operation"), max_length=40)
    # The application the call was for, if any: an id, not a foreign key (partners know no domain).
    application_id = models.PositiveBigIntegerField(_("application"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    sent_at = models.DateTimeField(_("sent"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner request")
        verbose_name_plural = _("partner requests")
        indexes = [
            models.Index(fields=["application_id", "sent_at"], name="call_application_time"),
            models.Index(fields=["partner", "sent_at"], name="call_partner_time"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.operation} {self.result}"


class PartnerFailure(models.Model):
    """A partner call that will not succeed by itself: a permanent refusal that is not the applicant's to fix
    (the bank knows no such account, an order is refused), or a job whose retries ran out. Staff see it in the
    trouble list with its reason until they send it again or mark it handled: no partner failure is silent."""

    partner = models.CharField(_("partner"), max_length=10, choices=Partner.choices)
    operation = models.CharField(_("operation"), max_length=40)
    application_id = models.PositiveBigIntegerField(_("application"), null=True, blank=True)  # no foreign key
    task_name = models.CharField(_("job"), max_length=120)
    task_args = models.JSONField(_("job arguments (ids)"), default=list)
    permanent = models.BooleanField(_("refused (not a fault that passes)"))
    code = models.CharField(_("partner's code"), max_length=60, blank=True)
    message = models.CharField(_("reason"), max_length=300)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    occurrences = models.PositiveIntegerField(_("times"), default=1)
    created_at = models.DateTimeField(_("first failed"), auto_now_add=True)
    last_failed_at = models.DateTimeField(_("last failed"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(_("resolution"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("partner failure")
        verbose_name_plural = _("partner failures")
        constraints = [
            # One open failure per job: a job that fails again counts up instead of adding rows.
            models.UniqueConstraint(
                fields=["task_name", "task_args"], condition=models.Q(resolved_at=None), name="one_open_failure_per_job"
            )
        ]
        indexes = [models.Index(fields=["application_id", "resolved_at"], name="failure_application_open")]

    def __str__(self) -> str:
        return f"{self.partner} {self.operation}: {self.message}"
