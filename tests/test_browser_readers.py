"""The reader pages in a real browser: the list of timelines, a timeline with its axis, an event
and the embed, at a desktop (1280×900) and a phone (390×844) viewport.

Each page is checked by axe-core (the npm package, read from ``node_modules/axe-core`` or
``TIMELINE_AXE_JS``) for 0 violations, for tap targets of at least 24×24 px, and under the same
CSP and console rules as ``tests/test_browser.py``, whose browser and helpers these tests use.
Set ``TIMELINE_BROWSER_SHOTS`` to a folder to keep a screenshot of every page and viewport.
"""

import datetime as dt
import http.server
import os
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests import test_browser as browser_helpers
from tests.factories import EventFactory, TimelineFactory
from timeline.models import Event
from timeline.services import DEMO_TIMELINE_SLUG

# The chromium and demo data of tests/test_browser.py, as fixtures of this module too.
browser = browser_helpers.browser
demo = browser_helpers.demo
PageVisit = browser_helpers.PageVisit
assert_clean = browser_helpers.assert_clean

# live_server needs committed data.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TIMELINE_PATH = f"/timelines/{DEMO_TIMELINE_SLUG}/"
EMBED_PATH = f"/timelines/{DEMO_TIMELINE_SLUG}/embed/"
# Rule sets of WCAG 2.0–2.2 A and AA (2.2 AA holds the 24 px target size) and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# The visible interactive elements smaller than 24×24 CSS px (the skip link is off-screen until focused).
SMALL_TARGETS = """
() => [...document.querySelectorAll(
    "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])")]
  .filter((element) => element.checkVisibility({visibilityProperty: true}) && !element.classList.contains("skip-link"))
  .map((element) => [element, element.getBoundingClientRect()])
  .filter(([element, box]) => box.width > 0 && (box.width < 24 || box.height < 24))
  .map(([element, box]) => `${element.outerHTML.slice(0, 80)} ${Math.round(box.width)}×${Math.round(box.height)}`)
"""

AXE_RUN = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
"""


def axe_source():
    path = Path(os.environ.get("TIMELINE_AXE_JS") or django_settings.BASE_DIR / "node_modules/axe-core/axe.min.js")
    if not path.exists():
        pytest.skip(f"no axe-core at {path} (npm install --no-save axe-core, or set TIMELINE_AXE_JS)")
    return path.read_text()


@pytest.fixture
def axe():
    return axe_source()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def visit(browser, live_server, viewport):
    opened = PageVisit(browser, live_server)
    opened.page.set_viewport_size(VIEWPORTS[viewport])
    opened.viewport = viewport
    yield opened
    opened.context.close()


def demo_first_title():
    """The title of the demo's first event in date order (the top mark of the axis)."""
    return (
        Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, published=True)
        .order_by("date_lower", "date_upper", "id")
        .first()
        .title
    )


def accessibility_problems(visit, axe):
    """axe-core's violations and the too-small tap targets of the open page."""
    # Evaluated through the browser's debugging protocol, which the page's CSP does not govern.
    visit.page.evaluate(axe)
    problems = visit.page.evaluate(AXE_RUN, AXE_TAGS) + visit.page.evaluate(SMALL_TARGETS)
    return problems


def test_browser_index_lists_the_demo_timeline(visit, demo, axe):
    visit.open("/", ".timeline-card")

    visit.screenshot(f"index-{visit.viewport}")
    assert visit.page.inner_text(".timeline-card h2") == "Russia–DPRK military cooperation"
    published = Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, published=True).count()
    assert visit.page.inner_text(".timeline-card .count") == f"{published} events"
    assert accessibility_problems(visit, axe) == []
    assert_clean(visit)


def test_browser_timeline_page_draws_every_event_on_the_axis(visit, demo, axe):
    visit.open(TIMELINE_PATH, "svg.axis-svg a.mark")

    visit.screenshot(f"timeline-{visit.viewport}")
    published = Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, published=True)
    marks = visit.page.eval_on_selector_all("svg a.mark", "(marks) => marks.map((m) => m.dataset.eventUid)")
    assert sorted(marks) == sorted(str(uid) for uid in published.values_list("uid", flat=True))
    listed = visit.page.eval_on_selector_all("ol.events li", "(items) => items.map((i) => i.dataset.eventUid)")
    assert sorted(listed) == sorted(marks)
    # The filters start collapsed, and the first events' marks, titled, are on the first screen.
    assert visit.page.locator("details.filters").get_attribute("open") is None
    first_label = visit.page.locator("svg a.mark text.label").first
    assert first_label.bounding_box()["y"] < VIEWPORTS[visit.viewport]["height"] / 2
    assert first_label.text_content() == demo_first_title()
    assert accessibility_problems(visit, axe) == []
    assert_clean(visit)


