"""The documented production environment: deploy checks, https behind a proxy, hashed static files."""

import gzip
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import EventFactory, TimelineFactory

# The environment README "Deploying" documents (less the database and cache addresses).
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 10 + "-production-like-secret-key-of-sufficient-length-0123456789",
    "DJANGO_ALLOWED_HOSTS": "timelines.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://timelines.example.org",
    "DJANGO_TRUST_X_FORWARDED_PROTO": "1",
    "TRUSTED_PROXY_COUNT": "1",
    "SITE_URL": "https://timelines.example.org",
}


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_in_the_documented_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert " WARNING " not in result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_production_settings_turn_on_hsts_https_redirect_and_secure_cookies():
    code = (
        "import json, config.settings as s; print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(result.stdout) == [True, 31536000, True, True, ["HTTP_X_FORWARDED_PROTO", "https"]]


@pytest.mark.django_db
def test_links_are_https_behind_a_proxy_that_says_so(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["timelines.example.org"]
    timeline = TimelineFactory(slug="kursk")
    EventFactory.create_batch(2, timeline=timeline)
    proxied = {"HTTP_HOST": "timelines.example.org", "HTTP_X_FORWARDED_PROTO": "https"}

    api = client.get(reverse("api:event-list") + "?page_size=1", **proxied).json()
    page = client.get(reverse("timeline:timeline-detail", kwargs={"slug": "kursk"}), **proxied).content.decode()

    assert api["next"].startswith("https://timelines.example.org/api/v1/events/?")
    assert api["results"][0]["links"]["self"].startswith("https://timelines.example.org/")
    assert "https://timelines.example.org/timelines/kursk/calendar.ics" in page
    assert "http://timelines.example.org" not in page


@pytest.mark.slow
def test_collectstatic_writes_hashed_compressed_files_that_whitenoise_serves(tmp_path):
    env = {"DJANGO_DEBUG": "1", "DJANGO_HASHED_STATIC": "1", "DJANGO_STATIC_ROOT": str(tmp_path)}

    result = run_manage("collectstatic", "--noinput", **env)

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["admin/css/base.css"]
    assert hashed_css != "admin/css/base.css"
    assert gzip.decompress((tmp_path / (hashed_css + ".gz")).read_bytes()) == (tmp_path / hashed_css).read_bytes()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in manifest
