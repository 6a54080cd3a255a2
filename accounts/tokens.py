"""API tokens: issued for a user name and password, sent as `Authorization: Bearer <token>` ("Token <token>"
still works for existing clients), expiring, listed and revoked by their owner. Only a token's hash is stored."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from sbcard.errors import Conflict

from .models import ApiToken, User

KEYWORDS = ("bearer", "token")
MAX_TOKENS_PER_USER = 50
# Writing "last used" once a minute is enough to tell a token in use from a forgotten one.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_token(user: User, *, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` (at most API_TOKEN_DAYS). Returns the record and the key, which
    is shown this once and never stored."""
    now = timezone.now()
    User.objects.select_for_update().filter(pk=user.pk).first()  # one issue at a time per user: the count holds
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise Conflict(
            _("You have %(count)d API tokens; revoke the ones you no longer use first.")
            % {"count": MAX_TOKENS_PER_USER},
            code="too_many_tokens",
        )
    days = min(days or settings.API_TOKEN_DAYS, settings.API_TOKEN_DAYS)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        key_hash=hash_key(key),
        prefix=key[:8],
        expires_at=now + datetime.timedelta(days=days),
    )
    return token, key


def tokens_of(user: User):
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at", "-id")


def revoke_token(user: User, token_id: int) -> bool:
    """Deletes one of the user's own tokens; False when they have none with this id."""
    deleted, _counts = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`). A missing header leaves the request anonymous;
    a wrong, revoked or expired token is a 401 that says which."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise AuthenticationFailed(_("The token is not valid: it was revoked or never existed.")) from error
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise AuthenticationFailed(_("The token is not valid: it was revoked or never existed."))
        now = timezone.now()
        if token.expires_at <= now:
            raise AuthenticationFailed(
                _("The token expired on %(date)s; ask for a new one.")
                % {"date": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")},
                code="token_expired",
            )
        if not token.user.is_active:
            raise AuthenticationFailed(_("This account has been deactivated."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema declares the token: an HTTP bearer scheme, which client generators understand."""

    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/v1/auth/token/, sent as `Authorization: Bearer <token>` "
            "(`Token <token>` is accepted too). Tokens expire; list yours at GET /api/v1/auth/tokens/.",
        }
