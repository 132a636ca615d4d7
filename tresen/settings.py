"""Deployment settings, read from the environment.

Every value has a default that works offline on one machine: SQLite under `var/`, mail to
the console, background tasks in a SQLite queue. `docs/configuration.md` lists them all.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRESEN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or os.environ.get("TRESEN_TESTING") == "1"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The SECRET_KEY from the environment, else one generated once and kept under var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("TRESEN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "huey.contrib.djhuey",
    "tresen.core",
    "tresen.accounts",
    "tresen.tickets",
    "tresen.search",
    "tresen.mail",
    "tresen.notifications",
    "tresen.feedback",
    "tresen.knowledge",
    "tresen.desk",
    "tresen.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tresen.core.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tresen.core.middleware.UserLanguageActivationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tresen.core.middleware.DependencyDownMiddleware",
]

ROOT_URLCONF = "tresen.urls"
WSGI_APPLICATION = "tresen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tresen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise. Tests take
# TRESEN_TEST_DATABASE_URL, so the same suite runs on PostgreSQL.
_default_db_url = f"sqlite:///{VAR_DIR / 'tresen.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL", _default_db_url)
if TESTING:
    _db_url = os.environ.get("TRESEN_TEST_DATABASE_URL", f"sqlite:///{VAR_DIR / 'test.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=0 if TESTING else 60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so the web server and the worker queue behind
    # each other instead of failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # One file per test run, so that parallel runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tresen.accounts.backends.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "tresen" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("TRESEN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Background work: Huey. Redis when REDIS_URL is set, otherwise a SQLite queue under var/;
# in tests every task runs at once in the calling process.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY: dict[str, object] = {
    "name": "tresen",
    "immediate": TESTING or env_bool("TRESEN_TASKS_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": int(os.environ.get("TRESEN_WORKERS", "2")), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")})

# Mail. Outgoing goes to the console unless EMAIL_HOST is set.
_email_host = os.environ.get("EMAIL_HOST", "")
if _email_host:
    _mailer: dict[str, object] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
        },
    }
else:
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "helpdesk@tresen.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Product limits, overridable per deployment.
TRESEN_MAX_ATTACHMENT_BYTES = int(os.environ.get("TRESEN_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024))
TRESEN_MAX_ARTICLE_ATTACHMENT_BYTES = int(
    os.environ.get("TRESEN_MAX_ARTICLE_ATTACHMENT_BYTES", 50 * 1024 * 1024)
)

# Mail intake (docs/mail.md): limits with their outcome, reopen window, group for piped mail.
TRESEN_MAIL_MAX_BYTES = int(os.environ.get("TRESEN_MAIL_MAX_BYTES", 40 * 1024 * 1024))
TRESEN_MAIL_MAX_PARTS = int(os.environ.get("TRESEN_MAIL_MAX_PARTS", 500))
TRESEN_MAIL_MAX_DEPTH = int(os.environ.get("TRESEN_MAIL_MAX_DEPTH", 20))
TRESEN_MAIL_MAX_HEADER_CHARS = int(os.environ.get("TRESEN_MAIL_MAX_HEADER_CHARS", 16 * 1024))
TRESEN_MAIL_MAX_RECIPIENTS = int(os.environ.get("TRESEN_MAIL_MAX_RECIPIENTS", 200))
# Messages a fetch run stores per commit, acknowledges per IMAP command and processes per
# transaction.
TRESEN_MAIL_FETCH_BATCH = int(os.environ.get("TRESEN_MAIL_FETCH_BATCH", 20))
TRESEN_MAIL_REOPEN_DAYS = int(os.environ.get("TRESEN_MAIL_REOPEN_DAYS", 14))
TRESEN_MAIL_DEFAULT_GROUP = os.environ.get("TRESEN_MAIL_DEFAULT_GROUP", "")

# Outgoing mail (docs/mail-out.md): ticket tag in subjects, automatic answers per address and
# hour, and the retry schedule of the outbox (doubling from the base up to the cap).
TRESEN_MAIL_TAG_PREFIX = os.environ.get("TRESEN_MAIL_TAG_PREFIX", "")
TRESEN_AUTO_REPLY_LIMIT_PER_HOUR = int(os.environ.get("TRESEN_AUTO_REPLY_LIMIT_PER_HOUR", "5"))
TRESEN_MAIL_MAX_ATTEMPTS = int(os.environ.get("TRESEN_MAIL_MAX_ATTEMPTS", "10"))
TRESEN_MAIL_RETRY_BASE_SECONDS = int(os.environ.get("TRESEN_MAIL_RETRY_BASE_SECONDS", "60"))
TRESEN_MAIL_RETRY_MAX_SECONDS = int(os.environ.get("TRESEN_MAIL_RETRY_MAX_SECONDS", "3600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task at INFO would bury everything else (the worker runs one task per
        # timeline event); with a handler of its own here, the worker adds no second one.
        "huey": {
            "handlers": ["console"],
            "level": os.environ.get("LOG_LEVEL_TASKS", "WARNING"),
            "propagate": False,
        },
    },
}
