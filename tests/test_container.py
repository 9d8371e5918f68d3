"""The container files start the same scripts that CI's smoke test runs (Docker itself cannot run in CI)."""

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_compose_services_run_the_bin_scripts_ci_runs():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    smoke = (ROOT / ".ci" / "smoke").read_text()

    commands = {name: service.get("command") for name, service in compose["services"].items() if "build" in service}

    assert commands == {"release": ["bin/release"], "web": ["bin/serve"], "worker": ["bin/worker"]}
    assert sorted(set(re.findall(r"^(bin/\w+)", smoke, re.MULTILINE))) == ["bin/release", "bin/serve", "bin/worker"]
    assert [os.access(ROOT / script, os.X_OK) for script in ("bin/release", "bin/serve", "bin/worker")] == [True] * 3


def test_compose_runs_web_worker_postgresql_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())

    assert sorted(compose["services"]) == ["db", "redis", "release", "web", "worker"]
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")


def test_dockerfile_is_multi_stage_non_root_with_a_health_check():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]

    stages = [line.split()[-1] for line in lines if line.startswith("FROM ")]
    assert stages == ["build", "runtime"]
    assert [line for line in lines if line.startswith("USER ")] == ["USER timeline"]
    assert any("http://127.0.0.1:8000/health/" in line for line in lines)
    assert lines[-1] == 'CMD ["bin/serve"]'
    assert "RUN /venv/bin/pip install --require-hashes -r /tmp/requirements.lock" in lines


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_until_healthy(env, log_path, timeout=120):
    """Start bin/serve with ``env``, its log in ``log_path`` (a file: a pipe nobody reads could
    fill up and stall gunicorn); returns the process once /health/ answers 200."""
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{env['BIND']}/health/", timeout=5) as response:
                if response.status == 200:
                    return server
                last = response.status
        except OSError as error:
            last = repr(error)
            time.sleep(0.3)
    server.kill()
    server.wait()
    raise AssertionError(f"/health/ did not answer 200 ({last}): {log_path.read_text()[-2000:]}")


def _stop(server, log_path):
    server.terminate()
    server.wait(timeout=30)
    return log_path.read_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("control_socket", [False, True])
def test_gunicorn_opens_a_control_socket_only_when_asked(tmp_path, control_socket):
    from tests.worker import test_database_url

    home = tmp_path / "home"
    home.mkdir()
    socket_path = tmp_path / "gunicorn.ctl"
    env = {
        **os.environ,
        "HOME": str(home),
        "BIND": f"127.0.0.1:{_free_port()}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": test_database_url(),
        "DJANGO_SECRET_KEY": "container-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_HASHED_STATIC": "0",
        "GUNICORN_ACCESS_LOG": "0",
    }
    env.pop("DJANGO_DEBUG", None)
    env.pop("XDG_RUNTIME_DIR", None)
    log_path = tmp_path / "serve.log"
    if control_socket:
        env["GUNICORN_CONTROL_SOCKET"] = str(socket_path)

    server = _serve_until_healthy(env, log_path)
    opened = socket_path.exists()
    log = _stop(server, log_path)

    assert (opened, (home / ".gunicorn").exists()) == (control_socket, False)
    assert "Control server error" not in log
