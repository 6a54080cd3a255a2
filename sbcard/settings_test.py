"""Settings for the test suite: the real settings, read from the environment with test defaults.

DEBUG stays off, as in production; HTTPS redirects are off because the test client speaks HTTP.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("PRODUCTION", "0")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="sbcard-test-"))

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing for tests only
