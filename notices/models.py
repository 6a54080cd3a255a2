"""Messages to people: in the portal and by SMS (rule 21: the citizens' top complaint was silence)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sbcard.idnumbers import mask_phone


class Notice(models.Model):
    class Channel(models.TextChoices):
        PORTAL = "portal", _("In the portal")
        SMS = "sms", _("SMS")

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, retrying")
        NOT_NEEDED = "not_needed", _("No SMS needed")

    # Makes sending idempotent: one notice per source event, recipient and channel.
    dedupe_key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    # What it is about, as the app that sent it put it: notices know no application or card.
    reference = models.CharField(_("about"), max_length=40, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    station = models.ForeignKey(
        "accounts.ServiceStation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    text = models.TextField(_("message"))
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices, default=Delivery.NOT_NEEDED)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"], name="notice_inbox"),
            models.Index(fields=["channel", "station", "-created_at"], name="notice_sms_log"),
            # SMS waiting to be sent or failing (small): /metrics and the resending sweep.
            models.Index(
                fields=["delivery"], condition=models.Q(delivery__in=["pending", "failed"]), name="notice_undelivered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
