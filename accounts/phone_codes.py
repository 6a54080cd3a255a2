"""SMS verification codes (issue 7): sign-up and phone changes confirm the number; citizens may sign in
with phone + code. Codes are single use, expire after 10 minutes, at most a few per phone per hour, and
only a keyed hash of each code (and of the phone) is kept."""

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.errors import PartnerError
from partners.sms.client import SmsClient
from sbcard.errors import Conflict, InvalidInput
from sbcard.limits import count_and_check
from sbcard.validators import validate_mobile_phone

from .models import PhoneCode

CODE_LIFETIME = datetime.timedelta(minutes=10)
CODES_PER_HOUR = 5
ATTEMPTS_PER_CODE = 5


def _key(value: str) -> str:
    return hmac.new(settings.ID_HASH_KEY.encode(), f"phone-code:{value}".encode(), hashlib.sha256).hexdigest()


def _code_key(phone: str, scope: str) -> str:
    return _key(f"{phone}|{scope}" if scope else phone)


def send_code(
    *,
    phone: str,
    purpose: str,
    client_address: str | None = None,
    scope: str = "",
    text: Callable[[str], str] | None = None,
) -> str:
    """Send a fresh code by SMS. Returns it only so a demo (DEBUG) page can show it; it is never stored.

    At most CODES_PER_HOUR per phone, and SMS_CODES_PER_ADDRESS_PER_HOUR per client address when the caller
    names one (the pages do; the API has its throttle), counted atomically in the shared cache so that
    requests at the same moment, in any process, cannot pass together.

    `scope` binds the code to one request (a relative's consent to one holder: only that request can spend
    it); `text(code)` words the SMS when the code is to be passed on rather than kept secret."""
    try:
        validate_mobile_phone(phone)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_phone", field="phone") from error
    if purpose not in PhoneCode.Purpose.values:
        raise InvalidInput(_("Unknown purpose."), field="purpose")
    hour = int(datetime.timedelta(hours=1).total_seconds())
    if client_address is not None and not count_and_check(
        f"phone-code:address:{_key(client_address)}", limit=settings.SMS_CODES_PER_ADDRESS_PER_HOUR, window_seconds=hour
    ):
        raise Conflict(
            _("Too many codes asked for from this network in the last hour; please wait and try again."),
            code="too_many_codes",
        )
    if not count_and_check(f"phone-code:phone:{_key(phone)}", limit=CODES_PER_HOUR, window_seconds=hour):
        raise Conflict(
            _("Too many codes for this number in the last hour; please wait and try again."), code="too_many_codes"
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    record = PhoneCode.objects.create(
        phone_key=_code_key(phone, scope),
        purpose=purpose,
        code_hash=_key(f"{phone}:{code}"),
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    if text is None:
        message = _("Your verification code is %(code)s, valid for 10 minutes. Do not tell anyone.") % {"code": code}
    else:
        message = text(code)
    try:
        SmsClient().send(to=phone, text="【社保卡】" + message, idempotency_key=f"phone-code-{record.pk}")
    except PartnerError as error:
        raise Conflict(
            _("The code could not be sent just now; please try again in a minute."), code="sms_unavailable"
        ) from error
    return code


def use_code(*, phone: str, purpose: str, code: str, scope: str = "") -> None:
    """Check and spend a code, or raise InvalidInput saying why. A wrong try is counted (and committed)
    before the refusal, so call this outside a transaction that the refusal would roll back."""
    wrong = InvalidInput(
        _("The verification code is wrong or has expired; ask for a new one."), code="bad_code", field="code"
    )
    with transaction.atomic():
        latest = (
            PhoneCode.objects.select_for_update()
            .filter(phone_key=_code_key(phone, scope), purpose=purpose, used_at=None)
            .order_by("-created_at")
            .first()
        )
        if latest is None or latest.expires_at < timezone.now() or latest.attempts >= ATTEMPTS_PER_CODE:
            accepted = False
        elif not hmac.compare_digest(latest.code_hash, _key(f"{phone}:{(code or '').strip()}")):
            PhoneCode.objects.filter(pk=latest.pk).update(attempts=latest.attempts + 1)
            accepted = False
        else:
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
            accepted = True
    if not accepted:
        raise wrong
