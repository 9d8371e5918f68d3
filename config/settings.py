"""Settings for the event-timeline service, read from environment variables.

Local defaults are safe: SQLite in the project folder, a local-memory cache and
DEBUG off unless DJANGO_DEBUG is set. Production must set DJANGO_SECRET_KEY.
With DEBUG off, HTTPS is assumed: HSTS, a redirect to https and secure cookies
are on unless switched off (README, "Deploying").
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _postgresql_options(options: dict[str, str]) -> dict[str, str]:
    """Connection options; JIT compilation off unless ``DATABASE_JIT=1``.

    The service runs short indexed queries, which JIT compilation only slows down: PostgreSQL
    compiled a search over a large timeline for about 0.7 s per request (its cost estimate,
    not its run time, passes ``jit_above_cost``).
    """
    if not envbool("DATABASE_JIT", False) and "jit=" not in options.get("options", ""):
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
    return options


def database_from_url(url: str) -> dict:
    """Translate ``postgres://user:pass@host:port/name`` or ``sqlite:///path`` into DATABASES."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):
            path = path[1:]
        else:
            path = path.lstrip("/") or ":memory:"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # A transaction takes the write lock when it begins, so a change is stamped
            # while its writer holds the lock; timeline/sync.py relies on that. Readers
            # wait up to "timeout" seconds for a writer instead of failing at once.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": envint("SQLITE_TIMEOUT", 20)},
            # A file rather than memory, so that a worker process started by a test sees the test data.
            "TEST": {"NAME": None if path == ":memory:" else str(Path(path).with_name("test_" + Path(path).name))},
        }
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": _postgresql_options(dict(parse_qsl(parts.query))),
            "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgres or sqlite)")


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string, or set DJANGO_DEBUG=1 for local use."
        )

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")
# Absolute base for links written into feeds and briefs, e.g. https://timelines.example.org
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Mail (review before publishing: reviewers and authors are told). The console backend prints
# messages to the log; set EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend and
# EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS to send them.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "timeline@localhost")
# Reverse proxies in front of the service that append the address they saw to X-Forwarded-For.
# 0: the client is REMOTE_ADDR and the header is ignored (any client can write it). Used by the
# API and render throttles and the admin login lockout through timeline.throttles.client_address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "timeline",
]

MIDDLEWARE = [
    # First: every later log line, including Django's own request log, carries the request id.
    "config.observability.RequestIdMiddleware",
    # Before the host check and the https redirect, so load balancers and container
    # health checks can ask over plain http under any Host name.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before everything that only matters to views and pages (sessions, CSRF, auth, messages,
    # CSP): a feed poll or an anonymous API event read naming the ETag its address last answered
    # with is answered 304 from one cache read (timeline/revalidation.py).
    "timeline.revalidation.RevalidationMiddleware",
    # Outside every middleware that reads or writes the body; compresses feeds and JSON only.
    "config.http.FeedAndJsonGZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused login of a locked-out client into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# An optional read replica (config/db_router.py): plain reads of the API, feeds and pages go
# to it, writes, the admin and the sync requests to the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL) | {"TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("config.health.HealthCheckMiddleware") + 1, "config.db_router.ReplicaReadsMiddleware"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, without a new client object per operation (config/cache.py).
            "BACKEND": "config.cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "timeline"),
            "TIMEOUT": envint("CACHE_TIMEOUT", 60 * 60 * 24),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "timeline",
            "TIMEOUT": envint("CACHE_TIMEOUT", 60 * 60 * 24),
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 50_000)},
        }
    }

