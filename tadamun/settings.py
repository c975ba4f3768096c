"""Tadamun settings: one module, driven by environment variables, with embedded defaults.

Every variable is documented in the README ("Configuration"). With nothing set, the site runs
in development mode on a SQLite file under var/, with generated secrets kept under var/.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str, *, dev_file: str, length: int = 50) -> str:
    """A secret from NAME, from the file named by NAME_FILE, or (development only) generated
    once and kept under var/ so that sessions survive a restart."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when DEBUG=0")
    keep = VAR_DIR / dev_file
    if not keep.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        keep.write_text(secrets.token_urlsafe(length))
        keep.chmod(0o600)
    return keep.read_text().strip()


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = envsecret("SECRET_KEY", dev_file="secret_key")
# Fernet key (or any passphrase) that encrypts MFA secrets and recovery-code seeds at rest.
MFA_ENCRYPTION_KEY = envsecret("MFA_ENCRYPTION_KEY", dev_file="mfa_key")
# Earlier keys, comma-separated: still decrypt, never encrypt (`manage.py rotate_mfa_keys`).
MFA_ENCRYPTION_KEYS_OLD = envlist("MFA_ENCRYPTION_KEYS_OLD", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where the "quick exit" control on every page leads: a neutral site that is unremarkable in a
# browser's history (README, Privacy and security).
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.bbc.com/weather")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

# The network this Tadamun serves; another coalition sets its own.
NETWORK_NAME = {
    "en": os.environ.get("NETWORK_NAME_EN", "Iraqi Civil Society Solidarity Initiative"),
    "ar": os.environ.get("NETWORK_NAME_AR", "مبادرة التضامن مع المجتمع المدني العراقي"),
}
NETWORK_DESCRIPTION = {
    "en": os.environ.get(
        "NETWORK_DESCRIPTION_EN",
        "A coalition of Iraqi and international civil-society organisations — trade unions, "
        "women's-rights, youth, human-rights and peace-building groups — acting together.",
    ),
    "ar": os.environ.get(
        "NETWORK_DESCRIPTION_AR",
        "تحالف من منظمات المجتمع المدني العراقية والدولية — نقابات عمالية ومنظمات حقوق المرأة "
        "والشباب وحقوق الإنسان وبناء السلام — تعمل معاً.",
    ),
}

INSTALLED_APPS = [
    "tadamun.core",
    "tadamun.accounts",
    "tadamun.organisations",
    "tadamun.workgroups",
    "tadamun.lists",
    "tadamun.translations",
    "tadamun.social",
    "tadamun.notifications",
    "tadamun.documents",
    "tadamun.messaging",
    "tadamun.moderation",
    "tadamun.search",
    "tadamun.campaigns",
    "tadamun.petitions",
    "tadamun.lockdown",
    "tadamun.backups",
    "tadamun.privacy",
    "tadamun.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tadamun.accounts.middleware.SessionTrackingMiddleware",
    "tadamun.core.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tadamun.accounts.middleware.SecondFactorRequiredMiddleware",
    "tadamun.lockdown.middleware.SiteLockdownMiddleware",
]

ROOT_URLCONF = "tadamun.urls"
WSGI_APPLICATION = "tadamun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tadamun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tadamun.core.context_processors.network",
                "tadamun.notifications.context_processors.unread",
            ],
            "builtins": ["tadamun.core.templatetags.bidi"],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise (postgres://…).
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tadamun.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process, the task worker and the LMTP server share one file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared between processes. Redis when REDIS_URL is set (production), else the database
# cache (embedded) — never a per-process cache, since TOTP replay protection and rate limits
# must hold across all web workers.
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "tadamun.core.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "tadamun",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tadamun_cache",
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: e-mail login, mandatory verification, MFA, rate limits.
ACCOUNT_ADAPTER = "tadamun.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/10m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup": "10/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_ADAPTER = "tadamun.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = NETWORK_NAME["en"]

# Internationalisation: Arabic first.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Baghdad")
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "tadamun" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
LOGO_MAX_BYTES = envint("LOGO_MAX_BYTES", "2097152")
# Uploads on the social site (posts, comments, messages, documents). Images are re-encoded and
# resized whatever their size; the limit is on what is accepted for decoding.
IMAGE_MAX_BYTES = envint("IMAGE_MAX_BYTES", "10485760")
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", "20971520")
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_BYTES", "52428800")

# Mail. Outbound: EMAIL_HOST (SMTP). Unset in development, mail is caught in the database and
# readable at /dev/mail/.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tadamun@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if email_host := os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": envint("EMAIL_PORT", "587"),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "1"),
                "use_ssl": envbool("EMAIL_USE_SSL", "0"),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "tadamun.core.mail.CatchingEmailBackend"}}
