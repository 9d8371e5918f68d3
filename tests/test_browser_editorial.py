"""Editorial work in a real browser: edit an event in the admin, then revert it from its history.

Uses the chromium, demo data and helpers of ``tests/test_browser.py``; skips (CI: fails)
when playwright or chromium is missing. Set ``TIMELINE_BROWSER_SHOTS`` to keep screenshots.
"""

import icalendar
import pytest

from tests import test_browser as browser_helpers
from tests.factories import TimelineFactory
from timeline.models import Event

browser = browser_helpers.browser
demo = browser_helpers.demo
assert_clean = browser_helpers.assert_clean

# live_server needs committed data.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SELECTED_TAGS = "() => [...document.querySelectorAll('#id_tags option:checked')].map((o) => o.textContent.trim())"
CITATION_QUOTES = (
    "() => [...document.querySelectorAll('#citations-group textarea[name$=\"-quote\"]')]"
    ".filter((t) => !t.name.includes('__prefix__') && t.value).map((t) => t.value)"
)


@pytest.fixture
def visit(browser, live_server):
    opened = browser_helpers.PageVisit(browser, live_server)
    yield opened
    opened.context.close()


def _feed_vevent(visit, event):
    response = visit.page.request.get(
        visit.origin.geturl().rstrip("/") + f"/timelines/{event.timeline.slug}/calendar.ics"
    )
    calendar = icalendar.Calendar.from_ical(response.body())
    [vevent] = [v for v in calendar.walk("VEVENT") if str(v["UID"]).startswith(str(event.uid))]
    return vevent


def test_browser_revert_brings_back_title_location_tags_and_citations(visit, demo):
    event = (
        Event.objects.filter(pk__in=Event.objects.filter(published=True, tags__isnull=False, citations__isnull=False))
        .order_by("pk")
        .first()
    )
    version_before = event.version
    visit.log_in("chief", browser_helpers.ADMIN_PASSWORD)
    change_path = f"/admin/timeline/event/{event.pk}/change/"
    visit.open(change_path, "#event_form")
    original = {
        "title": visit.page.input_value("#id_title"),
        "location": visit.page.input_value("#id_location"),
        "tags": visit.page.evaluate(SELECTED_TAGS),
        "quotes": visit.page.evaluate(CITATION_QUOTES),
    }
    feed_before = _feed_vevent(visit, event)

    # Edit: new title and location, every tag removed, the first citation deleted.
    visit.page.fill("#id_title", "Edited in the browser")
    visit.page.fill("#id_location", "Somewhere else")
    while visit.page.locator(".field-tags .select2-selection__choice__remove").count():
        visit.page.locator(".field-tags .select2-selection__choice__remove").first.click()
        visit.page.keyboard.press("Escape")
    visit.page.check("#id_citations-0-DELETE")
    visit.page.click("input[name=_continue]")
    visit.page.locator(".messagelist .success").wait_for(state="visible")
    edited = {"tags": visit.page.evaluate(SELECTED_TAGS), "quotes": visit.page.evaluate(CITATION_QUOTES)}
    # Revert: the history's oldest version, its changes shown, then confirmed.
    visit.open(f"/admin/timeline/event/{event.pk}/history/", "#change-history")
    visit.page.locator("#change-history tbody tr").last.locator("a").first.click()
    visit.page.locator("#revert-changes").wait_for(state="visible")
    plan = visit.page.inner_text("#revert-changes")
    visit.screenshot("admin-revert-confirm")
    visit.page.click("input[name=revert]")
    visit.page.locator(".messagelist .success").wait_for(state="visible")
    visit.screenshot("admin-reverted")

    reverted = {
        "title": visit.page.input_value("#id_title"),
        "location": visit.page.input_value("#id_location"),
        "tags": visit.page.evaluate(SELECTED_TAGS),
        "quotes": visit.page.evaluate(CITATION_QUOTES),
    }
    feed_after = _feed_vevent(visit, event)
    event.refresh_from_db()
    assert (edited["tags"], len(edited["quotes"])) == ([], len(original["quotes"]) - 1)
    assert "Edited in the browser" in plan and original["title"] in plan
    assert reverted == original
    assert event.version == version_before + 2
    assert str(feed_before["SUMMARY"]) == str(feed_after["SUMMARY"])
    assert int(feed_after["SEQUENCE"]) == int(feed_before["SEQUENCE"]) + 2
    assert feed_after.to_ical() != feed_before.to_ical()
    assert_clean(visit)


