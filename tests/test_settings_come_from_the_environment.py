import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiceng.settings import database_from_url


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


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path):
    """README, Production: with these variables `jiceng check --deploy` has nothing to say."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(
        {
            "JICENG_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "x" * 30 + "-production-secret-key-" + "y" * 30,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "jiceng.example.gov.cn",
            "SECURE_COOKIES": "true",
            "SSL_REDIRECT": "true",
            "HSTS_SECONDS": "31536000",
            "HSTS_INCLUDE_SUBDOMAINS": "true",
            "HSTS_PRELOAD": "true",
            "BEHIND_TLS_PROXY": "true",
        }
    )
    run = subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout
