"""Search over the indexed document (timeline/search.py), through the API a reader uses.

Runs on SQLite (FTS5) and on PostgreSQL (GIN over the stored search vector, words matched by their beginnings).
"""

import pytest
from django.db import connection

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, TagFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, events_url, uids
from timeline.models import Event, Visibility

pytestmark = pytest.mark.django_db


def search(q, **params):
    return client_for().get(events_url(), {"q": q, **params})


def test_search_finds_a_word_only_in_a_citation_quote():
    event = EventFactory(title="Launch", summary="")
    CitationFactory(event=event, quote="Officials described the Hwasong-19 as a new design.")
    EventFactory(title="Unrelated", summary="")

    response = search("hwasong")

    assert uids(response) == [str(event.uid)]


def test_search_finds_a_word_only_in_a_cited_source_title():
    event = EventFactory(title="Interview", summary="")
    CitationFactory(event=event, source=SourceFactory(title="Budanov speaks to the Japan Times"), quote="")
    EventFactory(title="Unrelated", summary="")

    response = search("japan times")

    assert uids(response) == [str(event.uid)]


@pytest.mark.parametrize("query", ["хвасон", "ХВАСОН", "김정은", "김정은 방문"])
def test_search_finds_cyrillic_and_hangul_words(query):
    event = EventFactory(title="Visit", summary="")
    CitationFactory(event=event, quote="Повідомляють про ракети «Хвасон» під час візиту.")
    event.tags.add(TagFactory(name="김정은 방문", slug="kim-visit"))
    EventFactory(title="Unrelated", summary="")

    response = search(query)

    assert uids(response) == [str(event.uid)]


def test_search_follows_a_renamed_source_and_a_removed_tag():
    event = EventFactory(title="Visit", summary="")
    source = SourceFactory(title="Old title")
    CitationFactory(event=event, source=source, quote="")
    tag = TagFactory(name="Munitions", slug="munitions")
    event.tags.add(tag)

    source.title = "Yonhap dispatch"
    source.save()
    event.tags.remove(tag)

    assert (uids(search("yonhap")), uids(search("munitions"))) == ([str(event.uid)], [])


def test_search_ranks_a_title_match_above_a_quote_match():
    in_quote = EventFactory(title="Shelling reported", summary="", date="2025-01")
    CitationFactory(event=in_quote, quote="The artillery near Kupiansk fired all night.")
    in_title = EventFactory(title="Kupiansk shelled", summary="", date="2025-06")

    response = search("kupiansk", ordering="relevance")

    assert uids(response) == [str(in_title.uid), str(in_quote.uid)]
    ranks = [row["search"]["rank"] for row in response.json()["results"]]
    assert ranks[0] > ranks[1]


def test_search_answers_highlighted_snippets():
    event = EventFactory(title="Launch", summary="A missile named Hwasong flew east.")

    response = search("hwasong")

    (row,) = response.json()["results"]
    assert (row["uid"], "<mark>Hwasong</mark>" in row["search"]["snippet"]) == (str(event.uid), True)


def test_search_finds_a_word_by_its_beginning():
    event = EventFactory(title="Hwasong-19 test", summary="")

    response = search("hwaso")

    assert uids(response) == [str(event.uid)]


def test_search_never_returns_an_event_the_reader_may_not_see():
    visible = EventFactory(title="Kupiansk shelled")
    EventFactory(title="Kupiansk draft", published=False)
    private = EventFactory(title="Kupiansk private", timeline=TimelineFactory(visibility=Visibility.PRIVATE))
    CitationFactory(event=EventFactory(title="Other", published=False), quote="Kupiansk")
    unlisted = EventFactory(title="Kupiansk unlisted", timeline=TimelineFactory(visibility=Visibility.UNLISTED))

    listed = search("kupiansk")
    named_private = search("kupiansk", timeline=private.timeline.slug)
    named_unlisted = search("kupiansk", timeline=unlisted.timeline.slug)

    assert uids(listed) == [str(visible.uid)]
    assert named_private.status_code == 400
    assert "Kupiansk private" not in named_private.content.decode()
    assert uids(named_unlisted) == [str(unlisted.uid)]


def test_search_on_one_timeline_ignores_its_neighbours():
    small = TimelineFactory()
    mine = EventFactory(timeline=small, title="Kupiansk shelled")
    EventFactory(title="Kupiansk elsewhere")

    response = search("kupiansk", timeline=small.slug)

    assert uids(response) == [str(mine.uid)]


def test_search_claimant_and_actor_names_in_their_own_script():
    gur = ActorFactory(name="GUR", native_name="ГУР")
    event = EventFactory(title="Statement", summary="", claimant=gur, actors=[ActorFactory(native_name="김정은")])

    assert (uids(search("гур")), uids(search("김정은"))) == ([str(event.uid)], [str(event.uid)])


def test_search_relevance_cursor_pages_cover_every_match_once():
    events = [EventFactory(title=f"Kupiansk {n}" if n % 2 else f"Report {n}", summary="Kupiansk") for n in range(7)]

    first = search("kupiansk", ordering="relevance", page_size=3)
    seen = uids(first)
    next_url = first.json()["next"]
    while next_url:
        page = client_for().get(next_url)
        seen += uids(page)
        next_url = page.json()["next"]

    assert sorted(seen) == sorted(str(e.uid) for e in events)
    assert len(seen) == len(set(seen)) == 7


def test_search_backend_is_the_indexed_one():
    expected = {"postgresql": "search_vector", "sqlite": "timeline_event_fts"}[connection.vendor]
    event = EventFactory(title="Kupiansk")

    from timeline.filters import EventFilter
    from timeline.models import Event

    sql = str(EventFilter({"q": "kupiansk"}, queryset=Event.objects.all()).qs.query)

    assert (expected in sql, list(EventFilter({"q": "kupiansk"}, queryset=Event.objects.all()).qs)) == (True, [event])


@pytest.mark.django_db
def test_the_sqlite_search_triggers_come_back_after_a_migration_remakes_the_events_table():
    from timeline.search import ensure_sqlite_fts, search

    if connection.vendor != "sqlite":
        assert ensure_sqlite_fts() is False  # PostgreSQL keeps its index in the table itself
        return
    assert ensure_sqlite_fts() is False  # all in place after migrate
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER timeline_event_fts_insert")  # what a table remake does
    assert ensure_sqlite_fts() is True
    event = EventFactory(title="Convoy at Tumangang")
    assert list(search(Event.objects.all(), "Tumangang")) == [event]