# Widths the admin pages need at the viewport they are opened in.
LAYOUT = """
() => {
  const right = (selector) => {
    const found = document.querySelector(selector);
    return found ? Math.round(found.getBoundingClientRect().right) : null;
  };
  const results = document.querySelector('.results');
  return {
    results_right: results ? Math.round(results.getBoundingClientRect().right) : null,
    viewport: window.innerWidth,
    page: document.documentElement.scrollWidth,
    results_overflow: results ? results.scrollWidth - results.clientWidth : null,
    published_right: right('#result_list th.column-published'),
    citation_delete_right: right('#citations-group tr.form-row td.delete'),
    citation_position_right: right('#citations-group tr.form-row td.field-position'),
  };
}
"""


def test_browser_event_form_fits_1280_px(visit, demo):
    event = Event.objects.filter(pk__in=Event.objects.filter(citations__isnull=False)).order_by("pk").first()
    visit.log_in("chief", browser_helpers.ADMIN_PASSWORD)

    visit.open(f"/admin/timeline/event/{event.pk}/change/", "#event_form")

    visit.screenshot("admin-event-form-1280")
    visit.page.locator("#citations-group").scroll_into_view_if_needed()
    visit.screenshot("admin-event-form-1280-citations")
    layout = visit.page.evaluate(LAYOUT)
    print("event form layout", layout)
    assert layout["viewport"] == 1280
    assert layout["page"] <= 1280
    assert layout["citation_delete_right"] <= 1280
    assert layout["citation_position_right"] <= 1280
    assert_clean(visit)


@pytest.mark.parametrize("timelines", [1, 2])
def test_browser_event_list_shows_published_without_scrolling(visit, demo, timelines):
    if timelines == 2:
        # A second timeline adds the Timeline column.
        Event.objects.create(timeline=TimelineFactory(title="Wagner in Africa"), title="Second timeline", date="2025")
    visit.log_in("chief", browser_helpers.ADMIN_PASSWORD)

    visit.open("/admin/timeline/event/", "#result_list tbody tr")

    visit.screenshot(f"admin-event-list-1280-{timelines}-timelines")
    layout = visit.page.evaluate(LAYOUT)
    print("event list layout", layout)
    assert layout["page"] <= 1280
    assert layout["published_right"] <= layout["results_right"]
    if timelines == 1:
        assert layout["results_overflow"] <= 0
    assert_clean(visit)


def test_browser_brief_action_on_a_filtered_selection_downloads_a_pdf(visit, demo, tmp_path):
    import subprocess

    claimed = list(Event.objects.filter(status="claimed").order_by("date_lower", "date_upper", "id")[:2])
    visit.log_in("chief", browser_helpers.ADMIN_PASSWORD)
    visit.open("/admin/timeline/event/?status__exact=claimed", "#result_list tbody tr")

    for event in claimed:
        visit.page.check(f"#result_list input.action-select[value='{event.pk}']")
    visit.page.select_option("select[name=action]", "brief_for_selected_events")
    with visit.page.expect_download() as download_info:
        visit.page.click("button[name=index]")
    path = tmp_path / "brief.pdf"
    download_info.value.save_as(path)

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert path.read_bytes().startswith(b"%PDF-")
    assert "2 events selected in the admin" in flat
    assert [event.title[:30] in flat for event in claimed] == [True, True]
    assert_clean(visit)
