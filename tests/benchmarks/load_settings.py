"""The production settings as the console load benchmark serves them: plain HTTP on localhost, a throwaway
database and static root. Everything else (password hasher, middleware, SQLite's WAL options) is production's.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key-" + "x" * 50)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"

from simulator.settings import *  # noqa: E402, F403

DATABASES["default"]["NAME"] = os.environ["IAM_BENCH_DB"]  # noqa: F405
STATIC_ROOT = os.environ["IAM_BENCH_STATIC"]
# The benchmark's clients speak plain HTTP to 127.0.0.1; secure cookies would never be sent back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
