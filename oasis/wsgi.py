"""WSGI entry point for gunicorn: `gunicorn oasis.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oasis.settings")
application = get_wsgi_application()
