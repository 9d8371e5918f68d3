"""The container files start the same scripts that CI's smoke test runs (Docker itself cannot run in CI)."""

import os
import re

import yaml
from django.conf import settings

ROOT = settings.BASE_DIR


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
