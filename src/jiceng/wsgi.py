"""WSGI entry point: `gunicorn jiceng.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")

application = get_wsgi_application()

# Each worker reads the dispatch model (and jieba's dictionary) before its first request, so
# the first residents of the day do not wait a few seconds for it.
from jiceng.dispatch.services import warm_up  # noqa: E402

warm_up()
