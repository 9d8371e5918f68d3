"""Review before publishing in a real browser: an editor submits a change of a published event,
another user approves it from the review queue, and only then does the feed carry it.

Uses the chromium, demo data and helpers of ``tests/test_browser.py``; skips (CI: fails)
when playwright or chromium is missing. Set ``TIMELINE_BROWSER_SHOTS`` to keep screenshots.
"""

import pytest
from django.contrib.auth import get_user_model

from tests import test_browser as browser_helpers
from tests.test_browser_editorial import _feed_vevent
from timeline.models import Event, Revision, Role, TimelineRole

browser = browser_helpers.browser
demo = browser_helpers.demo
assert_clean = browser_helpers.assert_clean

# live_server needs committed data.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _staff(username, timeline, role):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", browser_helpers.ADMIN_PASSWORD, is_staff=True
    )
    TimelineRole.objects.create(timeline=timeline, user=user, role=role)
    return user


def test_browser_editor_submits_and_another_user_approves(browser, live_server, demo):
    event = demo
    timeline = event.timeline
    timeline.review_required = True
    timeline.save()
    _staff("ed", timeline, Role.EDITOR)
    _staff("rita", timeline, Role.REVIEWER)
    title_before = event.title
    author = browser_helpers.PageVisit(browser, live_server)
    reviewer = browser_helpers.PageVisit(browser, live_server)
    try:
        # The editor changes the title and submits it.
        author.log_in("ed", browser_helpers.ADMIN_PASSWORD)
        author.open(f"/admin/timeline/event/{event.pk}/change/", "#event_form")
        author.page.fill("#id_title", "Changed, waiting for review")
        author.page.fill("#id_review_note", "New reporting from Yonhap.")
        author.page.click("input[name=_submit_review]")
        author.page.locator(".messagelist .success").wait_for(state="visible")
        author.screenshot("admin-review-submitted")
        submitted_message = author.page.inner_text(".messagelist")
        pending_notice = author.page.inner_text("#review-pending")
        feed_pending = _feed_vevent(author, event)

        # Another user approves it from the queue.
        reviewer.log_in("rita", browser_helpers.ADMIN_PASSWORD)
        reviewer.open("/admin/timeline/revision/", "#result_list")
        queue = reviewer.page.inner_text("#result_list")
        reviewer.page.locator("#result_list a", has_text=title_before).first.click()
        reviewer.page.locator("#revision-changes").wait_for(state="visible")
        changes = reviewer.page.inner_text("#revision-changes")
        reviewer.page.set_viewport_size({"width": 1280, "height": 900})
        reviewer.screenshot("admin-review-approve")
        reviewer.page.click("input[name=_approve]")
        reviewer.page.locator(".messagelist .success").wait_for(state="visible")
        reviewer.screenshot("admin-review-approved")
        feed_approved = _feed_vevent(reviewer, event)

        event.refresh_from_db()
        assert "submitted for review" in submitted_message
        assert "waiting for review" in pending_notice
        assert title_before in queue
        assert title_before in changes and "Changed, waiting for review" in changes
        assert str(feed_pending["SUMMARY"]).endswith(title_before)
        assert str(feed_approved["SUMMARY"]).endswith("Changed, waiting for review")
        assert int(feed_approved["SEQUENCE"]) == int(feed_pending["SEQUENCE"]) + 1
        assert (event.title, Revision.objects.get().state) == ("Changed, waiting for review", "approved")
        assert Event.history.filter(id=event.pk).first().history_user.username == "rita"
        assert_clean(author)
        assert_clean(reviewer)
    finally:
        author.context.close()
        reviewer.context.close()
