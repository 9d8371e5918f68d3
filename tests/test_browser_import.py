"""The admin's import, in a real browser: upload → preview of every row → confirm."""

import pytest

from tests.test_browser import ADMIN_PASSWORD, assert_clean, browser, demo, visit  # noqa: F401 (fixtures)
from timeline.models import Event, Timeline
from timeline.services import DEMO_TIMELINE_SLUG

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GOOD = "title,date,actors,sources\nImported by a browser,c. June 2025,Нова особа,https://example.org/report\n"
BAD = "title,date,latitude\nFine,2025-04,\nBroken,whenever,91\n"


def upload(page_visit, text, tmp_path, name):
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    page_visit.page.set_input_files("#id_file", str(file))
    page_visit.page.click(".timeline-import-form [type=submit]")
    page_visit.page.locator("#import_preview").wait_for(state="visible", timeout=15_000)


def test_import_preview_and_confirm_in_the_admin(visit, demo, tmp_path):  # noqa: F811 (fixtures)
    timeline = Timeline.objects.get(slug=DEMO_TIMELINE_SLUG)
    visit.log_in("chief", ADMIN_PASSWORD)
    visit.open(f"/admin/timeline/timeline/{timeline.pk}/change/", "#content-main")
    visit.page.click("text=Import events…")
    visit.page.locator("#id_file").wait_for(state="visible")
    before = Event.objects.count()

    upload(visit, BAD, tmp_path, "bad.csv")
    visit.screenshot("import-preview-refused")
    rows = visit.page.locator("#import_preview tbody tr")
    assert rows.count() == 2
    assert "error" in rows.nth(1).inner_text() and "whenever" in rows.nth(1).inner_text()
    assert visit.page.locator("[name=confirm]").count() == 0
    assert Event.objects.count() == before

    upload(visit, GOOD, tmp_path, "good.csv")
    visit.screenshot("import-preview")
    text = visit.page.locator("#import_preview").inner_text()
    assert "new" in text and "2025-06~" in text and "1–30 June 2025" in text
    assert "Нова особа" in visit.page.locator("#content-main").inner_text()
    assert Event.objects.count() == before
    visit.page.click("[name=confirm]")
    visit.page.wait_for_url("**/admin/timeline/event/**")
    visit.screenshot("import-confirmed")
    assert "Imported “good.csv”" in visit.page.locator(".messagelist").inner_text()
    event = Event.objects.get(title="Imported by a browser")
    assert event.date == "2025-06~" and event.timeline == timeline
    assert [actor.name for actor in event.actors.all()] == ["Нова особа"]
    assert Event.objects.count() == before + 1
    assert_clean(visit)
