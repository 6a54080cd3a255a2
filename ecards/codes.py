"""An e-card's QR code: a short-lived token signed with the city's Ed25519 key (sbcard.jws), and the public keys
that let a hospital or pharmacy check it offline.

The token is a compact JWS (RFC 7515, "alg": "EdDSA" of RFC 8037, "typ": "sbcard-ecard+jwt") whose payload is a
JSON object: "sub" the card ("card:<id>"), "name" the holder's masked name, "iat" and "exp" (seconds since
1970, UTC; `exp` is ECARD_CODE_SECONDS after `iat`), "jti" the code's own id. No ID number, card number or full
name is in it: a photographed code shows nothing more than the masked name, and only until it expires.
"""

import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.utils import timezone

from issuance.models import Card
from notices.texts import mask_name
from sbcard.jws import BadToken, SigningKey, development_key, sign_claims, verify_claims

TOKEN_TYPE = "sbcard-ecard+jwt"  # noqa: S105 - the JWS "typ" header, not a secret
SUBJECT_PREFIX = "card:"
# A code made a little ahead of the checker's clock (another server's) is still accepted, by this much.
CLOCK_LEEWAY = timedelta(seconds=30)


@lru_cache(maxsize=4)
def _keys(texts: tuple[str, ...]) -> tuple[SigningKey, ...]:
    return tuple(SigningKey.from_text(text) for text in texts)


def signing_keys() -> tuple[SigningKey, ...]:
    """The city's keys, the signing one first (settings.ECARD_SIGNING_KEYS; a development key where none is set)."""
    texts = settings.ECARD_SIGNING_KEYS or [development_key(Path(settings.VAR_DIR) / "ecard-signing-key")]
    return _keys(tuple(texts))


def public_key_set() -> dict:
    """The JWK Set (RFC 7517 section 5) published at /.well-known/sbcard-ecard-key."""
    return {"keys": [key.public_jwk() for key in signing_keys()]}


@dataclass(frozen=True)
class Code:
    token: str
    issued_at: datetime
    expires_at: datetime


def issue_code(card: Card) -> Code:
    """A new code for the card's e-card. The caller has checked that the e-card is active."""
    now = timezone.now().replace(microsecond=0)
    expires = now + timedelta(seconds=settings.ECARD_CODE_SECONDS)
    claims = {
        "sub": f"{SUBJECT_PREFIX}{card.pk}",
        "name": mask_name(card.person.name),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_urlsafe(12),
    }
    return Code(sign_claims(claims, signing_keys()[0], token_type=TOKEN_TYPE), now, expires)


@dataclass(frozen=True)
class ReadCode:
    card_id: int
    code_id: str
    masked_name: str
    issued_at: datetime
    expires_at: datetime

    @property
    def is_current(self) -> bool:
        now = timezone.now()
        return self.issued_at - CLOCK_LEEWAY <= now <= self.expires_at


def read_code(token: str) -> ReadCode:
    """The claims of a code signed with one of the city's keys, expired or not; BadToken when not genuine."""
    keys = {key.kid: key.public_bytes for key in signing_keys()}
    claims = verify_claims((token or "").strip(), keys, token_type=TOKEN_TYPE)
    subject = claims.get("sub")
    try:
        if not (isinstance(subject, str) and subject.startswith(SUBJECT_PREFIX)):
            raise ValueError(subject)
        card_id = int(subject.removeprefix(SUBJECT_PREFIX))
        issued = datetime.fromtimestamp(int(claims["iat"]), tz=UTC)
        expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as error:
        raise BadToken("malformed") from error
    return ReadCode(card_id, str(claims.get("jti", ""))[:40], str(claims.get("name", ""))[:20], issued, expires)


def qr_svg(token: str) -> str:
    """The token as a QR code (ISO/IEC 18004, error correction M), an SVG drawn here: no script, no CDN. The page
    names it (the element around it is an image with a label)."""
    qr = segno.make(token, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=4,
        border=4,
        xmldecl=False,
        svgns=True,
        svgclass="ecard-qr",
        lineclass=None,
        dark="#000",
        light="#fff",  # a white quiet zone whatever the page's colours: scanners need the contrast
        omitsize=True,  # the page sizes it (a viewBox keeps its shape)
    )
    return buffer.getvalue().decode("utf-8")
