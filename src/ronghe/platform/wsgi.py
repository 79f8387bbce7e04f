"""WSGI entry point (waitress in `ronghe demo` / `ronghe serve`; any WSGI server in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ronghe.platform.settings")
application = get_wsgi_application()
