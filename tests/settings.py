"""The production settings, served over plain HTTP with a throwaway key: what the test suite runs.

pytest-django imports settings before any conftest.py runs, so these defaults cannot live there.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-key-" + "x" * 50)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from simulator.settings import *  # noqa: E402, F403
from simulator.settings import STORAGES

# Hashed static names need a collectstatic run first; tests serve straight from static/.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Serve static files straight from the finders, as in development: there is no collected STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The real hasher is slow on purpose; tests create users by the dozen.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# An in-memory SQLite database locks whole tables between connections; the concurrency tests need
# the real thing (a file in WAL mode), one per test process so parallel runs never share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile
    from pathlib import Path

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"iam-sandbox-tests-{os.getpid()}.sqlite3")
    }
