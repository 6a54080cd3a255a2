"""What the portal asked its partners, and where each application's partner steps stand."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Partner(models.TextChoices):
    REGISTRY = "registry", _("City information centre")
    BANK = "bank", _("Partner bank")
    VENDOR = "vendor", _("Card vendor")
    SMS = "sms", _("SMS gateway")


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

    application = models.ForeignKey(
        "applications.CardApplication", on_delete=models.CASCADE, related_name="partner_steps"
    )
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
        ]

    def __str__(self) -> str:
        return f"{self.partner} step for application {self.application_id}"


class PartnerCall(models.Model):
    """One request to a partner: the staff view's request log (sent, answered, retries, key)."""

    class Result(models.TextChoices):
        OK = "ok", _("Answered")
        REFUSED = "refused", _("Refused")
        TRANSIENT = "transient", _("Failed, will retry")

    partner = models.CharField(_("partner"), max_length=10, choices=Partner.choices)
    operation = models.CharField(_("operation"), max_length=40)
    application = models.ForeignKey(
        "applications.CardApplication", null=True, blank=True, on_delete=models.CASCADE, related_name="partner_calls"
    )
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
            models.Index(fields=["application", "sent_at"], name="call_application_time"),
            models.Index(fields=["partner", "sent_at"], name="call_partner_time"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.operation} {self.result}"


class VendorCallback(models.Model):
    """A verified callback from the card vendor. The unique event id makes a replay a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=20)
    order_id = models.CharField(max_length=60)
    application = models.ForeignKey(
        "applications.CardApplication", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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


class PartnerFailure(models.Model):
    """A partner call that will not succeed by itself: a permanent refusal that is not the applicant's to fix
    (the bank knows no such account, an order is refused), or a job whose retries ran out. Staff see it in the
    trouble list with its reason until they send it again or mark it handled: no partner failure is silent."""

    partner = models.CharField(_("partner"), max_length=10, choices=Partner.choices)
    operation = models.CharField(_("operation"), max_length=40)
    application = models.ForeignKey(
        "applications.CardApplication", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
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
        indexes = [models.Index(fields=["application", "resolved_at"], name="failure_application_open")]

    def __str__(self) -> str:
        return f"{self.partner} {self.operation}: {self.message}"