AUTHENTICATION_BACKENDS = [
    # First: a locked-out username and address is refused before any password is checked.
    # It needs the request, so authenticate() must be given one (the admin login form does).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Admin login lockout (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# client address lock that pair for LOGIN_LOCKOUT_MINUTES; other users and addresses are unaffected.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "timeline.throttles.client_address"
AXES_LOCKOUT_CALLABLE = "timeline.lockout.login_lockout_response"
# A successful login forgets earlier failures, so occasional typos never add up to a lockout.
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Hashed, pre-compressed static files (whitenoise) need `collectstatic` first; without them
# (local runs and the test suite) whitenoise finds files in the apps as they are requested.
HASHED_STATIC_FILES = envbool("DJANGO_HASHED_STATIC", not DEBUG)
WHITENOISE_USE_FINDERS = not HASHED_STATIC_FILES
WHITENOISE_AUTOREFRESH = not HASHED_STATIC_FILES
# Files written by the service (finished PDF briefs). Local files by default; any Django
# storage class instead, e.g. storages.backends.s3.S3Storage with the `s3` extra.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if HASHED_STATIC_FILES
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Read by django-storages' S3 backend only; its keys come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY in the environment, which boto3 reads itself.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME") or None
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
AWS_LOCATION = os.environ.get("AWS_LOCATION", "")

# Requests larger than this are refused before they are parsed (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# Links to other sites carry no address of this one (pages of private timelines included).
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): everything from this site, no inline code. Swagger UI and
# ReDoc get the few additions they need on their own views (timeline/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The browsable API's "Filters" and "Extra Actions" buttons carry style="float: right;
        # margin-right: 10px" (rest_framework/base.html); this hash allows that one attribute value only.
        "style-src-attr": ["'unsafe-hashes'", "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='"],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Behind a proxy that ends TLS and sets X-Forwarded-Proto, requests are known to be https
# (links, redirects, secure cookies). Only behind such a proxy: a client could send the header itself.
if envbool("DJANGO_TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = envbool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list binds the whole domain for months: the domain's
        # owner decides, so its absence is a choice rather than a deployment mistake.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
# One line per record with time, level, logger and request id (config/observability.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"()": "config.observability.TextFormatter"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Error reporting, with the optional `sentry` extra installed.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: install the `sentry` extra "
            "(pip install -e '.[sentry]')."
        ) from None
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        # Event titles and quotes may be sensitive; user names and addresses are left out.
        send_default_pii=False,
    )

# The task queue: jobs are rows in the database, so `manage.py db_worker` processes can run
# on any machine that reaches it, and nothing but the database is needed (bin/worker).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # default: briefs; feeds: calendar blocks rendered ahead (timeline.feed_blocks).
        "QUEUES": ["default", "feeds"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous write is then answered 401 with "WWW-Authenticate: Token".
        "timeline.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        # First, so that a read-only token's write gets its own message, whatever the user may do.
        "timeline.authentication.ReadOnlyTokenPermission",
        # DRF's DjangoModelPermissionsOrAnonReadOnly, without building the queryset for a read.
        "timeline.authentication.ModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "timeline.renderers.BrowsableAPIRenderer",
    ],
    # DRF's anon/user throttles, keyed by timeline.throttles.client_address.
    "DEFAULT_THROTTLE_CLASSES": [
        "timeline.throttles.AnonThrottle",
        "timeline.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "1000/hour"),
        "user": os.environ.get("API_THROTTLE_USER", "10000/hour"),
        # Renders only: a 304 or a body served from the cache is not counted.
        "brief_render": os.environ.get("BRIEF_THROTTLE_ANON", "30/hour"),
        "brief_render_user": os.environ.get("BRIEF_THROTTLE_USER", "300/hour"),
        "feed_render": os.environ.get("FEED_THROTTLE", "300/hour"),
    },
    # The same rule as TRUSTED_PROXY_COUNT, for any DRF code that asks for the client address itself.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Event timeline API",
    "DESCRIPTION": "Timelines of dated, sourced events with honest (EDTF) dates.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc are served from this installation, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Calendar feeds: how often subscribers are told to refresh (hours) and how long descriptions may be.
