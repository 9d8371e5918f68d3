"""Sources kept: archived copy and access date on a source, flagged in the admin, linked in pages and briefs."""

import datetime as dt
import io

import pdfplumber
import pytest
from django.urls import reverse

from tests.factories import CitationFactory, EventFactory, SourceFactory, TimelineFactory, UserFactory

ARCHIVED = "https://web.archive.org/web/20250617000000/https://www.japantimes.co.jp/news/budanov-interview/"


@pytest.fixture
def cited(db):
    timeline = TimelineFactory(slug="cooperation", visibility="public")
    event = EventFactory(timeline=timeline, title="Troops in Kursk", published=True)
    kept = SourceFactory(
        title="Budanov interview",
        url="https://www.japantimes.co.jp/news/budanov-interview/",
        archived_url=ARCHIVED,
        accessed=dt.date(2025, 6, 17),
    )
    missing = SourceFactory(title="Telegram post", url="https://t.me/example/1", archived_url="")
    offline = SourceFactory(title="Briefing notes", url="", archived_url="")
    for source in (kept, missing, offline):
        CitationFactory(event=event, source=source)
    return event


@pytest.mark.django_db
def test_source_admin_flags_online_sources_without_an_archived_copy(client, cited):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:timeline_source_changelist")

    flagged = client.get(url, {"archive": "missing"})
    everything = client.get(url).content.decode()

    assert [source.title for source in flagged.context["cl"].result_list] == ["Telegram post"]
    assert everything.count('<strong class="archive-missing">⚠ none</strong>') == 1
    assert f'<a href="{ARCHIVED}" rel="noopener noreferrer">archived</a>' in everything
    assert "— (offline source)" in everything


@pytest.mark.django_db
def test_source_admin_refuses_an_archived_copy_that_is_not_http(client, cited):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    source = cited.sources.get(title="Telegram post")

    response = client.post(
        reverse("admin:timeline_source_change", args=[source.pk]),
        {"title": source.title, "url": source.url, "archived_url": "javascript:alert(1)", "reliability": "F"},
    )

    source.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["archived_url"] == ["Enter a valid URL."]
    assert source.archived_url == ""


@pytest.mark.django_db
def test_event_page_links_the_archived_copy_beside_the_original(client, cited):
    page = client.get(cited.get_absolute_url()).content.decode()

    assert (
        f'(<a class="archived-copy" href="{ARCHIVED}" rel="noopener noreferrer">archived copy</a>, '
        "accessed 17 June 2025)" in page
    )


@pytest.mark.django_db
def test_brief_lists_the_archived_copy_and_access_date(client, cited):
    response = client.get(reverse("timeline:timeline-brief", kwargs={"slug": "cooperation"}))

    with pdfplumber.open(io.BytesIO(response.content)) as document:
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in document.pages)
        links = [link.get("uri") for page in document.pages for link in page.hyperlinks]
    assert "(accessed 2025-06-17) · archived copy:" in text
    assert ARCHIVED in links
