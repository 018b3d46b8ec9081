"""Settings shared by every environment; values come from the environment (12-factor)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ

REPO_ROOT = Path(__file__).resolve().parents[3]
SOURCE_ROOT = REPO_ROOT / "platform"

env = environ.Env()

if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    # Settings only read the environment. The entry points of development (`make run`,
    # `make test`, manage.py, pytest, the Celery app) start the embedded servers first
    # (devstack.services.ensure_environ); anything else must be given both addresses.
    raise environ.ImproperlyConfigured(
        "DATABASE_URL and REDIS_URL must be set (make run / make test start embedded servers)"
    )

SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789"
)
DEBUG = env.bool("DEBUG", default=False)

# The bare BASE_DOMAIN (and localhost) serves the regional layer; <slug>.BASE_DOMAIN a tenant.
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
PUBLIC_HOSTS = sorted({BASE_DOMAIN, "localhost"})
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[*PUBLIC_HOSTS, f".{BASE_DOMAIN}", ".localhost"])

# Apps ---------------------------------------------------------------------------------------

SHARED_APPS = [
    "django_tenants",  # must come first
    "organizations",
    "accounts",
    "regional_dashboard",
    "demo",
    "core",
    "messaging",
    "dispatch",  # tasks kept in PostgreSQL until the broker has them
    "cnppm",  # the ЦНППМ: tutors' assignments, the instrument, route statuses (no content)
    "accounts.apps.PlatformAdminConfig",  # django.contrib.admin whose site requires 2FA
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_filters",
    # Login security: lockout records and OTP devices are global, like the users they protect.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "core",  # shared and tenant: upload previews live in the schema whose data they hold
    "tenants.home",
    "tenants.roadmap",
    "tenants.documents",
    "tenants.participants",
    "tenants.mentoring",
    "tenants.notifications",
    "tenants.routes",
    "tenants.monitoring",
]
INSTALLED_APPS = [*SHARED_APPS, *[app for app in TENANT_APPS if app not in SHARED_APPS]]

TENANT_MODEL = "organizations.Organization"
TENANT_DOMAIN_MODEL = "organizations.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New organisations are cloned from this schema, which `migrate` keeps migrated
# (organizations.signals); a clone takes a fraction of a second against seconds of migrations.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# search_path is set once per connection and tenant, not before every query.
TENANT_LIMIT_SET_CALLS = True
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenants"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

MIDDLEWARE = [
    # A read that met a dropped database connection is run once more (core.outage).
    "core.outage.DatabaseRetryMiddleware",
    "organizations.middleware.CachedTenantMiddleware",  # host → organisation, first of all
    "regional_dashboard.rollups.TenantWriteMiddleware",  # a write marks the rollup dirty
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.uploads.UploadLimitMiddleware",  # before CSRF: it parses form bodies, we bound them
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() from the session
    "accounts.middleware.TwoFactorMiddleware",  # unverified where 2FA applies → code or enrolment
    "accounts.middleware.OrganizationMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: turns a login refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SOURCE_ROOT / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Data ------------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", engine="django_tenants.postgresql_backend"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cmn"),
        # Cache keys must not collide between schemas.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# How many reverse proxies stand in front of the web processes (deploy/compose.yaml: nginx, 1):
# audit logs take the client's address from X-Forwarded-For that far from the right.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)

# Host → organisation lookups are kept in process memory this long (seconds); a change made
# in this process invalidates at once, other processes catch up within the TTL.
TENANT_CACHE_SECONDS = env.int("TENANT_CACHE_SECONDS", default=60)

# Auth ------------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# ASVS 5.0 V6.2: at least 12 characters, no common or all-digit passwords, nothing close to the
# login, name or e-mail. Django's ru locale words the messages.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3)

# Lockout (django-axes). Failures are counted per login and, separately, per address: a
# password tried against one account from many addresses, and many accounts tried from one
# address, both stop at the limit for the cool-off. A whole school may sit behind one NAT
# address, hence a limit that a few typing teachers do not reach. A successful login forgives
# that login's own failures from that address only (accounts.signals), so an attacker cannot
# clear an address's count by logging in to an account of their own.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
# Attempts during a lockout are refused without counting, so the time the page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Behind proxies (deploy/nginx.conf) the client's address is the X-Forwarded-For entry the
# outermost of TRUSTED_PROXY_COUNT proxies wrote (accounts.lockout.client_ip, DRF's NUM_PROXIES
# rule); without proxies the header is ignored, since anyone can send it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# Two-factor authentication (django-otp): who must use it is accounts.selectors.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Наставничество")
# The admin lists devices but never shows their secrets (a staff member could clone a phone).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# One login for the region: the session cookie covers every organisation's subdomain.
# Browsers refuse Domain=localhost cookies, so locally each host keeps its own session.
SESSION_COOKIE_DOMAIN = (
    env.str("SESSION_COOKIE_DOMAIN", default=f".{BASE_DOMAIN}" if "." in BASE_DOMAIN else "")
    or None
)
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_AGE = 60 * 60 * 12

# Locale ----------------------------------------------------------------------------------------

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

# Static ----------------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = REPO_ROOT / "staticfiles"
STATICFILES_DIRS = [SOURCE_ROOT / "static"]
# Uploads live with the rest of the local data: CMN_DATA_DIR is where `make run` keeps its
# PostgreSQL and Redis (devstack.services.data_dir reads the same variable), so one variable
# moves them all and a second checkout with its own CMN_DATA_DIR never shares the uploads.
DATA_DIR = Path(env.str("CMN_DATA_DIR", default=str(REPO_ROOT / ".data")))
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads -------------------------------------------------------------------------------------

# A file bigger than this goes to a temporary file as it arrives, not into the worker's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# Form fields without files: a table pasted from Word is a few hundred kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# All files of one request together (several evidence files of up to 20 MB each fit one by
# one); core.uploads.RequestSizeLimitHandler stops reading past it. nginx's client_max_body_size
# is the same figure (deploy/nginx.conf). Each field has its own, smaller limit.
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# How long an upload's preview waits for confirmation; expired ones are deleted hourly
# (`imports-cleanup`): previews hold personal data and are not kept for long.
IMPORT_PREVIEW_HOURS = env.int("IMPORT_PREVIEW_HOURS", default=24)
# Uploads up to this size are read in the request; bigger ones by a Celery task, the page
# showing its progress. Both take the same path and leave the same stored preview.
IMPORT_INLINE_BYTES = env.int("IMPORT_INLINE_BYTES", default=32 * 1024)
# Confirmations of up to this many rows are written in the request; more by a Celery task.
IMPORT_INLINE_APPLY_ROWS = env.int("IMPORT_INLINE_APPLY_ROWS", default=1000)
IMPORTERS = {
    "participants": "tenants.participants.importing.ParticipantsImporter",
    "roadmap": "tenants.roadmap.imports.RoadmapImporter",
    "organizations": "organizations.onboarding.OrganizationsImporter",
    "outcomes": "tenants.monitoring.importing.OutcomesImporter",
}

# API -------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # drf-spectacular's, plus the error answers (400, 401, 403, 404, 409, 413, 415, 429) of each operation.
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    # Sessions only: HTTP Basic would be a second password-guessing channel beside the
    # locked-out login page (and a 2FA bypass).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Counted in the Redis cache, per client address (anonymous) or per user, on each host.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.AnonymousRateThrottle",
        "accounts.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/min"),
        "user": env.str("API_USER_RATE", default="600/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # 0: REMOTE_ADDR; None would trust any X-Forwarded-For
    # Django's ValidationError and IntegrityError as 400/409, Russian 404 and 429 bodies.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Платформа целевой модели наставничества: API",
    "DESCRIPTION": "Реестр организаций региона и данные организаций (каждая в своей схеме).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a «status»: name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "PairStatusEnum": "tenants.mentoring.models.PairStatus",
        "RoadmapItemStatusEnum": "tenants.roadmap.models.ItemStatus",
    },
}

# Celery ----------------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# Nothing reads a task's return value (imports and jobs keep their outcome in PostgreSQL): a
# stored result is a Redis key for a day — 2,000 schools' sweeps every five minutes would keep
# over half a million of them in a Redis that never evicts. Only the probes, which a caller
# waits for, keep theirs (ignore_result=False on the task, or on the call).
CELERY_TASK_IGNORE_RESULT = True
# Idempotent tasks are acknowledged after they finish, so a killed worker's task runs again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection around every task unless told to reuse
# it: each task then paid a new PostgreSQL backend with cold catalog caches (half the sweep's
# time). Connections are kept as on the web (CONN_MAX_AGE, health checks): config.celery runs
# Django's close_old_connections around each task instead.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100_000)
# Longer than any task may run; otherwise Redis hands an unacked task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Organisations change rarely; workers keep the tenant for a task's schema this long.
CELERY_TASK_TENANT_CACHE_SECONDS = 30

# Logging ---------------------------------------------------------------------------------------

# LOG_FORMAT=json (deploy/compose.yaml): one JSON object per line with the organisation's
# schema, for the log collector; plain lines otherwise (make run, tests).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"schema": {"()": "core.logs.SchemaFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(schema)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["schema"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Error reports (core.logs.init_error_reports): to a Sentry-compatible server inside the
# network (self-hosted Sentry, GlitchTip) when SENTRY_DSN is set; nothing leaves otherwise.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")

# Reminders ---------------------------------------------------------------------------------------

# How links in emails are built: <scheme>://<slug>.<BASE_DOMAIN><port suffix>/...
PUBLIC_SCHEME = env.str("PUBLIC_SCHEME", default="http")
PUBLIC_PORT_SUFFIX = env.str(
    "PUBLIC_PORT_SUFFIX", default=":8000" if BASE_DOMAIN == "localhost" else ""
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="nastavnichestvo@localhost")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
# The local mail server of `make run` keeps what it receives here; the platform shows it at
# /mail/ and checks it to settle an email whose sending was interrupted.
LOCAL_MAILDIR = env.str("LOCAL_MAILDIR", default="")
# A messenger speaking the bot HTTP API (MAX, VK, Telegram): base URL including the token.
MESSENGER_NAME = env.str("MESSENGER_NAME", default="MAX")
MESSENGER_API_URL = env.str("MESSENGER_API_URL", default="")
# A task kept for the broker (dispatch) is the relay's to send once it is this old; before,
# the commit that wrote it sends it.
DISPATCH_RELAY_AFTER_SECONDS = env.int("DISPATCH_RELAY_AFTER_SECONDS", default=30)
# A refresh the rollup flush sent and that has not consumed its marks this long after (lost
# with the broker, or its worker died) is sent again.
ROLLUP_REQUEUE_SECONDS = env.int("ROLLUP_REQUEUE_SECONDS", default=60)
# The sweep runs this often (minutes); each organisation's reminders go out at its local
# morning hour, so the interval only bounds the delay.
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=300)
# How long a worker holds an email it is sending before another may settle it (worker died).
REMINDER_LEASE_SECONDS = env.int("REMINDER_LEASE_SECONDS", default=60)
