"""The access policy over every surface: reader × timeline visibility × published/draft.

A secret event sits on a "target" timeline, with an actor (also its claimant), a
cited source and a tag used nowhere else, all named with the marker ZQX. Beside
it, a public "open" timeline holds ordinary events. For each reader and case,
every surface is asked about the secret names. A name the reader may not see
must appear nowhere, and asking for a hidden object must answer exactly as
asking for one that does not exist (same status, same body once the asked-for
value is swapped).
"""

import io
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EditorFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    UserFactory,
)

MARKER = "ZQX"
MISSING_ID = "987654321"
MISSING_SLUG = "no-such-tag"
READERS = ["anonymous", "no-permission user", "editor", "superuser"]
VISIBILITIES = ["public", "unlisted", "private"]


@dataclass
class World:
    secret_event: object
    actor_id: str
    source_id: str
    tag_slug: str


@dataclass
class Expect:
    listed: bool  # in lists and filters that name no timeline
    named: bool  # when the request names the target timeline
    timeline_readable: bool


def make_world(visibility: str, published: bool) -> World:
    opened = TimelineFactory(slug="open", title="Open timeline", visibility="public")
    open_actor, open_source = ActorFactory(name="Open actor"), SourceFactory(title="Open source")
    open_tag = TagFactory()
    CitationFactory(
        event=EventFactory(timeline=opened, claimant=open_actor, actors=[open_actor], tags=[open_tag]),
        source=open_source,
    )
    target = TimelineFactory(slug="target", title="Target timeline", visibility=visibility)
    actor = ActorFactory(name=f"Secret actor {MARKER}", native_name=f"비밀 {MARKER}")
    source = SourceFactory(title=f"Secret source {MARKER}", publisher=f"Hidden desk {MARKER}")
    tag = TagFactory(name=f"Secret tag {MARKER}", slug="hush-tag")
    secret = EventFactory(
        timeline=target,
        title=f"Secret event {MARKER}",
        published=published,
        claimant=actor,
        actors=[actor],
        tags=[tag],
    )
    CitationFactory(event=secret, source=source, quote=f"Quoted {MARKER}")
    return World(secret_event=secret, actor_id=str(actor.pk), source_id=str(source.pk), tag_slug=tag.slug)


def client_as(reader: str) -> Client:
    client = Client()
    if reader == "no-permission user":
        client.force_login(UserFactory())
    elif reader == "editor":
        client.force_login(EditorFactory())
    elif reader == "superuser":
        client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def expectation(reader: str, visibility: str, published: bool) -> Expect:
    privileged = reader in ("editor", "superuser")
    return Expect(
        listed=privileged or (published and visibility == "public"),
        named=privileged or (published and visibility in ("public", "unlisted")),
        timeline_readable=privileged or visibility in ("public", "unlisted"),
    )


def text_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


def answer(response) -> tuple[int, str]:
    return response.status_code, text_of(response)


def hidden_like_missing(client: Client, path: str, name: str, value: str, missing: str, extra=None) -> None:
    """Asking for ``value`` answers like asking for ``missing``, and names nothing secret."""
    secret = client.get(path, {**(extra or {}), name: value})
    absent = client.get(path, {**(extra or {}), name: missing})

    status, body = answer(secret)
    assert MARKER not in body, (path, name)
    assert (status, body) == (absent.status_code, text_of(absent).replace(missing, value)), (path, name)
    assert status in (400, 404), (path, name, status)


