"""Settings come from the environment, so most cases load them afresh in a subprocess with a chosen one."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "p7#wq!zr4v9k$m2x8c^t5n&b1h6j3g0f-l=s+d_a(e)y*u%i@o",
    "DJANGO_ALLOWED_HOSTS": "iam-sandbox.example.com",
}


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run Python in the repository with simulator.settings and exactly `env` as the app's configuration."""
    inherited = {
        name: value for name, value in os.environ.items() if not name.startswith("DJANGO_") and name != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=REPO,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "simulator.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = run_python(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_reports_no_issues_in_production() -> None:
    result = run_python(["manage.py", "check", "--deploy"], PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = run_python(["-c", "from django.conf import settings; settings.SECRET_KEY"], {"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set DJANGO_SECRET_KEY" in result.stderr


def test_it_rejects_an_unreadable_boolean() -> None:
    result = run_python(["-c", "from django.conf import settings; settings.DEBUG"], {"DJANGO_DEBUG": "maybe"})
    assert "DJANGO_DEBUG must be" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_DEBUG": "1"}, {"DEBUG": True, "SECURE_SSL_REDIRECT": False, "SESSION_COOKIE_SECURE": False}),
        (PRODUCTION, {"DEBUG": False, "SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True}),
        (PRODUCTION | {"DJANGO_SECURE_SSL_REDIRECT": "0"}, {"SECURE_SSL_REDIRECT": False, "CSRF_COOKIE_SECURE": True}),
        (PRODUCTION, {"SECURE_HSTS_SECONDS": 31536000, "ALLOWED_HOSTS": ["iam-sandbox.example.com"]}),
        (PRODUCTION, {"TIME_ZONE": "UTC", "USE_TZ": True}),
    ],
)
def test_security_settings_follow_debug(env: dict[str, str], expected: dict) -> None:
    assert load_settings(env, *expected) == expected


def test_debug_has_a_development_key_and_production_uses_the_given_one() -> None:
    assert load_settings({"DJANGO_DEBUG": "1"}, "SECRET_KEY")["SECRET_KEY"].startswith("django-insecure-")
    assert load_settings(PRODUCTION, "SECRET_KEY")["SECRET_KEY"] == PRODUCTION["DJANGO_SECRET_KEY"]


def test_database_url_selects_postgresql() -> None:
    env = PRODUCTION | {"DATABASE_URL": "postgres://sandbox:secret@db.example.com:5433/iam"}
    database = load_settings(env, "DATABASES")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"], database["USER"]) == (
        "db.example.com",
        5433,
        "iam",
        "sandbox",
    )


def test_sqlite_is_the_default_and_lives_in_the_repository() -> None:
    database = load_settings(PRODUCTION, "DATABASES")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(REPO / "db.sqlite3")


def test_sqlite_connections_use_wal_immediate_transactions_and_wait_for_locks(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    """Concurrent writers queue on the busy timeout instead of failing with "database is locked"."""
    database = load_settings(PRODUCTION, "DATABASES")["DATABASES"]["default"]
    connections = ConnectionHandler({"default": database | {"NAME": str(tmp_path / "wal.sqlite3")}})
    connection = connections["default"]
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone() == ("wal",)
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone() == (20_000,)
            assert connection.transaction_mode == "IMMEDIATE"
        finally:
            connection.close()


def test_the_policy_simulator_command_is_installed() -> None:
    assert get_commands()["simulate_custom_policy"] == "simulator"
