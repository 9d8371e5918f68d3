"""manage.py brief <slug> [filters] -o FILE."""

import io

import pdfplumber
import pytest
from django.core.management import CommandError, call_command

from tests.factories import EventFactory, TagFactory, TimelineFactory


def pdf_text(path):
    with pdfplumber.open(path) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.mark.django_db
def test_brief_command_writes_the_filtered_brief(tmp_path):
    timeline = TimelineFactory(slug="kursk")
    munitions = TagFactory(name="munitions", slug="munitions")
    EventFactory(timeline=timeline, title="Shells delivered", tags=[munitions], credibility=2)
    EventFactory(timeline=timeline, title="Doubtful shells", tags=[munitions], credibility=5)
    EventFactory(timeline=timeline, title="Draft shells", tags=[munitions], credibility=2, published=False)
    output = tmp_path / "brief.pdf"

    call_command(
        "brief", "kursk", "--tag", "munitions", "--min-credibility", "3", "-o", str(output), stderr=io.StringIO()
    )

    text = pdf_text(output)
    assert "Tag: munitions · Credibility 1–3" in text
    assert [title in text for title in ("Shells delivered", "Doubtful shells", "Draft shells")] == [True, False, False]


@pytest.mark.django_db
def test_brief_command_includes_drafts_when_asked(tmp_path):
    timeline = TimelineFactory(slug="kursk")
    EventFactory(timeline=timeline, title="Draft shells", published=False)
    output = tmp_path / "brief.pdf"

    call_command("brief", "kursk", "--include-drafts", "-o", str(output), stderr=io.StringIO())

    assert "Draft shells" in pdf_text(output)


@pytest.mark.django_db
def test_brief_command_rejects_an_unknown_timeline(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("brief", "nope", "-o", str(tmp_path / "brief.pdf"))

    assert str(error.value) == "No timeline with slug “nope”."
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_brief_command_rejects_an_invalid_filter_in_one_line(tmp_path):
    TimelineFactory(slug="kursk")

    with pytest.raises(CommandError) as error:
        call_command("brief", "kursk", "--min-credibility", "9", "-o", str(tmp_path / "brief.pdf"))

    assert str(error.value) == (
        "Invalid filter: min_credibility: Select a valid choice. 9 is not one of the available choices."
    )
    assert list(tmp_path.iterdir()) == []
