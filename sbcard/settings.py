"""Settings for sbcard, read from the environment.

With no environment at all the portal runs on an embedded default (a SQLite file,
jobs run in-process) so that `make run` works on a fresh machine. With
`DATABASE_URL` and `CELERY_BROKER_URL` it uses PostgreSQL and real workers.
"""

import base64
import datetime
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Production means: not DEBUG and not the embedded demo. It switches on HTTPS-only cookies and HSTS.
PRODUCTION = env_bool("PRODUCTION", not DEBUG)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "applications",
    "issuance",
    "ecards",
    "partners",
    "notices",
    "audit",
    "axes",
    "csp",
    "rosters",
    "dashboards",
    "sbcard",  # plumbing: its management commands (rotate_keys, prepare_uploads)
    "demo",  # demo data, the demo city, make run: above every app
]

MIDDLEWARE = [
    # /healthz first: probes ask by an address (127.0.0.1:8000, a pod's IP) over plain HTTP, neither an
    # allowed host nor HTTPS; it answers before those checks and says nothing but "up" or "down".
    "sbcard.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "sbcard.middleware.PrivatePagesMiddleware",
    "audit.middleware.AuditRefusalsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sbcard.urls"
WSGI_APPLICATION = "sbcard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "applications.context_processors.calendar_warning",
                "accounts.context_processors.care_mode",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # A persistent connection: a new one per request costs several primary-key lookups.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction: iterator() reads in chunks
    # on the client instead.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
    # A streaming replica for the dashboards and their exports (sbcard.replica): reads that may lag a second.
    DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = {
            **dj_database_url.parse(
                DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
            ),
            "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
            "TEST": {"MIRROR": "default"},
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "sbcard.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DATABASE_ROUTERS = ["sbcard.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Lockout first (SECURITY.md 4): repeated failures lock the account and the client address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.PhoneCodeBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "audit.services.client_address"
AXES_VERBOSE = False
# The demo shows SMS codes on the page (there is no phone); never in production.
SHOW_SMS_CODES_FOR_DEMO = DEBUG and not PRODUCTION
# Codes sent from one client address an hour (the sign-up, sign-in and phone pages; the API's throttle is the
# same figure). Each phone gets at most 5 an hour whoever asks (accounts/phone_codes.py).
SMS_CODES_PER_ADDRESS_PER_HOUR = env_int("SMS_CODES_PER_ADDRESS_PER_HOUR", 20)
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout, not a fixed one
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The image runs collectstatic into STATIC_ROOT with hashed, compressed names (STATIC_MANIFEST=1) and serves
# them with far-future caching; a checkout serves straight from the apps' folders without that step.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if not STATIC_MANIFEST:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even when serving from the finders
# Uploaded photos and documents are personal data: kept outside the static tree, encrypted at rest
# (sbcard.storage), and served only through views that check access. A folder by default; an S3 bucket when
# several machines must see the same files.
UPLOADS_BUCKET = env_str("UPLOADS_BUCKET")
if UPLOADS_BUCKET:
    UPLOADS_STORAGE = {
        "BACKEND": "sbcard.storage.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": UPLOADS_BUCKET,
            "location": env_str("UPLOADS_PREFIX", "private"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "default_acl": None,  # the bucket's own: private
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    UPLOADS_STORAGE = {
        "BACKEND": "sbcard.storage.EncryptedFileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private"},
    }
STORAGES = {
    "default": UPLOADS_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
PHOTO_MAX_BYTES = 40 * 1024  # rule 18
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)
# A key for the names under which photos are stored: built from the ID number, without revealing it.
PHOTO_NAME_KEY = env_str("PHOTO_NAME_KEY", SECRET_KEY)

# --- Security -------------------------------------------------------------------------------
# The key of the keyed hashes that stand in for ID numbers where they are looked up (and in the audit
# trail). Changing it means recomputing the hashes: manage.py rotate_keys --hash does that.
ID_HASH_KEY = env_str("ID_HASH_KEY")
if not ID_HASH_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("ID_HASH_KEY must be set in production.")
    ID_HASH_KEY = "development-id-hash-" + SECRET_KEY[:24]
# Keys that encrypt ID numbers and bank accounts at rest: comma-separated Fernet keys, the first one
# encrypts, all of them decrypt (rotate: put a new key first, run manage.py rotate_keys, drop the old).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production.")
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"fields:{SECRET_KEY}".encode()).digest()).decode()
    ]


def _base64url_bytes(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return b""


# The city's keys for electronic cards (电子社保卡): Ed25519 private keys, each the 32 bytes in base64url (a JWK's
# "d", RFC 8037), comma-separated. The first signs the e-cards' codes; the public halves of all of them are
# published at /.well-known/sbcard-ecard-key, so a hospital checks a code offline and a code signed just before a
# rotation still checks out (rotate: put the new key first, drop the old one a day later). `manage.py
# new_ecard_key` prints a new one. Without it (development, tests) a key is made once in VAR_DIR when the first
# code is signed (sbcard.jws.development_key): never committed, never the same in two checkouts.
ECARD_SIGNING_KEYS = env_list("ECARD_SIGNING_KEYS")
if not ECARD_SIGNING_KEYS and PRODUCTION:
    raise ImproperlyConfigured("ECARD_SIGNING_KEYS must be set in production.")
if any(len(_base64url_bytes(key)) != 32 for key in ECARD_SIGNING_KEYS):
    raise ImproperlyConfigured("ECARD_SIGNING_KEYS: each key is 32 bytes in base64url (an Ed25519 private key).")
# An e-card's QR code changes every ECARD_CODE_REFRESH_SECONDS; each code is valid for ECARD_CODE_SECONDS from
# when it was made (the refresh interval and time to scan it), so a photographed code is soon worthless.
ECARD_CODE_REFRESH_SECONDS = env_int("ECARD_CODE_REFRESH_SECONDS", 60)
ECARD_CODE_SECONDS = env_int("ECARD_CODE_SECONDS", 90)

# --- Cache -----------------------------------------------------------------------------------
# Throttles, SMS-code limits and the signal that the city policy or the calendar changed. One process
# (`make run`) keeps them in memory; several web and worker processes must share them: CACHE_URL=redis://...
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, got {CACHE_URL!r}")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "sbcard"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Behind the production reverse proxy, the client's address is the first X-Forwarded-For hop.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

# Content Security Policy: scripts only from our own static files, never inline (issue 7). Inline
# style attributes stay allowed for the Django admin and the API documentation page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # blob: the photo check previews the chosen file
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- REST API -------------------------------------------------------------------------------
# Where the portal is reached from outside: partners' callbacks and the API schema's `servers` name it.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# API tokens expire: this many days at most (a client may ask for fewer).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
REST_FRAMEWORK = {
    # The token first: its WWW-Authenticate header makes a missing or bad credential a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies without files are JSON only; the upload operations take multipart only (their views say so).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "sbcard.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "sbcard.schema.ApiSchema",
    "EXCEPTION_HANDLER": "audit.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"signup": f"{SMS_CODES_PER_ADDRESS_PER_HOUR}/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sbcard API",  # ASCII: client generators name their package after it
    # The schema's own text is English whatever the reader's language (sbcard.schema); answers are in the
    # language of Accept-Language (zh-hans by default, en).
    "DEFAULT_GENERATOR_CLASS": "sbcard.schema.OneLanguageSchemaGenerator",
    "DESCRIPTION": (BASE_DIR / "docs" / "api.md").read_text(encoding="utf-8"),
    "VERSION": "1.1.0",
    "OAS_VERSION": "3.1.0",
    "SERVERS": [{"url": PORTAL_BASE_URL, "description": "This portal (PORTAL_BASE_URL)."}],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "TAGS": [
        {"name": "auth", "description": "Sign-up, SMS codes, API tokens (issue, list, revoke), the signed-in user."},
        {"name": "applications", "description": "Citizens apply, upload photos, submit and follow; clerks review."},
        {"name": "cards", "description": "Cards: activation, swipe limit, loss reports, replacement, exchange."},
        {
            "name": "ecards",
            "description": "Electronic cards (电子社保卡): codes, relatives' consent, checks by hospitals and "
            "pharmacies, the city's public keys.",
        },
        {"name": "window", "description": "The service window: stations, appointments, walk-ins, pickup, checks."},
        {"name": "rosters", "description": "Employers' staff rosters: file or JSON rows, dry run, photos, submit."},
        {"name": "dashboard", "description": "Backlog, deadlines, bottlenecks, flow and activation figures."},
    ],
    "WEBHOOKS": [
        "partners.webhooks.VENDOR_CALLBACK",
        "partners.webhooks.BANK_ACTIVATION_CALLBACK",
        "partners.webhooks.BANK_PAYMENT_CALLBACK",
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.webhooks.add_signature_headers",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Plain examples: every syntax-highlighting theme Swagger UI ships has colours below WCAG's 4.5:1 contrast.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "syntaxHighlight": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status", "kind" or "channel" of their own: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.models.Status",
        "ApplicationKindEnum": "applications.models.ApplicationKind",
        "ApplicationChannelEnum": "applications.models.Channel",
        "CardStatusEnum": "issuance.models.CardStatus",
        "CardColourEnum": "applications.models.CardColour",
        "LossReportKindEnum": "issuance.models.LossReport.Kind",
        "LossReportChannelEnum": "issuance.models.LossReport.Channel",
        "AppointmentStateEnum": "issuance.models.Appointment.State",
        "ECardStateEnum": "issuance.models.ECardState",
        "ECardCheckOutcomeEnum": "ecards.models.ECardCheck.Outcome",
        "FamilyLinkStateEnum": "ecards.models.FamilyLink.State",
        "FamilyLinkRelationshipEnum": "ecards.models.FamilyLink.Relationship",
        "RelationshipEnum": "applications.models.Relationship",  # the application's, as before the e-cards
        "ECardRelationEnum": "ecards.access.RELATION_CHOICES",
        "RosterBatchStateEnum": "rosters.models.RosterBatch.State",
        "ForecastStepStateEnum": "applications.api.serializers.STEP_STATES",
    },
}

# --- Jobs -----------------------------------------------------------------------------------
# With a broker (Redis), separate worker and beat processes run the jobs. Without one, `make run`
# (manage.py run_portal) runs a worker and beat inside the web process on an in-memory broker.
JOBS_IN_PROCESS = not env_str("CELERY_BROKER_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Without this Celery closes the database connection after every task: a new connection per task
# cost a third of a partner step's time in the pipeline benchmark. Connections are still recycled
# by CONN_MAX_AGE and health-checked before use.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Partner steps on their own queue, so a slow partner never holds up the notices or the periodic jobs.
CELERY_TASK_ROUTES = {
    "applications.tasks.verify_with_registry": {"queue": "partners"},
    "applications.tasks.open_bank_account": {"queue": "partners"},
    "applications.tasks.order_card": {"queue": "partners"},
    "applications.tasks.resend_unshipped_order": {"queue": "partners"},
    "applications.tasks.receive_shipment": {"queue": "partners"},
    "issuance.tasks.report_unclaimed": {"queue": "partners"},
    "issuance.tasks.tell_bank": {"queue": "partners"},
    "notices.tasks.*": {"queue": "notices"},
    "applications.tasks.notify_status_changes": {"queue": "notices"},
    "issuance.tasks.notify_card_event": {"queue": "notices"},
}
# Longer than the longest task, so a running task is never handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# One beat at a time, even when two are started: it holds a PostgreSQL lock for as long as it runs.
CELERY_BEAT_SCHEDULER = "sbcard.beat:SingleBeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat touches this file on every tick; its health check asks how old it is.
BEAT_HEARTBEAT_FILE = Path(env_str("BEAT_HEARTBEAT_FILE", str(VAR_DIR / "beat-heartbeat")))
CELERY_BEAT_SCHEDULE = {
    "resume-stalled-partner-steps": {"task": "applications.tasks.resume_stalled_partner_steps", "schedule": 300.0},
    "review-deadlines": {"task": "applications.tasks.check_review_deadlines", "schedule": 3600.0},
    "escalate-overdue-applications": {"task": "applications.tasks.escalate_overdue_applications", "schedule": 3600.0},
    "mark-unclaimed-cards": {"task": "issuance.tasks.mark_unclaimed_cards", "schedule": 3600.0},
    "remind-activation": {"task": "issuance.tasks.remind_activation", "schedule": 3600.0},
    "lapse-oral-loss-reports": {"task": "issuance.tasks.lapse_oral_loss_reports", "schedule": 3600.0},
    "remind-appointments": {"task": "issuance.tasks.remind_appointments", "schedule": 3600.0},
    # A paid roster batch: its applications that reach awaiting_payment later are moved on to production.
    "start-production-of-paid-batches": {"task": "rosters.tasks.start_production_of_paid_batches", "schedule": 60.0},
    # The dashboards' summaries fold the new status and card events: figures at most a minute old.
    "summarise-dashboards": {"task": "dashboards.tasks.summarise", "schedule": 60.0, "options": {"expires": 55}},
}

# --- Partner systems ------------------------------------------------------------------------
PARTNER_URLS = {
    "registry": env_str("REGISTRY_URL", "http://127.0.0.1:8101"),
    "bank": env_str("BANK_URL", "http://127.0.0.1:8102"),
    "vendor": env_str("VENDOR_URL", "http://127.0.0.1:8103"),
    "sms": env_str("SMS_URL", "http://127.0.0.1:8104"),
}
PARTNER_CONNECT_TIMEOUT = float(env_str("PARTNER_CONNECT_TIMEOUT", "2"))
PARTNER_READ_TIMEOUT = float(env_str("PARTNER_READ_TIMEOUT", "10"))
VENDOR_WEBHOOK_SECRET = env_str("VENDOR_WEBHOOK_SECRET")
if not VENDOR_WEBHOOK_SECRET:
    if PRODUCTION:
        raise ImproperlyConfigured("VENDOR_WEBHOOK_SECRET must be set in production.")
    VENDOR_WEBHOOK_SECRET = "demo-" + SECRET_KEY[:24]
VENDOR_WEBHOOK_MAX_AGE_SECONDS = env_int("VENDOR_WEBHOOK_MAX_AGE_SECONDS", 300)
# The partner bank's payment callbacks for employer batches' card fees (rule 6), signed the same way.
BANK_CALLBACK_SECRET = env_str("BANK_CALLBACK_SECRET")
if not BANK_CALLBACK_SECRET:
    if PRODUCTION:
        raise ImproperlyConfigured("BANK_CALLBACK_SECRET must be set in production.")
    BANK_CALLBACK_SECRET = "demo-bank-" + SECRET_KEY[:24]
BANK_CALLBACK_MAX_AGE_SECONDS = env_int("BANK_CALLBACK_MAX_AGE_SECONDS", 300)

# --- Employer rosters -----------------------------------------------------------------------
ROSTER_MAX_BYTES = env_int("ROSTER_MAX_BYTES", 20 * 1024 * 1024)  # a 100,000-row XLSX is about 6 MB
ROSTER_MAX_ROWS = env_int("ROSTER_MAX_ROWS", 100_000)
# An XLSX is a ZIP too: what its members may unpack to, and the compression ratio past which it is a bomb.
ROSTER_MAX_UNPACKED_BYTES = env_int("ROSTER_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
PHOTO_ZIP_MAX_BYTES = env_int("PHOTO_ZIP_MAX_BYTES", 200 * 1024 * 1024)
PHOTO_ZIP_MAX_FILES = env_int("PHOTO_ZIP_MAX_FILES", 100_000)
ZIP_MAX_COMPRESSION_RATIO = env_int("ZIP_MAX_COMPRESSION_RATIO", 100)
# Rows checked per query and per registry request: the number of queries grows with these, not with rows.
ROSTER_CHUNK_ROWS = env_int("ROSTER_CHUNK_ROWS", 1000)
# Dry runs of larger uploads run as a Celery job whose progress the page polls; smaller ones at once.
ROSTER_BACKGROUND_BYTES = env_int("ROSTER_BACKGROUND_BYTES", 256 * 1024)
PHOTO_ZIP_BACKGROUND_BYTES = env_int("PHOTO_ZIP_BACKGROUND_BYTES", 2 * 1024 * 1024)

# --- Dashboards ---------------------------------------------------------------------------
# /metrics answers signed-in clerks and admins, and a scraper sending "Authorization: Bearer <token>".
METRICS_TOKEN = env_str("METRICS_TOKEN")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