def test_browser_timeline_page_filters_open_with_visible_help(visit, demo, axe):
    visit.open(TIMELINE_PATH, "details.filters summary")

    visit.page.click("details.filters summary")

    visit.screenshot(f"timeline-filters-{visit.viewport}")
    assert visit.page.locator("#help-status").is_visible()
    assert visit.page.locator("#id_status input[type=checkbox]").count() == 6
    assert accessibility_problems(visit, axe) == []
    assert_clean(visit)


def test_browser_event_page_explains_the_event(visit, demo, axe):
    visit.open(f"/events/{demo.uid}/", "h1")

    visit.screenshot(f"event-{visit.viewport}")
    assert visit.page.inner_text("h1") == demo.title
    assert visit.page.inner_text("dl.facts dt:first-child") == "Date"
    assert accessibility_problems(visit, axe) == []
    assert_clean(visit)


def test_browser_embed_page_shows_axis_and_list(visit, demo, axe):
    visit.open(EMBED_PATH, "svg.axis-svg a.mark")

    visit.screenshot(f"embed-{visit.viewport}")
    assert visit.page.locator("details.filters").count() == 0
    assert visit.page.locator("ol.events li").count() == visit.page.locator("svg a.mark").count()
    assert accessibility_problems(visit, axe) == []
    assert_clean(visit)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_browser_axis_marks_match_the_demo_dates(visit, demo):
    visit.open(TIMELINE_PATH, "svg.axis-svg a.mark")
    april = Event.objects.get(timeline__slug=DEMO_TIMELINE_SLUG, date="2025-04", published=True)
    span = Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, date="2024-10~/2025-04", published=True).first()

    def mark(event):
        return visit.page.locator(f"svg a.mark[data-event-uid='{event.uid}']")

    def day_at(event, x):
        # The axis's own scale: user units 0–1000 over the window's days.
        section = visit.page.locator("section.axis")
        start, end = int(section.get_attribute("data-start-day")), int(section.get_attribute("data-end-day"))
        return dt.date.fromordinal(round(start + float(x) / 1000 * (end - start)))

    april_bar = mark(april).locator("rect.body")
    x, width = float(april_bar.get_attribute("x")), float(april_bar.get_attribute("width"))
    assert (day_at(april, x), day_at(april, x + width)) == (dt.date(2025, 4, 1), dt.date(2025, 5, 1))
    span_bar = mark(span).locator("rect.body")
    x, width = float(span_bar.get_attribute("x")), float(span_bar.get_attribute("width"))
    assert (day_at(span, x), day_at(span, x + width)) == (dt.date(2024, 10, 1), dt.date(2025, 5, 1))
    # Approximate start ("2024-10~"), exact end.
    assert (mark(span).locator("rect.fuzzy.start").count(), mark(span).locator("rect.fuzzy.end").count()) == (1, 0)
    assert mark(span).get_attribute("aria-label").startswith("c. October 2024 – April 2025: ")


@pytest.mark.parametrize("viewport", ["desktop"])
def test_browser_axis_zooms_in_and_back(visit, demo):
    visit.open(TIMELINE_PATH, "nav.zoom button")
    april = Event.objects.get(timeline__slug=DEMO_TIMELINE_SLUG, date="2025-04", published=True)
    bar = visit.page.locator(f"svg a.mark[data-event-uid='{april.uid}'] rect.body")
    before = float(bar.get_attribute("width"))

    visit.page.get_by_role("button", name="Zoom in").click()
    zoomed = float(bar.get_attribute("width"))
    visit.page.get_by_role("button", name="Show all").click()

    visit.screenshot("timeline-zoomed")
    assert round(zoomed / before) == 2
    assert float(bar.get_attribute("width")) == before
    assert visit.page.inner_text(".zoom-status") == "Showing 1 Oct 2024 to 31 Dec 2025."
    assert_clean(visit)


