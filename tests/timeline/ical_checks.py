"""Read a feed back the way clients do: icalendar, vobject and (when installed) ical.js.

Every feed a test produces goes through :func:`parse_feed`, which fails on any
line-format, component or cardinality error any of the parsers reports.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import icalendar
import vobject

ICAL_JS_SCRIPT = """
const ICAL = require("ical.js");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const calendar = new ICAL.Component(ICAL.parse(input));
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return { uid: event.uid, summary: event.summary, description: event.description,
             start: event.startDate.toString(), end: event.endDate ? event.endDate.toString() : null };
  });
  process.stdout.write(JSON.stringify(events));
});
"""


# `npm install --no-save ical.js` in the project folder makes the ical.js checks run.
ROOT = Path(__file__).resolve().parents[2]


@cache
def ical_js_available() -> bool:
    if shutil.which("node") is None:
        return False
    result = subprocess.run(["node", "-e", "require('ical.js')"], capture_output=True, check=False, cwd=ROOT)
    return result.returncode == 0


def check_lines(body: bytes) -> None:
    """CRLF endings, no bare CR or LF, every physical line at most 75 octets and valid UTF-8 on its own."""
    assert body.endswith(b"\r\n")
    assert not body.startswith(b"\xef\xbb\xbf")
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")
    forbidden = [c for c in set(body.decode()) if (ord(c) < 0x20 and c not in "\t\r\n") or ord(c) == 0x7F]
    assert forbidden == []


def parse_feed(body: bytes) -> icalendar.Calendar:
    """Parse ``body`` with every available parser; return icalendar's reading."""
    check_lines(body)
    calendar = icalendar.Calendar.from_ical(body)
    assert [(component.name, component.errors) for component in calendar.walk() if component.errors] == []
    assert "METHOD" not in calendar
    parsed = vobject.readOne(body.decode())
    assert parsed.validate(raiseException=True) is True
    assert len(list(parsed.components())) == len(calendar.subcomponents)
    if ical_js_available():
        events = ical_js_events(body)
        assert [event["uid"] for event in events] == [str(e["UID"]) for e in calendar.walk("VEVENT")]
        assert [event["summary"] for event in events] == [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    return calendar


def ical_js_events(body: bytes) -> list[dict]:
    result = subprocess.run(["node", "-e", ICAL_JS_SCRIPT], input=body, capture_output=True, check=True, cwd=ROOT)
    return json.loads(result.stdout)


def vevents(body: bytes) -> list[icalendar.Event]:
    return parse_feed(body).walk("VEVENT")
