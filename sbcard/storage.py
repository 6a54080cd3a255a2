"""Uploaded files encrypted at rest: ID photos, proofs of guardianship, signed authorisations, employers'
materials (copies of ID cards among them) and rosters are personal data, as the ID numbers in the database
are. The default storage encrypts each file with the field keys (sbcard.crypto, Fernet) as it is written
and decrypts it as it is opened, so every FileField and every view that serves a file gets it unchanged.

A stored file starts with MAGIC; a file written before this storage (plain) is read as it is, and
`manage.py rotate_keys` re-encrypts both under the current key.
"""

import io
import os

from cryptography.fernet import InvalidToken
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from .crypto import decrypt_bytes, encrypt_bytes, fernet

MAGIC = b"SBENC1\n"


class EncryptedFileSystemStorage(FileSystemStorage):
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
        for folder, _dirs, files in os.walk(self.location):
            for file_name in files:
                path = os.path.join(folder, file_name)
                with open(path, "rb") as stored:
                    data = stored.read()
                if data.startswith(MAGIC):
                    try:
                        again = MAGIC + fernet().rotate(data[len(MAGIC) :])
                    except InvalidToken:
                        unreadable.append(os.path.relpath(path, self.location))
                        continue
                else:
                    again = MAGIC + encrypt_bytes(data)
                temporary = path + ".rotating"
                with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as rewritten:
                    rewritten.write(again)
                os.replace(temporary, path)  # a crash leaves the old file or the new one, never half of one
                count += 1
        return count, unreadable


class DecryptedFile(File):
    """A stored file's plain bytes in memory; opened again after closing, it reads the disk again."""

    def __init__(self, storage: EncryptedFileSystemStorage, name: str):
        self.storage = storage
        super().__init__(io.BytesIO(self._read(storage, name)), name=name)

    @staticmethod
    def _read(storage: EncryptedFileSystemStorage, name: str) -> bytes:
        with open(storage.path(name), "rb") as stored:
            return plain(stored.read())

    def open(self, mode=None, *args, **kwargs):
        if self.closed:
            self.file = io.BytesIO(self._read(self.storage, self.name))
        else:
            self.seek(0)
        return self


def plain(data: bytes) -> bytes:
    return decrypt_bytes(data[len(MAGIC) :]) if data.startswith(MAGIC) else data
