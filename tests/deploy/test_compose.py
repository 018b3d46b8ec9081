"""The compose file parses and wires postgres, redis, web (gunicorn), worker, beat and nginx."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_compose_file_declares_every_service_of_the_stack():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat", "nginx"}
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "noeviction" in " ".join(services["redis"]["command"])
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_dockerfile_keeps_platform_a_source_root():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "PYTHONPATH=/app/platform:/app" in dockerfile
    assert "config.settings.production" in dockerfile


def test_compose_config_validates_when_docker_compose_is_installed():
    docker = shutil.which("docker")
    if (
        docker is None
        or subprocess.run([docker, "compose", "version"], capture_output=True).returncode
    ):
        # Only the YAML checks above can run here (no compose plugin on this machine).
        return
    result = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"SECRET_KEY": "x", "POSTGRES_PASSWORD": "x"},
    )
    assert result.returncode == 0, result.stderr


def test_nginx_waits_longer_than_gunicorn_and_logs_are_json():
    import re

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    command = compose["services"]["web"]["command"]
    gunicorn = int(command[command.index("--timeout") + 1])
    nginx = int(re.search(r"proxy_read_timeout (\d+)s;", (DEPLOY / "nginx.conf").read_text())[1])
    assert 30 <= gunicorn < nginx
    env = compose["services"]["web"]["environment"]
    assert env["LOG_FORMAT"] == "json" and "SENTRY_DSN" in env
