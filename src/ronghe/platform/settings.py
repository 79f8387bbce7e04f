"""Django settings for the ronghe platform, driven by environment variables.

SQLite in the data folder is the embedded default (``ronghe demo``); ``DATABASE_URL`` selects PostgreSQL for
production (``ronghe serve``) and CI. Nothing here reaches the internet.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from platformdirs import user_data_dir

BASE_DIR = Path(__file__).resolve().parent
if os.environ.get("PYTEST_VERSION") and not os.environ.get("RONGHE_DATA_DIR"):
    # A test run never touches the user's data folder (pytest ≥ 8.2 sets PYTEST_VERSION).
    os.environ["RONGHE_DATA_DIR"] = tempfile.mkdtemp(prefix="ronghe-test-")
DATA_DIR = Path(os.environ.get("RONGHE_DATA_DIR") or user_data_dir("ronghe"))


def ensure_secret_key(path: Path) -> str:
    """The key kept in ``path``, created atomically the first time.

    Several processes may start at once (the demo's web server and its worker, or parallel test runs): each
    writes its candidate to a private temporary file and links it into place; ``os.link`` fails if another
    process won, and then everyone reads the winner's complete file, so nobody signs with a different key.
    """
    try:
        if key := path.read_text().strip():
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, candidate = tempfile.mkstemp(prefix=".secret_key-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(candidate, path)
    finally:
        os.unlink(candidate)
    return path.read_text().strip()


def _secret_key() -> str:
    """Env first; else a key generated once and kept in the data folder (never a constant in the code)."""
    return os.environ.get("RONGHE_SECRET_KEY") or ensure_secret_key(DATA_DIR / "secret_key")


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("RONGHE_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("RONGHE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("RONGHE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "ronghe.platform.core",
    "ronghe.platform.accounts",
    "ronghe.platform.catalog",
    "ronghe.platform.demand",
    "ronghe.platform.providers",
    "ronghe.platform.matching",
    "ronghe.platform.deals",
    "ronghe.platform.inbox",
    "ronghe.platform.demodata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ronghe.platform.core.requestid.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ronghe.platform.core.middleware.JSONGuardMiddleware",
    "ronghe.platform.core.middleware.ThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ronghe.platform.urls"
WSGI_APPLICATION = "ronghe.platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ronghe.platform.core.context_processors.memberships",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'platform.sqlite3'}",
        conn_max_age=int(os.environ.get("RONGHE_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default must hold the demo's web threads and its worker writing at once: WAL lets readers
    # run beside the writer, the busy timeout makes a writer wait instead of failing, and IMMEDIATE takes the
    # write lock when a transaction begins, so a read-then-write transaction never meets "database is locked"
    # half-way (SQLite cannot wait for a lock it would have to upgrade to).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "default" is shared by every web process and worker, so the login, token and registration throttles hold
# across processes: a table in the platform's own database (`ronghe demo`, `ronghe serve` and the test database
# create it with `createcachetable`); RONGHE_CACHE_BACKEND/RONGHE_CACHE_LOCATION swap in e.g. Redis. "local" is
# per process, for the coarse per-request anon/user limits, so reading a page never becomes a database write.
CACHES = {
    "default": {
        "BACKEND": os.environ.get("RONGHE_CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": os.environ.get("RONGHE_CACHE_LOCATION", "ronghe_cache"),
    },
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ronghe-local"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("RONGHE_STATIC_ROOT") or DATA_DIR / "static")
if os.environ.get("PYTEST_VERSION"):  # whitenoise expects the folder; tests serve from the finders
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("RONGHE_MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "media/"
# Confidential attachments live outside MEDIA_ROOT and are served only by permission-checked views.
RONGHE_PRIVATE_ROOT = Path(os.environ.get("RONGHE_PRIVATE_ROOT") or DATA_DIR / "private")

# Uploads: attachments are validated by ronghe.platform.core.documents (size, type) before they are stored.
RONGHE_MAX_UPLOAD_BYTES = int(os.environ.get("RONGHE_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = RONGHE_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ronghe.platform.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "ronghe.platform.core.throttles.AnonRateThrottle",
        "ronghe.platform.core.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("RONGHE_THROTTLE_ANON", "600/min"),
        "user": os.environ.get("RONGHE_THROTTLE_USER", "3000/min"),
        # per client address, for the views in RONGHE_THROTTLED_VIEWS (ronghe.platform.core.middleware)
        "login": os.environ.get("RONGHE_THROTTLE_LOGIN", "20/min"),
        "register": os.environ.get("RONGHE_THROTTLE_REGISTER", "10/hour"),
    },
    # The client address is REMOTE_ADDR, which waitress rewrites only for RONGHE_TRUSTED_PROXY: a client's own
    # X-Forwarded-For never picks its throttle bucket.
    "NUM_PROXIES": 0,
    # Bodies are refused before parsing goes deep (size, nesting depth, lone surrogates): a 400, never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "ronghe.platform.core.parsers.GuardedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# POSTs to these views (URL names) count against a throttle scope above; over the rate they answer 429.
RONGHE_THROTTLED_VIEWS = {
    "login": "login",
    "api-token": "login",
    "accounts:register": "register",
    "organization-list": "register",
}
# JSON request bodies (API and any other view): the largest accepted size and the deepest nesting.
RONGHE_MAX_JSON_BYTES = int(os.environ.get("RONGHE_MAX_JSON_BYTES", str(1024 * 1024)))
RONGHE_MAX_JSON_DEPTH = int(os.environ.get("RONGHE_MAX_JSON_DEPTH", "32"))
SPECTACULAR_SETTINGS = {
    "TITLE": "ronghe platform API",
    "DESCRIPTION": "Organizations, the standardized service catalog, demand lists, demands and providers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ProvinceEnum": "ronghe.platform.accounts.reference.PROVINCE_CHOICES"},
}

# Notifications by e-mail (opt-in per user, ronghe.platform.inbox): the console by default (the demo prints
# them); production sets an SMTP backend and its EMAIL_HOST etc. through the environment.
EMAIL_BACKEND = os.environ.get("RONGHE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("RONGHE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RONGHE_EMAIL_PORT", "25"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("RONGHE_FROM_EMAIL", "ronghe <noreply@localhost>")
RONGHE_SITE_URL = os.environ.get("RONGHE_SITE_URL", "")  # absolute links in e-mails, e.g. https://ronghe.example.cn

TASKS = {"default": {"BACKEND": os.environ.get("RONGHE_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Secure headers by default; HTTPS-only cookies when served behind TLS (RONGHE_HTTPS=1).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
_https = os.environ.get("RONGHE_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = 31536000 if _https else 0
# HSTS for subdomains and the preload directive too, as `check --deploy` expects; set RONGHE_HSTS_SUBDOMAINS=0 /
# RONGHE_HSTS_PRELOAD=0 and name security.W005 / W021 in RONGHE_SILENCED_CHECKS if the domain cannot commit.
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https and os.environ.get("RONGHE_HSTS_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = _https and os.environ.get("RONGHE_HSTS_PRELOAD", "1") == "1"
# The TLS-terminating proxy in front (one address, or * for any): only its X-Forwarded-* headers are believed,
# by waitress (`ronghe serve`) and here, so behind it an https request is seen as https and never redirected
# again. Without it nobody's X-Forwarded-Proto counts (waitress also drops the header).
RONGHE_TRUSTED_PROXY = os.environ.get("RONGHE_TRUSTED_PROXY", "").strip()
RONGHE_TRUSTED_PROXY_HEADERS = os.environ.get(
    "RONGHE_TRUSTED_PROXY_HEADERS", "x-forwarded-for x-forwarded-host x-forwarded-proto x-forwarded-port")
if RONGHE_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `ronghe serve` fails on every deploy-check warning; a deliberate exception is named here (comma-separated ids).
SILENCED_SYSTEM_CHECKS = [c.strip() for c in os.environ.get("RONGHE_SILENCED_CHECKS", "").split(",") if c.strip()]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RONGHE_LOG_LEVEL", "WARNING")},
    # the platform's own loggers (one line per service write, refusals, throttling) at INFO
    "loggers": {"ronghe": {"level": os.environ.get("RONGHE_LOG_LEVEL", "INFO")}},
}
