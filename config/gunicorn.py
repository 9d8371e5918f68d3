"""gunicorn's settings (``gunicorn -c config/gunicorn.py config.wsgi``, as bin/serve runs it).

Read from the environment: ``BIND`` (default ``0.0.0.0:8000``), ``WEB_CONCURRENCY``
(worker processes, default 2), ``GUNICORN_THREADS`` (threads per worker, default 1),
``GUNICORN_TIMEOUT`` (seconds, default 60), ``GUNICORN_ACCESS_LOG`` (0 turns the
access log off), ``GUNICORN_CONTROL_SOCKET`` (a path turns on gunicorn's control socket
for ``gunicornc``; off by default) and ``LOG_FORMAT``/``DJANGO_LOG_LEVEL`` as for the
application, so gunicorn's own lines look like the application's.
"""

import gc
import os
from typing import Any

from config.observability import gunicorn_logging

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Workers are replaced now and then, which bounds any slow growth of memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# gunicorn 25+ opens a control socket at $HOME/.gunicorn/gunicorn.ctl unless told otherwise:
# the container's user has no home (the master logged "Permission denied" there), and several
# servers under one user (CI's smoke test, the serve benchmark's two) would share one path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "1").lower() not in ("0", "false", "no", "off")
accesslog = "-" if _access_log else None
# The request id is the response's X-Request-ID, the one the application logged with.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'
logconfig_dict = gunicorn_logging(
    os.environ.get("LOG_FORMAT", "text"), os.environ.get("DJANGO_LOG_LEVEL", "INFO"), access_log=_access_log
)


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded Django and the application: move every object alive now (the
    modules, settings, URL patterns, models) out of the garbage collector's sight. Otherwise its
    full collections, which a page of 100 events (about 1,000 model instances) triggers, walk
    them all again and again: ``gc.freeze()`` measured about a tenth less CPU for that page."""
    gc.freeze()
