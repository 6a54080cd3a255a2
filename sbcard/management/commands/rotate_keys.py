"""Re-encrypt personal data (fields and uploaded files) under the current key, and recompute the keyed hashes.

Rotating the encryption key: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it),
run this command, then remove the old key. Rotating ID_HASH_KEY: change it and run this command; the
audit trail keeps its old person keys (it is append-only), so searches there use the key of their day.
"""

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from sbcard.crypto import EncryptedCharField, decrypt, keyed_hash, reencrypt

BATCH = 2000


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the first FIELD_ENCRYPTION_KEYS key and recompute hashes."

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
            if not fields:
                continue
            total = self._rotate(model, fields)
            self.stdout.write(f"{model._meta.label}: {total} rows re-encrypted ({', '.join(f.name for f in fields)})")
        if hasattr(default_storage, "rotate"):  # uploaded files (sbcard.storage)
            count, unreadable = default_storage.rotate()
            self.stdout.write(f"uploaded files: {count} re-encrypted")
            if unreadable:
                self.stderr.write(f"{len(unreadable)} files open with none of the keys, left as they are: ")
                self.stderr.write("\n".join(unreadable[:50]))

    def _rotate(self, model, fields) -> int:
        columns = [f.column for f in fields]
        hash_fields = [f.hash_field for f in fields if f.hash_field]
        total = 0
        last_pk = 0
        table = model._meta.db_table

        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                # Raw rows: the ciphertext as stored, decrypted and encrypted again without the ORM's help.
                cursor.execute(
                    f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s FOR UPDATE"  # noqa: S608
                    if connection.vendor == "postgresql"
                    else f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                    [last_pk, BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    return total
                for pk, *values in rows:
                    changes = {}
                    for field, stored in zip(fields, values, strict=True):
                        if stored:
                            changes[field.column] = reencrypt(stored)
                    if hash_fields and values[0]:
                        changes[model._meta.get_field(hash_fields[0]).column] = keyed_hash(decrypt(values[0]))
                    if changes:
                        assignments = ", ".join(f"{column} = %s" for column in changes)
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                            [*changes.values(), pk],
                        )
                last_pk = rows[-1][0]
                total += len(rows)
