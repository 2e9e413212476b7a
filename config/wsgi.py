"""WSGI entry point: production settings unless DJANGO_SETTINGS_MODULE names others.

`gunicorn config.wsgi` is how the site is served, so an unset settings module means the
production settings, which refuse to start without their secrets, rather than the local
ones (DEBUG on, a published secret key). `manage.py` defaults to the local settings, for a
developer's machine, and `manage.py runserver` imports this module with that choice made.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
