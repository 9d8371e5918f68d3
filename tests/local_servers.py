"""Real local HTTP servers for tests (webhook receivers, an imitation of an archive's API),
on the ports this checkout's tests may use (TEST_PORTS)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TEST_PORTS = range(8120, 8130)

# A handler gets (method, path, headers, body) and answers (status, JSON-able body).
Handler = Callable[[str, str, dict[str, str], bytes], tuple[int, Any]]


@contextlib.contextmanager
def local_server(handle: Handler) -> Iterator[str]:
    """Serve ``handle`` on 127.0.0.1 (the first free port of TEST_PORTS) while the block runs;
    yields the base URL, e.g. ``http://127.0.0.1:8120``."""

    class RequestHandler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload = handle(self.command, self.path, dict(self.headers.items()), body)
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = None
    for port in TEST_PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), RequestHandler)
            break
        except OSError:
            continue
    if server is None:
        raise RuntimeError(f"no free port in {TEST_PORTS}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
