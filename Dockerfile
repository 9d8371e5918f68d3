# syntax=docker/dockerfile:1
# A production image: the web process by default (bin/serve); the same image runs the worker
# (bin/worker) and the release step (bin/release). The scripts are the ones CI runs (.ci/smoke).

# --- build: dependencies from the lock file (hashes checked) and hashed, compressed static files
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /venv
COPY requirements.lock /tmp/requirements.lock
RUN /venv/bin/pip install --require-hashes -r /tmp/requirements.lock
WORKDIR /app
COPY manage.py pyproject.toml README.md LICENSE ./
COPY bin ./bin
COPY config ./config
COPY timeline ./timeline
COPY fixtures ./fixtures
# collectstatic reads no secret and no database; DEBUG here only supplies a throwaway key.
RUN DJANGO_DEBUG=1 DJANGO_HASHED_STATIC=1 DJANGO_STATIC_ROOT=/app/staticfiles \
    /venv/bin/python manage.py collectstatic --noinput --verbosity 0

# --- runtime: no compiler, no pip cache, a user without a login or write access to the code
FROM python:3.11-slim AS runtime
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin timeline \
    && mkdir -p /data/media && chown timeline /data/media
COPY --from=build /venv /venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    PYTHON=/venv/bin/python \
    PYTHONUNBUFFERED=1 \
    DJANGO_HASHED_STATIC=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    COLLECTSTATIC_AT_RELEASE=0 \
    DJANGO_MEDIA_ROOT=/data/media \
    BIND=0.0.0.0:8000
USER timeline
EXPOSE 8000
VOLUME ["/data/media"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4).status != 200)"]
CMD ["bin/serve"]
