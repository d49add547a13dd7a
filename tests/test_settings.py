"""The configuration refuses unsafe production settings and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "x9Q2mZ7vL1pR8sT4wY6bN0cF5hJ3dG" * 2,
    "ALLOWED_HOSTS": "helpdesk.example.org",
    "SITE_URL": "https://helpdesk.example.org",
    "HTTPS": "true",
    "BEHIND_PROXY": "true",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/helpdesk",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "EMAIL_HOST": "smtp.example.org",
}


def manage(*args, **env):
    # The test process's own switches (the browser tests' async flag) are not part of a deployment.
    clean = {
        key: value for key, value in os.environ.items() if key not in PRODUCTION and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_off_without_secret_key_is_a_clear_start_up_error():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_passes_with_the_documented_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_malformed_boolean_is_refused_with_its_name():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "TIME_ZONE"])
def test_every_variable_the_settings_read_is_in_the_readme(variable):
    assert f"`{variable}`" in (ROOT / "README.md").read_text()


def test_every_variable_in_settings_is_documented():
    import re

    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', (ROOT / "helpdesk/settings.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"Not in README.md's configuration table: {missing}"


def test_the_default_retry_schedule_outlives_a_mail_outage_of_a_few_hours():
    from helpdesk import settings as project_settings

    if "NOTIFICATION_RETRY_DELAYS" in os.environ or "CELERY_VISIBILITY_TIMEOUT" in os.environ:
        pytest.skip("the environment sets its own schedule")
    delays = project_settings.NOTIFICATION_RETRY_DELAYS
    assert sum(delays) > 3 * 60 * 60
    # Redis must not hand a task that is only waiting out its delay to a second worker.
    assert project_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > max(delays)


@pytest.mark.parametrize(
    "variables",
    [
        {"NOTIFICATION_RETRY_DELAYS": "10,7200"},
        {"CELERY_VISIBILITY_TIMEOUT": "1800"},
        {"EMAIL_DATA_TIMEOUT": "7200"},
    ],
)
def test_a_visibility_timeout_shorter_than_a_wait_is_a_clear_start_up_error(variables):
    result = manage("check", **variables)
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT must be longer" in result.stderr
