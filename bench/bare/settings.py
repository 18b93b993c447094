"""Settings of the bare endpoint: one app, no middleware but the common one, no templates."""

import os

SECRET_KEY = "bench-bare-endpoint-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["bench.bare"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "bench.bare.api"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _database(url: str) -> dict:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "",
        "PORT": parts.port or "",
        # the same persistent connections as jiceng's settings give gunicorn
        "CONN_MAX_AGE": 60,
    }


DATABASES = {
    "default": _database(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiceng_bench")
    )
}
