"""Personal data encrypted at rest (issue 7): resident ID numbers and bank account numbers.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package) under the
keys in FIELD_ENCRYPTION_KEYS (the first encrypts, all decrypt, so a key can be rotated without loss:
`manage.py rotate_keys`). An encrypted value is different every time, so lookups go through a keyed hash
(HMAC-SHA256 under ID_HASH_KEY) kept beside it: `Person.objects.filter(id_number=...)` and `__in` are
rewritten to compare the hash column, and the one-person-one-open-application rule uses it too.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Lookup

from sbcard.idnumbers import canonical

PREFIX = "enc1:"  # marks a stored value as ciphertext (and its format version)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def derive_key(secret: str) -> str:
    """A Fernet key from any secret (development and tests only; production sets real keys)."""
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()).decode()


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption (migrations encrypt these)
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ValueError("cannot decrypt: none of FIELD_ENCRYPTION_KEYS fits") from error


def encrypt_bytes(data: bytes) -> bytes:
    """A whole file (an uploaded roster) encrypted before it is written to disk."""
    return fernet().encrypt(data)


def decrypt_bytes(data: bytes) -> bytes:
    return fernet().decrypt(data)


def reencrypt(stored: str) -> str:
    """The same value under the first (current) key."""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


def keyed_hash(value: str) -> str:
    return hmac.new(settings.ID_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A text value stored encrypted. With `hash_field`, exact and `in` lookups use that hash column."""

    def __init__(self, *args, hash_field: str | None = None, max_length: int | None = None, **kwargs):
        self.hash_field = hash_field
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        if self.plain_max_length:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def formfield(self, **kwargs):
        return forms.CharField(max_length=self.plain_max_length, **kwargs)

    def get_lookup(self, lookup_name):
        if lookup_name in ("isnull",):
            return super().get_lookup(lookup_name)
        if self.hash_field and lookup_name in ("exact", "iexact"):
            return HashedExact
        if self.hash_field and lookup_name == "in":
            return HashedIn
        if lookup_name == "exact":
            return EmptyExact  # "is it empty?" still works on any encrypted field
        raise FieldError(f"{self.name} is encrypted: only exact and in lookups through its hash are possible")


class _HashedLookup(Lookup):
    prepare_rhs = False

    def _hash_column(self, compiler):
        target = self.lhs.target
        column = target.model._meta.get_field(target.hash_field).get_col(self.lhs.alias)
        return compiler.compile(column)

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])


class HashedExact(_HashedLookup):
    lookup_name = "exact"

    def as_sql(self, compiler, connection):
        sql, params = self._hash_column(compiler)
        return f"{sql} = %s", [*params, keyed_hash(canonical(self.rhs))]


class HashedIn(_HashedLookup):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        sql, params = self._hash_column(compiler)
        hashes = [keyed_hash(canonical(value)) for value in self.rhs]
        if not hashes:
            return "1 = 0", []
        return f"{sql} IN ({', '.join(['%s'] * len(hashes))})", [*params, *hashes]


class EmptyExact(Lookup):
    """`field=""` on an encrypted field without a hash: empty values are stored as they are."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if self.rhs not in ("", None):
            raise FieldError("an encrypted field can only be compared with the empty string")
        sql, params = compiler.compile(self.lhs)
        return f"{sql} = %s", [*params, ""]
