"""Django settings for the ronghe platform, driven by environment variables.

SQLite in the data folder is the embedded default (``ronghe demo``); ``DATABASE_URL`` selects PostgreSQL for
production (``ronghe serve``) and CI. Nothing here reaches the internet.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from platformdirs import user_data_dir

BASE_DIR = Path(__file__).resolve().parent
if os.environ.get("PYTEST_VERSION") and not os.environ.get("RONGHE_DATA_DIR"):
    # A test run never touches the user's data folder (pytest ≥ 8.2 sets PYTEST_VERSION).
    import tempfile

    os.environ["RONGHE_DATA_DIR"] = tempfile.mkdtemp(prefix="ronghe-test-")
DATA_DIR = Path(os.environ.get("RONGHE_DATA_DIR") or user_data_dir("ronghe"))


def _secret_key() -> str:
    """Env first; else a key generated once and kept in the data folder (never a constant in the code)."""
    if key := os.environ.get("RONGHE_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


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
    "ronghe.platform.demodata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ronghe.platform.core.requestid.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("RONGHE_THROTTLE_ANON", "600/min"),
        "user": os.environ.get("RONGHE_THROTTLE_USER", "3000/min"),
    },
}
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RONGHE_LOG_LEVEL", "WARNING")},
}