def test_browser_axis_lanes_by_tag_are_chosen_by_a_link_and_still_zoom(visit, demo, axe):
    visit.open(TIMELINE_PATH, "nav.lanes-control a")
    tagged = Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, published=True, tags__slug="troops")

    visit.page.get_by_role("link", name="By tag").click()
    visit.page.wait_for_url("**?lanes=tag")
    visit.page.locator("svg g.lane").first.wait_for()

    visit.screenshot(f"timeline-lanes-{visit.viewport}")
    labels = visit.page.eval_on_selector_all("svg g.lane", "(lanes) => lanes.map((l) => l.getAttribute('aria-label'))")
    assert labels[0] == f"Troops: {tagged.count()} events"
    troops = visit.page.eval_on_selector(
        "svg g.lane", "(lane) => [...lane.querySelectorAll('a.mark')].map((m) => m.dataset.eventUid)"
    )
    assert sorted(troops) == sorted(str(uid) for uid in tagged.values_list("uid", flat=True))
    assert visit.page.locator("nav.lanes-control a[aria-current='true']").inner_text() == "By tag"
    # The zoom buttons re-scale the marks in every lane (April 2025 stays inside the zoomed view).
    april = Event.objects.get(timeline__slug=DEMO_TIMELINE_SLUG, date="2025-04", published=True)
    bar = visit.page.locator(f"svg g.lane a.mark[data-event-uid='{april.uid}'] rect.body").first
    before = float(bar.get_attribute("width"))
    visit.page.get_by_role("button", name="Zoom in").click()
    assert round(float(bar.get_attribute("width")) / before) == 2
    visit.page.get_by_role("button", name="Show all").click()
    assert accessibility_problems(visit, axe) == []
    assert_clean(visit)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_browser_axis_zooms_from_decades_to_days_and_keeps_titles_in_view(visit):
    timeline = TimelineFactory(slug="decades", title="Three decades")
    EventFactory(timeline=timeline, title="Talks begin", date="1991-03")
    EventFactory(timeline=timeline, title="A long cooperation", date="1995/2024")
    EventFactory(timeline=timeline, title="Shells shipped", date="2024-06-17")
    ticks = "() => [...document.querySelectorAll('svg g.tick text')].map((t) => t.textContent)"
    visit.open("/timelines/decades/", "nav.zoom button")

    decades = visit.page.evaluate(ticks)
    for _ in range(12):
        visit.page.get_by_role("button", name="Zoom in").click()
    days = visit.page.evaluate(ticks)
    long_bar = visit.page.locator("svg a.mark", has_text="A long cooperation")
    label_x = float(long_bar.locator("text.label").get_attribute("x"))

    visit.screenshot("timeline-zoomed-to-days")
    assert decades == ["2000s", "2010s", "2020s"]
    assert len(days) == 7
    assert all(label.split()[0].isdigit() and len(label.split()) == 2 for label in days)
    first, last = visit.page.inner_text(".zoom-status").removeprefix("Showing ").rstrip(".").split(" to ")
    span = dt.datetime.strptime(last, "%d %b %Y") - dt.datetime.strptime(first, "%d %b %Y")
    assert span.days == 6
    # The 30-year bar crosses the one-week view, cut at its edges with its title readable there.
    assert 0 <= label_x < 100
    assert_clean(visit)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_browser_axis_mark_followed_by_keyboard(visit, demo):
    visit.open(TIMELINE_PATH, "svg.axis-svg a.mark")

    visit.page.keyboard.press("Tab")
    first_stop = visit.page.evaluate("document.activeElement.textContent")
    for _ in range(40):
        visit.page.keyboard.press("Tab")
        if visit.page.evaluate("document.activeElement.dataset.eventUid !== undefined"):
            break
    uid = visit.page.evaluate("document.activeElement.dataset.eventUid")
    name = visit.page.evaluate("document.activeElement.getAttribute('aria-label')")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url(f"**/events/{uid}/")

    assert first_stop == "Skip to content"
    event = Event.objects.get(uid=uid)
    assert name.startswith(f"{event.date_display}: {event.title}")
    assert visit.page.inner_text("h1") == event.title
    assert_clean(visit)


@pytest.fixture
def news_site():
    """A page on another origin (a second server on 127.0.0.1) that frames the given addresses."""
    served = {}

    class NewsPage(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = served["page"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class NewsServer(http.server.ThreadingHTTPServer):
        # Chromium opens spare connections it may never use: closing must not wait for them.
        daemon_threads = True
        block_on_close = False

    NewsPage.timeout = 5
    server = NewsServer(("127.0.0.1", 0), NewsPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(*frame_urls):
        frames = "".join(f'<iframe id="frame-{n}" src="{url}"></iframe>' for n, url in enumerate(frame_urls))
        served["page"] = f"<!doctype html><title>News</title>{frames}"
        return f"http://127.0.0.1:{server.server_address[1]}/story"

    yield publish
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("viewport", ["desktop"])
def test_browser_embed_loads_in_a_frame_of_another_origin_and_the_page_does_not(visit, demo, live_server, news_site):
    story = news_site(f"{live_server.url}{EMBED_PATH}", f"{live_server.url}{TIMELINE_PATH}")

    visit.page.goto(story, wait_until="networkidle")

    embed = visit.page.frame_locator("#frame-0")
    embed.locator("svg.axis-svg a.mark").first.wait_for(state="attached")
    visit.screenshot("embed-in-frame")
    published = Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, published=True).count()
    assert embed.locator("svg a.mark").count() == published
    # The timeline page refuses to be framed: its frame holds the browser's error page, not the axis.
    page_frame = visit.page.frame_locator("#frame-1")
    assert page_frame.locator("svg.axis-svg").count() == 0
    assert [frame.url for frame in visit.page.frames][2] == "chrome-error://chromewebdata/"
