"""Settings shared by every environment; everything that varies comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TRAFFPUNKT_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Serves Swagger UI from our own static files (the docs page then meets the CSP).
    "ninja",
    # Failed logins counted per user name and client address (workspace and admin logins).
    "axes",
    # Optional two-factor login for organisers: TOTP apps and single-use backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "events",
    "registrations",
    "notifications",
    "workspace",
    "reports",
    "feedback",
    "coaching",
]

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.language.ApiLanguageMiddleware",
    "config.api_errors.method_not_allowed_as_json",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, so its lockout page replaces whatever the login view answered.
    "axes.middleware.AxesMiddleware",
]

# Pages load only their own scripts, styles and images: an injected <script> or inline
# handler does not run, and no other site may frame a page. (The API docs relax styles for
# Swagger UI in config/api.py.)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def database_from_env() -> dict:
    default_sqlite = f"sqlite:///{VAR_DIR / 'traffpunkt.sqlite3'}"
    config = dj_database_url.parse(os.environ.get("DATABASE_URL", default_sqlite))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite has no row locks: IMMEDIATE transactions take the write lock at BEGIN,
        # so the capacity check and the insert of a sign-up can never interleave.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by the web server's processes, so rate limits hold without a server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: a locked-out user name and address pair is refused before any password check.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# The organiser workspace's own login (Django admin keeps its login page).
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:overview"
LOGOUT_REDIRECT_URL = "workspace:login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Anything larger is refused with 413 before it is parsed. Every body the API's document allows
# (each field within its maxLength, even with every character \u-escaped: a 20,000-character
# description of emoji is 240,000 bytes of JSON) is smaller; tests/config/test_api_document.py
# checks that.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024

# EMAIL_HOST/EMAIL_PORT switch mail to an SMTP server; without them each message is a file
# in var/mail/ (one .log file per connection), so nothing is lost and nothing is needed.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "") == "1",
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Träffpunkt <traffpunkt@example.org>")

# "20/m" per client address and per e-mail address; "off" disables the limit.
SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "20/m")
RATELIMIT_USE_CACHE = "default"
# Only set behind a proxy you trust to overwrite the header; otherwise the peer address counts.
CLIENT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
# The sign-up limit and the login lockouts read the client address by one rule.
RATELIMIT_IP_META_KEY = "accounts.client_ip.client_ip"

# Guessing passwords or codes: LOGIN_FAILURE_LIMIT failures (wrong passwords and wrong
# two-factor codes alike) lock that user name from that client address for
# LOGIN_LOCKOUT_MINUTES, counted from the last failure; a full login clears the count. Pairs,
# so nobody can lock an organiser out from elsewhere just by typing their user name.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# Failures only: a log of every login would be one more store of addresses to look after.
AXES_DISABLE_ACCESS_LOG = True
# Masked in the stored request data of a failure (passwords always are).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp_token"]
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

# Two-factor login: "1" makes organisers turn it on before they can use the workspace or admin.
REQUIRE_ORGANISER_2FA = os.environ.get("REQUIRE_ORGANISER_2FA", "") == "1"
OTP_TOTP_ISSUER = "Träffpunkt"
# The admin lists two-factor devices without their secret keys and backup codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Fail fast when Redis is down or hung, so a web request never waits long on the broker.
# The read timeout stays above the 1 s a worker blocks on BRPOP waiting for work.
#
# No ack emulation: a worker keeps the messages it has taken in its own memory instead of in a
# Redis hash. With the hash, a Celery 5.7.0 worker that loses Redis while it holds a message
# dies (its consumer closes the connection twice, and kombu's restore_unacked then finds the
# connection gone: "AttributeError: 'NoneType' object has no attribute 'hostname'"); without
# it, the failed restore is only logged and the worker reconnects. A message lost with a
# worker costs nothing here: every task is a wake-up or a periodic pass over the outbox rows.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    # One more try to connect, at once: kombu would otherwise pause before it.
    "max_retries": 1,
    "interval_start": 0,
    "ack_emulation": False,
}
# The filesystem transport ignores the host; naming one keeps kombu from warning on each publish.
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
if not REDIS_URL:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that commits a sign-up must not hang on a dead broker: a publish is tried once,
# and the outbox sweep sends the message within a minute instead.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
# Mail goes to the default queue, so a plain `celery -A config worker` sends it. A deployment
# that wants workers of its own for mail names a queue in CELERY_MAIL_QUEUE and starts them
# with `--queues <that queue>` (and other workers with `--queues celery`).
CELERY_MAIL_QUEUE = os.environ.get("CELERY_MAIL_QUEUE", "")
_MAIL_TASKS = ("notifications.tasks.deliver_pending", "notifications.tasks.sweep_outbox")
CELERY_TASK_ROUTES = {task: {"queue": CELERY_MAIL_QUEUE} for task in _MAIL_TASKS} if CELERY_MAIL_QUEUE else {}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker sending mail waits about as long as it computes (on the SMTP server's replies and
# on the database's commits), so two processes a core keep the cores busy.
CELERY_WORKER_CONCURRENCY = int(os.environ.get("CELERY_WORKER_CONCURRENCY") or 2 * (os.cpu_count() or 1))
# Beat runs in UTC; reminders are instants, so daylight saving cannot move them.
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE = {
    "schedule-reminders": {"task": "notifications.tasks.schedule_reminders", "schedule": 60.0},
    "sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "schedule-feedback-surveys": {"task": "feedback.tasks.schedule_feedback_surveys", "schedule": 60.0},
    # Hourly is plenty for a limit counted in days; the task is idempotent.
    "personal-data-retention": {"task": "registrations.tasks.personal_data_retention", "schedule": 3600.0},
}

# Personal data of a meeting is anonymised this many days after it ended (the privacy notice
# says so); report totals are kept.
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "365"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
