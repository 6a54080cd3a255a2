"""Print a new Ed25519 private key for ECARD_SIGNING_KEYS, and the key id hospitals will see for it."""

import os

from django.core.management.base import BaseCommand

from sbcard.jws import SigningKey, encode


class Command(BaseCommand):
    help = "Print a new e-card signing key (put it first in ECARD_SIGNING_KEYS; keep the old one a day)."

    def handle(self, *args, **options):
        text = encode(os.urandom(32))
        self.stdout.write(text)
        self.stderr.write(f"key id (RFC 7638 thumbprint): {SigningKey.from_text(text).kid}")
