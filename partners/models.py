"""What the portal asked its partners: the staff's request log (transport only: no domain table here)."""

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
