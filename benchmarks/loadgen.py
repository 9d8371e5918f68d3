"""The serve benchmark's load generators: ``wrk`` when it is installed, else a small asyncio
client; both print one ``LOAD-RESULT`` line of JSON that :func:`parse_result` reads.

The load generator shares the machine's cores with the server, so it must cost as little CPU
per request as possible: ``wrk`` (C, epoll; Debian's ``wrk`` package) needs a few hundredths
of a millisecond per request, the asyncio client a few tenths. Each request names a different
client in ``X-Forwarded-For``, as thousands of subscribers would, so the API throttle's
per-client history stays as short as in production.

Result: ``requests``, ``seconds`` (the generator's own measured duration), ``unexpected``
(answers with another status than expected), ``status`` (one such status), ``errors``
(connect, read and write errors and timeouts) and ``quantiles_us``: the latencies at
percentiles 0.5, 1.5, ..., 99.5 in microseconds, from which slices are merged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import time
from pathlib import Path

MARKER = "LOAD-RESULT "

# wrk runs request() and response() in each thread's Lua state and done() in the main one,
# which reads the threads' counters through setup()'s thread objects.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  expect = tonumber(args[1])
  prefix = args[2]
  headers = {}
  for i = 3, #args - 1, 2 do headers[args[i]] = args[i + 1] end
  sent, unexpected, last_status = 0, 0, 0
end
function request()
  sent = sent + 1
  headers["X-Forwarded-For"] = prefix .. sent
  return wrk.format("GET", nil, headers)
end
function response(status, hdrs, body)
  if status ~= expect then unexpected = unexpected + 1; last_status = status end
end
function done(summary, latency, requests)
  local bad, status = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    if thread:get("last_status") ~= 0 then status = thread:get("last_status") end
  end
  local q = {}
  for i = 0, 99 do q[#q + 1] = string.format("%d", latency:percentile(i + 0.5)) end
  local e = summary.errors
  io.write(string.format(
    'LOAD-RESULT {"requests": %d, "seconds": %.6f, "unexpected": %d, "status": %d, "errors": %d, ' ..
    '"quantiles_us": [%s]}\\n',
    summary.requests, summary.duration / 1e6, bad, status, e.connect + e.read + e.write + e.timeout,
    table.concat(q, ",")))
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk")


def command(
    *,
    port: int,
    path: str,
    headers: dict[str, str],
    expect: int,
    seconds: int,
    concurrency: int,
    prefix: str,
    script_dir: Path,
) -> list[str]:
    """The command line that loads ``path`` on 127.0.0.1:``port`` for ``seconds`` (whole seconds:
    wrk's unit) with ``concurrency`` connections."""
    pairs = [item for name, value in headers.items() for item in (name, value)]
    wrk = wrk_path()
    if wrk is not None:
        script = script_dir / "serve.lua"
        if not script.exists():
            script.write_text(WRK_SCRIPT)
        url = f"http://127.0.0.1:{port}{path}"
        # One thread: a C event loop drives thousands of requests a second on a fraction of a core.
        options = ["-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
        return [wrk, *options, url, "--", str(expect), prefix, *pairs]

    return [
        sys.executable,
        "-m",
        "benchmarks.loadgen",
        f"--port={port}",
        f"--path={path}",
        f"--expect={expect}",
        f"--seconds={seconds}",
        f"--concurrency={concurrency}",
        f"--prefix={prefix}",
        *(f"--header={name}:{value}" for name, value in headers.items()),
    ]


def parse_result(output: str) -> dict[str, object]:
    """The ``LOAD-RESULT`` line of a generator's output. Raises ValueError when there is none."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            return dict(json.loads(line[len(MARKER) :]))
    raise ValueError(f"the load generator printed no result: {output[-500:]!r}")


async def _run(args: argparse.Namespace) -> dict[str, object]:
    headers = "".join(f"{name}: {value}\r\n" for name, value in (h.split(":", 1) for h in args.header))
    head = f"GET {args.path} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n{headers}".encode()
    latencies: list[float] = []
    counters = {"unexpected": 0, "status": 0, "errors": 0, "sent": 0}
    stop_at = time.monotonic() + args.seconds

    async def client() -> None:
        while time.monotonic() < stop_at:
            counters["sent"] += 1
            request = head + f"X-Forwarded-For: {args.prefix}{counters['sent']}\r\nConnection: close\r\n\r\n".encode()
            started = time.perf_counter()
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
                writer.write(request)
                answer = await reader.read()
                writer.close()
            except OSError:
                counters["errors"] += 1
                continue
            latencies.append(time.perf_counter() - started)
            status = int(answer[9:12] or 0)
            if status != args.expect:
                counters["unexpected"] += 1
                counters["status"] = status

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(args.concurrency)))
    seconds = time.perf_counter() - began
    ordered = sorted(latencies) or [0.0]
    quantiles = [int(ordered[min(len(ordered) - 1, int(len(ordered) * (i + 0.5) / 100))] * 1e6) for i in range(100)]
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "unexpected": counters["unexpected"],
        "status": counters["status"],
        "errors": counters["errors"],
        "quantiles_us": quantiles,
    }


def main() -> None:
    """The asyncio client, for machines without ``wrk``: a new connection per request (gunicorn's
    sync workers close it after each answer), read to its end."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--header", action="append", default=[])
    result = asyncio.run(_run(parser.parse_args()))
    print(MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