MAIL_CATCHER_ENABLED = MAILERS["default"]["BACKEND"] == "tadamun.core.mail.CatchingEmailBackend"

# Sessions live in the database so that "sign out everywhere" can end them all.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Security. The production profile (DEBUG=0) passes `manage.py check --deploy` with no warning.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logging: never a raw IP address. Django's request logger includes no client address; the
# dev server's access log does, so it is silenced outside DEBUG.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "INFO" if DEBUG else "WARNING"}},
}

# E-mail lists. Inbound mail reaches `manage.py lmtp` (aiosmtpd) from the MTA; outbound list
# mail goes to LISTS_SMTP_HOST (unset in development: caught like the site's own mail).
LISTS_DOMAIN = os.environ.get("LISTS_DOMAIN", "lists.tadamun.localhost")
LMTP_HOST = os.environ.get("LMTP_HOST", "127.0.0.1")
LMTP_PORT = envint("LMTP_PORT", "8024")
# The LMTP server's absolute cap on a message, whatever a list allows (each list has its own).
LMTP_MAX_BYTES = envint("LMTP_MAX_BYTES", "41943040")
LISTS_SMTP_HOST = os.environ.get("LISTS_SMTP_HOST", "")
LISTS_SMTP_PORT = envint("LISTS_SMTP_PORT", "25")
DKIM_DOMAIN = os.environ.get("DKIM_DOMAIN", "")
DKIM_SELECTOR = os.environ.get("DKIM_SELECTOR", "tadamun")
DKIM_PRIVATE_KEY_FILE = os.environ.get("DKIM_PRIVATE_KEY_FILE", "")

# Invitations expire after this many days.
INVITATION_MAX_AGE_DAYS = envint("INVITATION_MAX_AGE_DAYS", "14")

# Petition signing rate limits, JSON: {"address": [count, seconds], "network": […],
# "domain": […]}; a kind left out keeps tadamun.petitions.protection's default (10, 40 and 60
# per 10 minutes). A load test from one address (bench/petitions.py) raises them.
if petition_rate_limits := os.environ.get("PETITION_RATE_LIMITS"):
    try:
        PETITION_RATE_LIMITS = {
            kind: (int(count), int(seconds))
            for kind, (count, seconds) in json.loads(petition_rate_limits).items()
        }
    except (ValueError, TypeError, AttributeError) as exc:
        raise ImproperlyConfigured(
            'PETITION_RATE_LIMITS must be JSON like {"address": [10, 600]}'
        ) from exc

# Updates to a petition's signers: at most this many a week. Signers' personal data is
# anonymised this many days after a petition closes (a petition may set its own).
PETITION_UPDATES_PER_WEEK = envint("PETITION_UPDATES_PER_WEEK", "1")
PETITION_ANONYMISE_AFTER_DAYS = envint("PETITION_ANONYMISE_AFTER_DAYS", "183")

# Keep as little as possible (tadamun.privacy.retention, run by `manage.py periodic`): finished
# background-task results, the raw bytes of handled inbound list mail, mail caught in development.
TASK_RESULT_RETENTION_DAYS = envint("TASK_RESULT_RETENTION_DAYS", "7")
INBOUND_RAW_RETENTION_DAYS = envint("INBOUND_RAW_RETENTION_DAYS", "30")
CAUGHT_MAIL_RETENTION_DAYS = envint("CAUGHT_MAIL_RETENTION_DAYS", "30")
