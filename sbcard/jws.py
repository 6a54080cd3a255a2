"""Signed tokens anyone can check with a published public key: compact JWS (RFC 7515) signed with Ed25519 (the
"EdDSA" algorithm of RFC 8037), and the JSON Web Keys (RFC 7517) that publish the public halves, each named by
its RFC 7638 thumbprint. A hospital's system checks such a token with any JOSE library and the key set alone.

Only this one algorithm is accepted: the header's "alg" must be "EdDSA" (never "none", never an HMAC the public
key could be mistaken for the secret of)."""

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGORITHM = "EdDSA"
MAX_TOKEN_LENGTH = 2000  # ours are about 400 characters; anything far longer is not worth parsing


class BadToken(Exception):
    """Not a token signed by one of the keys. `reason` says which check failed (for people: the callers word it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    if "=" in text:
        raise BadToken("padding")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadToken("not_base64url") from error


def _compact_json(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def thumbprint(public_key: bytes) -> str:
    """RFC 7638: SHA-256 of the required members in lexicographic order, no white space."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": encode(public_key)}
    return encode(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey

    @classmethod
    def from_text(cls, text: str) -> "SigningKey":
        """A key as settings hold it: the 32 private bytes in base64url (a JWK's "d")."""
        return cls(Ed25519PrivateKey.from_private_bytes(decode(text.strip())))

    @cached_property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @cached_property
    def kid(self) -> str:
        return thumbprint(self.public_bytes)

    def public_jwk(self) -> dict:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": encode(self.public_bytes),
            "kid": self.kid,
            "use": "sig",
            "alg": ALGORITHM,
        }


def sign(payload: bytes, key: SigningKey, *, header: dict | None = None) -> str:
    """The compact serialisation: BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)."""
    protected = {"alg": ALGORITHM, **(header or {})}
    signing_input = f"{encode(_compact_json(protected))}.{encode(payload)}"
    return f"{signing_input}.{encode(key.private_key.sign(signing_input.encode('ascii')))}"


def sign_claims(claims: dict, key: SigningKey, *, token_type: str) -> str:
    return sign(_compact_json(claims), key, header={"kid": key.kid, "typ": token_type})


def verify(token: str, public_keys: dict[str, bytes]) -> tuple[dict, bytes]:
    """The header and the payload of a token signed by one of `public_keys` ({kid: 32 public bytes}), or BadToken.
    A header without a "kid" is tried against every key."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise BadToken("malformed")
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise BadToken("malformed")
    try:
        header = json.loads(decode(parts[0]))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadToken("malformed") from error
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or header.get("crit"):
        raise BadToken("wrong_algorithm")
    payload, signature = decode(parts[1]), decode(parts[2])  # both base64url, so the signing input is ASCII
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    kid = header.get("kid")
    candidates = [public_keys[kid]] if kid in public_keys else ([] if kid else list(public_keys.values()))
    if not candidates:
        raise BadToken("unknown_key")
    for public_key in candidates:
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signing_input)
        except InvalidSignature:
            continue
        return header, payload
    raise BadToken("bad_signature")


def verify_claims(token: str, public_keys: dict[str, bytes], *, token_type: str) -> dict:
    header, payload = verify(token, public_keys)
    if header.get("typ") != token_type:
        raise BadToken("wrong_type")
    try:
        claims = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadToken("malformed") from error
    if not isinstance(claims, dict):
        raise BadToken("malformed")
    return claims


def development_key(path: Path) -> str:
    """A random private key made once for this checkout and shared by its processes (development and tests, where
    no key is configured); never committed (var/ is ignored). Written beside its place and linked into it, so two
    processes starting at once agree on one key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_text(encode(os.urandom(32)))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text().strip()