@pytest.mark.django_db
@pytest.mark.parametrize("published", [True, False], ids=["published", "draft"])
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("reader", READERS)
def test_access_matrix_leaks_no_hidden_name(reader, visibility, published):
    world = make_world(visibility, published)
    expect = expectation(reader, visibility, published)
    client = client_as(reader)
    api = reverse("api:event-list")
    by_name = {"actor": world.actor_id, "claimant": world.actor_id, "source": world.source_id, "tag": world.tag_slug}
    missing = {"actor": MISSING_ID, "claimant": MISSING_ID, "source": MISSING_ID, "tag": MISSING_SLUG}

    # Reference lists and details.
    for kind in ("actor", "source", "tag"):
        listing = client.get(reverse(f"api:{kind}-list"))
        assert (listing.status_code, MARKER in listing.content.decode()) == (200, expect.listed), kind
    for kind, key in (("actor", world.actor_id), ("source", world.source_id), ("tag", world.tag_slug)):
        lookup = "slug" if kind == "tag" else "pk"
        detail = client.get(reverse(f"api:{kind}-detail", kwargs={lookup: key}))
        if expect.listed:
            assert detail.status_code == 200, kind
        else:
            absent = client.get(reverse(f"api:{kind}-detail", kwargs={lookup: missing[kind]}))
            assert (detail.status_code, detail.json()) == (404, absent.json()), kind

    # Event filters in the JSON API, with and without the target timeline named.
    for name, value in by_name.items():
        if expect.listed:
            assert client.get(api, {name: value}).status_code == 200, name
        else:
            hidden_like_missing(client, api, name, value, missing[name])
        scoped = {"timeline": "target"}
        if expect.named:
            response = client.get(api, {**scoped, name: value})
            assert (response.status_code, len(response.json()["results"])) == (200, 1), name
        elif expect.timeline_readable:
            hidden_like_missing(client, api, name, value, missing[name], extra=scoped)
        else:
            hidden_like_missing(client, api, "timeline", "target", "no-such-timeline")

    # The browsable API's page and its "Filters" form; OPTIONS and the schema.
    browsable = client.get(api, HTTP_ACCEPT="text/html")
    assert (browsable.status_code, MARKER in browsable.content.decode()) == (200, expect.listed)
    # The timeline box is free text: no list of (unlisted) timelines to read slugs or titles from.
    assert "Target timeline" not in browsable.content.decode()
    assert MARKER not in client.options(api).content.decode()
    assert MARKER not in client.get(reverse("api:schema")).content.decode()

    # The open timeline's page, feed and brief: the secret names belong to another timeline.
    open_page = client.get(reverse("timeline:timeline-detail", kwargs={"slug": "open"}))
    privileged = reader in ("editor", "superuser")
    assert (open_page.status_code, MARKER in open_page.content.decode()) == (200, privileged)
    open_feed = reverse("timeline:timeline-feed", kwargs={"slug": "open"})
    open_brief = reverse("timeline:timeline-brief", kwargs={"slug": "open"})
    open_page_path = reverse("timeline:timeline-detail", kwargs={"slug": "open"})
    for name, value in by_name.items():
        # Feeds are read by calendar apps without a session: the same for every reader.
        hidden_like_missing(client, open_feed, name, value, missing[name])
        if not privileged:
            hidden_like_missing(client, open_page_path, name, value, missing[name])
            hidden_like_missing(client, open_brief, name, value, missing[name])

    # The target timeline's own page, feed and brief.
    page_path = reverse("timeline:timeline-detail", kwargs={"slug": "target"})
    feed_path = reverse("timeline:timeline-feed", kwargs={"slug": "target"})
    brief_path = reverse("timeline:timeline-brief", kwargs={"slug": "target"})
    if expect.timeline_readable:
        page = client.get(page_path)
        assert (page.status_code, MARKER in page.content.decode()) == (200, expect.named)
        for name, value in by_name.items():
            if expect.named:
                shown = client.get(page_path, {name: value})
                kind = "actor" if name == "claimant" else name
                assert (shown.status_code, f"Secret {kind} {MARKER}" in text_of(shown)) == (200, True), name
            else:
                hidden_like_missing(client, page_path, name, value, missing[name])
                hidden_like_missing(client, brief_path, name, value, missing[name])
        brief = client.get(brief_path, {"source": world.source_id}) if expect.named else None
        if brief is not None:
            assert (brief.status_code, f"Secret source {MARKER}" in text_of(brief)) == (200, True)
    else:
        for path in (page_path, brief_path):
            assert answer(client.get(path)) == answer(client.get(path.replace("target", "no-such-timeline")))
    feed_published = visibility in ("public", "unlisted") and published
    if visibility == "private":
        assert answer(client.get(feed_path)) == answer(client.get(feed_path.replace("target", "no-such-timeline")))
    else:
        feed = client.get(feed_path, {"actor": world.actor_id}) if feed_published else None
        if feed is not None:
            assert (feed.status_code, f"(Actor: Secret actor {MARKER}" in text_of(feed)) == (200, True)
        else:
            hidden_like_missing(client, feed_path, "actor", world.actor_id, MISSING_ID)

    # Mirrors: the deleted event is named only to readers who could list it.
    since = timezone.now().isoformat()
    uid = str(world.secret_event.uid)
    world.secret_event.delete()
    deleted = client.get(reverse("api:event-deleted"), {"since": since})
    assert (deleted.status_code, uid in deleted.content.decode()) == (200, expect.listed)
    scoped = client.get(reverse("api:event-deleted"), {"since": since, "timeline": "target"})
    if expect.timeline_readable:
        assert (scoped.status_code, uid in scoped.content.decode()) == (200, expect.named)
    else:
        assert (scoped.status_code, scoped.json()) == (400, {"timeline": ["Unknown timeline “target”."]})
