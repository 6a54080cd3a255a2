"""Sign-ins, failed sign-ins and sign-outs go to the audit trail (Django's auth signals)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEntry
from .services import record


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    record(AuditEntry.Action.SIGN_IN, actor=user, request=request, obj=user)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEntry.Action.SIGN_OUT, actor=user, request=request, obj=user)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # The user name typed is kept (it is a phone number or a staff login); the password never.
    record(
        AuditEntry.Action.SIGN_IN_FAILED,
        request=request,
        outcome=AuditEntry.Outcome.FAILED,
        actor_label=str(credentials.get("username", ""))[:150],
        detail="failed sign-in",
    )