TIMELINE_FEED_REFRESH_HOURS = envint("TIMELINE_FEED_REFRESH_HOURS", 12)
TIMELINE_FEED_DESCRIPTION_MAX = envint("TIMELINE_FEED_DESCRIPTION_MAX", 4000)
# Calendar feeds holding more events are refused (413, with advice to narrow them): a feed is
# rendered and cached whole (10,000 events: 11 MB, 60 MB peak while rendering).
TIMELINE_FEED_MAX_EVENTS = envint("TIMELINE_FEED_MAX_EVENTS", 10000)
# Search ordered by relevance ranks at most this many matches, the latest by date (ranking reads
# every match it orders; date order reaches them all).
TIMELINE_SEARCH_RANK_LIMIT = envint("TIMELINE_SEARCH_RANK_LIMIT", 1000)
# API writes sent with an Idempotency-Key header: how long their first answer is replayed (hours).
TIMELINE_IDEMPOTENCY_TTL_HOURS = envint("TIMELINE_IDEMPOTENCY_TTL_HOURS", 24)
# Embeds (/timelines/<slug>/embed/ of public and unlisted timelines): the CSP frame-ancestors
# sources allowed to frame them, comma-separated ("*" any site; e.g. "https://news.example.org").
# Every other page refuses framing (frame-ancestors 'none' and X-Frame-Options: DENY).
TIMELINE_EMBED_FRAME_ANCESTORS = envlist("TIMELINE_EMBED_FRAME_ANCESTORS", "*")
# PDF briefs: the web endpoint refuses larger briefs; `manage.py brief` has no limit.
TIMELINE_BRIEF_MAX_EVENTS = envint("TIMELINE_BRIEF_MAX_EVENTS", 1000)
# Health: a job waiting longer than this (seconds) means no worker is taking jobs.
TIMELINE_QUEUE_STALE_SECONDS = envint("TIMELINE_QUEUE_STALE_SECONDS", 300)
# Caching proxies and CDNs may serve public feeds and anonymous pages this long (seconds)
# before they revalidate; private and token feeds are never stored by them.
TIMELINE_PUBLIC_MAX_AGE = envint("TIMELINE_PUBLIC_MAX_AGE", 300)
# Feed polls naming the ETag a feed address answered within this many seconds get a 304 from
# the cache alone, without asking the database.
TIMELINE_FEED_VALIDATORS_SECONDS = envint("TIMELINE_FEED_VALIDATORS_SECONDS", 10)
# Mirrors: how far the sync horizon (`as_of` of /api/v1/events/deleted/) stays behind the oldest
# open transaction, covering clock differences between application servers (seconds).
TIMELINE_SYNC_MARGIN_SECONDS = envint("TIMELINE_SYNC_MARGIN_SECONDS", 1)

# Webhooks (timeline/webhooks.py, README "Webhooks"): attempts per delivery, the first wait after
# a failure (doubled after each further one, up to the cap) and the time a receiver has to answer.
TIMELINE_WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 10)
TIMELINE_WEBHOOK_BACKOFF_SECONDS = envint("WEBHOOK_BACKOFF_SECONDS", 30)
TIMELINE_WEBHOOK_BACKOFF_MAX_SECONDS = envint("WEBHOOK_BACKOFF_MAX_SECONDS", 6 * 60 * 60)
TIMELINE_WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 10)
# Hooks to loopback addresses (plain http allowed there): local development and tests only.
# Private, link-local and reserved addresses are always refused.
TIMELINE_WEBHOOK_ALLOW_LOOPBACK = envbool("WEBHOOK_ALLOW_LOOPBACK", DEBUG)

# "Archive now" on sources (timeline/archiving.py, README "Archiving sources"): off unless
# ARCHIVE_ENABLED is set. The default backend is the Wayback Machine's Save Page Now API; its
# keys (optional, higher limits) are an archive.org account's S3-like keys.
TIMELINE_ARCHIVE_ENABLED = envbool("ARCHIVE_ENABLED", False)
TIMELINE_ARCHIVE_BACKEND = os.environ.get("ARCHIVE_BACKEND") or "timeline.archiving.SavePageNowBackend"
TIMELINE_ARCHIVE_OPTIONS = {
    "base_url": os.environ.get("SPN_BASE_URL", "https://web.archive.org").rstrip("/"),
    "access_key": os.environ.get("SPN_ACCESS_KEY", ""),
    "secret_key": os.environ.get("SPN_SECRET_KEY", ""),
    # How long a capture may take before the job gives up (seconds).
    "timeout": envint("SPN_TIMEOUT_SECONDS", 120),
}
