"""The audit trail: append-only. The database refuses UPDATE and DELETE on it (see the migration)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        READ_PERSONAL_DATA = "read_personal_data", _("Read full personal data")
        STATUS_CHANGE = "status_change", _("Application status change")
        CARD_CHANGE = "card_change", _("Card status change")
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_OUT = "sign_out", _("Signed out")
        REFUSED = "refused", _("Permission refused")
        EXPORT = "export", _("Export")
        CALENDAR_CHANGE = "calendar_change", _("Holiday calendar entered")
        REPLACEMENT_REVIEW = "replacement_review", _("Frequent replacement reviewed")

    class Outcome(models.TextChoices):
        OK = "ok", _("Done")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("who (as named then)"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=30, choices=Action.choices)
    object_type = models.CharField(_("record"), max_length=40, blank=True)
    object_id = models.CharField(_("record id"), max_length=40, blank=True)
    # A keyed hash of the person's ID number: admins search by person without the trail holding the number.
    person_key = models.CharField(_("person"), max_length=64, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OK)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time"),
            models.Index(fields=["person_key", "-created_at"], name="audit_person_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")
