"""Uploaded files encrypted at rest: ID photos, proofs of guardianship, signed authorisations, employers'
materials (copies of ID cards among them) and rosters are personal data, as the ID numbers in the database
are. The default storage encrypts each file with the field keys (sbcard.crypto, Fernet) as it is written
and decrypts it as it is opened, so every FileField and every view that serves a file gets it unchanged.

Two places to keep them: a folder (the default, `make run`) or an S3 bucket (`UPLOADS_BUCKET`: every web
and worker process of a deployment sees the same files). Either way a stored file starts with MAGIC; a file
written before this storage (plain) is read as it is, and `manage.py rotate_keys` re-encrypts both under the
current key, walking the folder or the bucket.
"""

import io
import os
from collections.abc import Iterator

from cryptography.fernet import InvalidToken
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

from .crypto import decrypt_bytes, encrypt_bytes, fernet

MAGIC = b"SBENC1\n"


class EncryptedStorage:
    """Encryption over a storage class that knows how to read, write and list raw bytes (the methods below
    marked 'raw'); mixed in before FileSystemStorage or S3Storage."""

    def _save(self, name, content):
        if hasattr(content, "seek"):
            content.seek(0)
        return super()._save(name, ContentFile(MAGIC + encrypt_bytes(content.read())))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written through save(), never opened for writing")
        return DecryptedFile(self, name)

    def size(self, name) -> int:
        with self._open(name) as file:
            return len(file.read())

    def rotate(self) -> tuple[int, list[str]]:
        """Every stored file encrypted again under the first key (plain ones for the first time). Returns the
        count, and the files no key opens (left as they are, for a person to look at)."""
        count, unreadable = 0, []
        for name in self.stored_names():
            data = self.read_raw(name)
            if data.startswith(MAGIC):
                try:
                    again = MAGIC + fernet().rotate(data[len(MAGIC) :])
                except InvalidToken:
                    unreadable.append(name)
                    continue
            else:
                again = MAGIC + encrypt_bytes(data)
            self.replace_raw(name, again)
            count += 1
        return count, unreadable

    def stored_names(self) -> Iterator[str]:
        """Every stored file's name, walking the folders (raw)."""
        folders = [""]
        while folders:
            folder = folders.pop()
            subfolders, files = self.listdir(folder)
            folders += [f"{folder}/{sub}" if folder else sub for sub in subfolders]
            yield from (f"{folder}/{file_name}" if folder else file_name for file_name in files)

    def read_raw(self, name: str) -> bytes:
        raise NotImplementedError

    def replace_raw(self, name: str, data: bytes) -> None:
        """Write `data` in place of the file: readers see the old bytes or the new ones, never half."""
        raise NotImplementedError


class EncryptedFileSystemStorage(EncryptedStorage, FileSystemStorage):
    def stored_names(self) -> Iterator[str]:
        if os.path.isdir(self.location):  # nothing uploaded yet: no folder
            yield from super().stored_names()

    def read_raw(self, name: str) -> bytes:
        with open(self.path(name), "rb") as stored:
            return stored.read()

    def replace_raw(self, name: str, data: bytes) -> None:
        path = self.path(name)
        temporary = path + ".rotating"
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as rewritten:
            rewritten.write(data)
        os.replace(temporary, path)  # a crash leaves the old file or the new one, never half of one


class EncryptedS3Storage(EncryptedStorage, S3Storage):
    """The bucket, its endpoint and region come from settings (UPLOADS_BUCKET, AWS_S3_ENDPOINT_URL, ...);
    credentials from the environment or the machine's role, as boto3 finds them. Files are private: the
    views that check access serve them, never a bucket URL."""

    def read_raw(self, name: str) -> bytes:
        with S3Storage._open(self, name, "rb") as stored:
            return stored.read()

    def replace_raw(self, name: str, data: bytes) -> None:
        S3Storage._save(self, name, ContentFile(data))  # one PUT: S3 replaces an object whole

    def stored_names(self) -> Iterator[str]:
        # One listing of the bucket (under the storage's location), not a request per folder.
        prefix = self._normalize_name("")
        prefix = prefix + "/" if prefix and not prefix.endswith("/") else prefix
        for page in self.connection.meta.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=prefix
        ):
            for item in page.get("Contents", []):
                yield item["Key"][len(prefix) :]


class DecryptedFile(File):
    """A stored file's plain bytes in memory; opened again after closing, it reads the storage again."""

    def __init__(self, storage: EncryptedStorage, name: str):
        self.storage = storage
        super().__init__(io.BytesIO(plain(storage.read_raw(name))), name=name)

    def open(self, mode=None, *args, **kwargs):
        if self.closed:
            self.file = io.BytesIO(plain(self.storage.read_raw(self.name)))
        else:
            self.seek(0)
        return self


def plain(data: bytes) -> bytes:
    return decrypt_bytes(data[len(MAGIC) :]) if data.startswith(MAGIC) else data
