import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiceng.settings import database_from_url

ROOT = Path(__file__).resolve().parent.parent


def test_a_postgres_url_becomes_a_postgresql_database():
    config = database_from_url("postgres://jc:p%40ss@db.local:5433/jiceng?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("jiceng", "jc", "p@ss")
    assert (config["HOST"], config["PORT"]) == ("db.local", "5433")
    assert config["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}


def test_postgres_jit_is_off_unless_the_url_says_otherwise():
    url = "postgres://jc@db.local/jiceng?options=-c%20jit%3Don"
    assert database_from_url(url)["OPTIONS"] == {"options": "-c jit=on"}


def test_a_sqlite_url_names_a_file():
    assert database_from_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
    assert database_from_url("sqlite:///var/x.db")["NAME"] == "var/x.db"


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://root@localhost/jiceng")


def test_the_secret_key_is_generated_once_into_the_var_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env["JICENG_VAR_DIR"] = str(tmp_path / "var")
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    run = [
        sys.executable,
        "-c",
        f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jiceng.settings'; django.setup(); {code}",
    ]
    first = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    second = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    key_file = tmp_path / "var" / "secret_key"
    assert first == second and len(first.strip()) >= 50
    assert key_file.read_text() == first.strip()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert (tmp_path / "var").is_dir()


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def shipped_environment(tmp_path) -> dict:
    """deploy/jiceng.env.example as systemd reads it, with a real secret and a temporary var
    folder (the database is not needed by the checks)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    for line in (ROOT / "deploy" / "jiceng.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip().strip("'")
    env.pop("DATABASE_URL")
    env["JICENG_VAR_DIR"] = str(tmp_path / "var")
    env["SECRET_KEY"] = "x" * 30 + "-production-secret-key-" + "y" * 30
    return env


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_shipped_production_environment_passes_the_deploy_check(tmp_path):
    """deploy/jiceng.env.example: with it `jiceng check --deploy` has nothing to say."""
    run = check_deploy(shipped_environment(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


@pytest.mark.parametrize("site_url", [None, "http://127.0.0.1:8000", "http://localhost"])
def test_a_public_server_whose_links_point_at_itself_refuses_to_start(tmp_path, site_url):
    env = shipped_environment(tmp_path)
    if site_url is None:
        env.pop("SITE_URL")
    else:
        env["SITE_URL"] = site_url
    run = check_deploy(env)
    assert run.returncode != 0 and "SITE_URL" in run.stderr


def test_the_demo_on_loopback_starts_without_a_site_url(tmp_path):
    env = shipped_environment(tmp_path)
    env.pop("SITE_URL")
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    run = subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "check"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
