"""The reader pages (timeline/views.py): the list of timelines, the axis, the embed and oEmbed."""

import datetime as dt
import json

import lxml.html
import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, EditorFactory, EventFactory, TagFactory, TimelineFactory
from timeline import axis
from timeline.models import Event, Visibility
from timeline.views import PAGE_SIZE


def parse(response):
    return lxml.html.fromstring(response.content.decode())


def texts(tree, xpath):
    return [" ".join(element.text_content().split()) for element in tree.xpath(xpath)]


def csp(response):
    parts = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_index_lists_public_timelines_with_counts_ranges_and_links(client):
    public = TimelineFactory(slug="dprk", title="DPRK", description="Troops and munitions.")
    EventFactory(timeline=public, date="2024-10~/2025-04")
    EventFactory(timeline=public, date="2025-06-17")
    EventFactory(timeline=public, date="2026-01", published=False)
    TimelineFactory(title="Hidden by link", visibility=Visibility.UNLISTED)
    TimelineFactory(title="Private", visibility=Visibility.PRIVATE)

    response = client.get("/")

    tree = parse(response)
    assert response.status_code == 200
    assert texts(tree, "//li[@class='timeline-card']/h2") == ["DPRK"]
    assert texts(tree, "//li[@class='timeline-card']//span[@class='count']") == ["2 events"]
    assert texts(tree, "//li[@class='timeline-card']//span[@class='range']") == ["1 October 2024 – 17 June 2025"]
    assert tree.xpath("//li[@class='timeline-card']//p[@class='card-links']/a/@href") == [
        "/timelines/dprk/",
        "/timelines/dprk/calendar.ics",
        "/timelines/dprk/brief.pdf",
    ]


@pytest.mark.django_db
def test_index_is_where_the_admin_view_site_link_leads(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert parse(response).xpath("//div[@id='user-tools']//a[text()='View site']/@href") == ["/"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_index_query_count_constant(client, django_assert_num_queries, count):
    for _ in range(count):
        EventFactory()

    # 1 the listed timelines, 2 count, date range and last change of their visible events
    with django_assert_num_queries(2):
        response = client.get("/")

    assert len(parse(response).xpath("//li[@class='timeline-card']")) == count


@pytest.mark.django_db
def test_timeline_page_draws_marks_and_groups_the_list_by_month(client):
    timeline = TimelineFactory(slug="dprk")
    april = EventFactory(timeline=timeline, title="Shells shipped", date="2025-04", key=True)
    span = EventFactory(timeline=timeline, title="Troops in Kursk", date="2024-10~/2025-04", status="denied")
    year = EventFactory(timeline=timeline, title="Engineers", date="2025?")

    response = client.get("/timelines/dprk/")

    tree = parse(response)
    marks = {mark.get("data-event-uid"): mark for mark in tree.xpath("//svg//a[contains(@class, 'mark')]")}
    assert set(marks) == {str(april.uid), str(span.uid), str(year.uid)}
    assert marks[str(span.uid)].get("aria-label") == ("c. October 2024 – April 2025: Troops in Kursk, denied, grade F3")
    assert "key" in marks[str(april.uid)].get("class").split()
    assert "status-denied" in marks[str(span.uid)].get("class").split()
    assert len(marks[str(span.uid)].xpath(".//*[contains(@class, 'fuzzy')]")) == 1
    assert texts(tree, "//h3[@class='period']") == [
        "October 2024 (1)",
        "2025 (year or season only) (1)",
        "April 2025 (1)",
    ]
    assert texts(tree, "//ol[@class='events']/li/span[@class='date']") == [
        "c. October 2024 – April 2025",
        "2025?",
        "April 2025",
    ]


@pytest.mark.django_db
def test_timeline_page_filters_are_checkboxes_with_visible_help_in_a_closed_disclosure(client):
    EventFactory(timeline=TimelineFactory(slug="dprk"))

    response = client.get("/timelines/dprk/")

    tree = parse(response)
    (details,) = tree.xpath("//details[@class='filters']")
    assert details.get("open") is None
    assert tree.xpath("//select[@multiple]") == []
    assert len(tree.xpath("//input[@type='checkbox'][@name='status']")) == 6
    assert texts(tree, "//p[@id='help-status']") == ["Claim status (any of)."]
    assert tree.xpath("//input[@name='q']/@aria-describedby") == ["help-q"]
    assert tree.xpath("//label[@title]") == []


@pytest.mark.django_db
def test_timeline_page_zooms_without_javascript_through_overlaps(client):
    timeline = TimelineFactory(slug="dprk")
    EventFactory(timeline=timeline, date="2024-10")
    EventFactory(timeline=timeline, date="2025-04-28")

    whole = parse(client.get("/timelines/dprk/"))
    zoomed_response = client.get("/timelines/dprk/", {"overlaps": "2025-04"})

    zoomed = parse(zoomed_response)
    assert whole.xpath("//details[@class='zoom-periods']//a/@href")[:2] == ["?overlaps=2024-10", "?overlaps=2024-11"]
    assert zoomed.xpath("//section[@class='axis']/@data-start-day") == [str(dt.date(2025, 4, 1).toordinal())]
    assert texts(zoomed, "//ol[@class='events']/li/span[@class='date']") == ["28 April 2025"]
    assert zoomed.xpath("//nav[@class='zoom']/a/@href") == ["?"]
    assert texts(zoomed, "//svg//g[@class='tick']/*[local-name()='text']")[:2] == ["1 Apr", "4 Apr"]


@pytest.mark.django_db
def test_timeline_page_of_many_events_counts_instead_of_drawing_and_pages_the_list(client):
    timeline = TimelineFactory(slug="big")
    events = []
    for n in range(axis.MARK_LIMIT + 1):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=n * 3)
        events.append(
            Event(
                timeline=timeline,
                title=f"Event {n}",
                date=day.isoformat(),
                date_lower=day,
                date_upper=day,
                precision="day",
                key=n % 100 == 0,
                published=True,
            )
        )
    Event.objects.bulk_create(events)

    response = client.get("/timelines/big/", {"page": "2"})

    tree = parse(response)
    assert len(tree.xpath("//svg//a[contains(@class, 'mark')]")) == 5
    bins = tree.xpath("//svg//a[@class='bin']/@aria-label")
    assert sum(int(label.split(": ")[1].split()[0]) for label in bins) == axis.MARK_LIMIT + 1 - 5
    assert len(tree.xpath("//ol[@class='events']/li")) == PAGE_SIZE
    assert texts(tree, "//h2[@id='list-heading']") == [f"{axis.MARK_LIMIT + 1} events, 101–200 shown"]
    assert tree.xpath("//nav[@class='pager']/a/@href") == ["?", "?page=3"]


@pytest.mark.django_db
def test_timeline_page_refuses_framing_and_offers_the_embed_code(client):
    EventFactory(timeline=TimelineFactory(slug="dprk", title="DPRK"))

    response = client.get("/timelines/dprk/")

    tree = parse(response)
    assert (csp(response)["frame-ancestors"], response["X-Frame-Options"]) == (["'none'"], "DENY")
    assert texts(tree, "//textarea[@class='embed-code']") == [
        '<iframe src="http://testserver/timelines/dprk/embed/" title="Timeline: DPRK" width="100%" height="600"'
        ' loading="lazy"></iframe>'
    ]
    assert tree.xpath("//link[@type='application/json+oembed']/@href") == [
        "http://testserver/oembed/?url=http%3A%2F%2Ftestserver%2Ftimelines%2Fdprk%2F&format=json"
    ]


@pytest.mark.django_db
def test_embed_may_be_framed_by_the_configured_origins(client, settings):
    settings.TIMELINE_EMBED_FRAME_ANCESTORS = ["https://news.example.org", "https://*.example.net"]
    event = EventFactory(timeline=TimelineFactory(slug="dprk"))

    response = client.get("/timelines/dprk/embed/")

    tree = parse(response)
    assert csp(response)["frame-ancestors"] == ["https://news.example.org", "https://*.example.net"]
    assert response.has_header("X-Frame-Options") is False
    assert tree.xpath("//svg//a[contains(@class, 'mark')]/@data-event-uid") == [str(event.uid)]
    assert tree.xpath("//svg//a[contains(@class, 'mark')]/@target") == ["_top"]
    assert tree.xpath("//details[@class='filters']") == []


@pytest.mark.django_db
def test_embed_of_a_private_timeline_refuses_framing(client):
    timeline = TimelineFactory(slug="secret", visibility=Visibility.PRIVATE)
    EventFactory(timeline=timeline)
    client.force_login(EditorFactory())

    response = client.get("/timelines/secret/embed/")

    assert response.status_code == 200
    assert (csp(response)["frame-ancestors"], response["X-Frame-Options"]) == (["'none'"], "DENY")


@pytest.mark.django_db
def test_oembed_answers_rich_json_for_a_public_timeline(client):
    TimelineFactory(slug="dprk", title="DPRK")

    response = client.get("/oembed/", {"url": "http://testserver/timelines/dprk/?tag=troops"})

    body = response.json()
    assert (body["type"], body["version"], body["title"], body["width"], body["height"]) == (
        "rich",
        "1.0",
        "DPRK",
        800,
        600,
    )
    assert parse_fragment(body["html"]).get("src") == "http://testserver/timelines/dprk/embed/"


def parse_fragment(html):
    return lxml.html.fragment_fromstring(html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://testserver/timelines/secret/", 404),
        ("http://testserver/timelines/nothing-here/", 404),
        ("http://testserver/admin/", 404),
        ("", 404),
    ],
)
def test_oembed_refuses_what_is_not_an_embeddable_timeline(client, url, status):
    TimelineFactory(slug="secret", visibility=Visibility.PRIVATE)

    response = client.get("/oembed/", {"url": url})

    assert response.status_code == status


@pytest.mark.django_db
def test_oembed_offers_json_only(client):
    TimelineFactory(slug="dprk")

    response = client.get("/oembed/", {"url": "http://testserver/timelines/dprk/", "format": "xml"})

    assert response.status_code == 501


@pytest.mark.django_db
def test_event_page_carries_json_ld_reading_and_change_count(client):
    event = EventFactory(title="Shells </script> shipped", date="c. June 2025", location="Rason")
    CitationFactory(event=event)
    event.title = "Shells </script> shipped to Russia"
    event.save()

    response = client.get(event.get_absolute_url())

    tree = parse(response)
    (data,) = [json.loads(script.text) for script in tree.xpath("//script[@type='application/ld+json']")]
    assert (data["@type"], data["name"], data["startDate"], data["endDate"]) == (
        "Event",
        "Shells </script> shipped to Russia",
        "2025-06-01",
        "2025-06-30",
    )
    assert texts(tree, "//dl[@class='facts']/dd[1]/span") == [
        "Read as c. June 2025 → 1–30 June 2025, month precision, approximate."
    ]
    assert "Changed 1 time, last" in texts(tree, "//p[@class='meta']")[0]


@pytest.mark.django_db
def test_timeline_page_keeps_chosen_checkboxes_ticked_and_describes_the_filter(client):
    timeline = TimelineFactory(slug="dprk")
    EventFactory(timeline=timeline, status="denied", title="Denied one")
    EventFactory(timeline=timeline, status="confirmed", title="Confirmed one")

    response = client.get("/timelines/dprk/", {"status": ["denied", "retracted"], "page": "9"})

    tree = parse(response)
    assert tree.xpath("//input[@name='status'][@checked]/@value") == ["denied", "retracted"]
    assert texts(tree, "//p[@class='showing']") == ["Showing: Status: denied, retracted · Clear filters"]
    assert texts(tree, "//ol[@class='events']/li/a") == ["Denied one"]
    assert tree.xpath("//a[text()='PDF brief']/@href") == [
        "http://testserver/timelines/dprk/brief.pdf?status=denied&status=retracted"
    ]


@pytest.mark.django_db
def test_timeline_page_with_open_intervals_spans_the_stated_days(client):
    timeline = TimelineFactory(slug="dprk")
    since = EventFactory(timeline=timeline, date="2024-10/..", title="Since October")
    until = EventFactory(timeline=timeline, date="../2025-04-28", title="Until April")

    response = client.get("/timelines/dprk/")
    zoomed = parse(client.get("/timelines/dprk/", {"overlaps": "2025-01/.."}))

    tree = parse(response)
    assert tree.xpath("//section[@class='axis']/@data-start-day") == [str(dt.date(2024, 10, 1).toordinal())]
    assert tree.xpath("//section[@class='axis']/@data-end-day") == [str(dt.date(2025, 5, 1).toordinal())]
    labels = {mark.get("data-event-uid"): mark.get("aria-label") for mark in tree.xpath("//svg//a")}
    assert labels[str(since.uid)].startswith("since October 2024: Since October")
    assert labels[str(until.uid)].startswith("until 28 April 2025: Until April")
    assert texts(tree, "//h3[@class='period']") == ["Start not known (1)", "October 2024 (1)"]
    assert zoomed.xpath("//section[@class='axis']/@data-end-day") == [str(dt.date(2025, 5, 1).toordinal())]


@pytest.mark.django_db
def test_timeline_page_lanes_by_tag_without_javascript_keep_filters_and_zoom(client):
    timeline = TimelineFactory(slug="dprk")
    troops, shells = TagFactory(name="Troops", slug="troops"), TagFactory(name="Shells", slug="shells")
    both = EventFactory(timeline=timeline, title="Troops and shells", date="2025-04")
    both.tags.add(troops, shells)
    only_troops = EventFactory(timeline=timeline, title="Troops only", date="2025-05")
    only_troops.tags.add(troops)
    untagged = EventFactory(timeline=timeline, title="Untagged", date="2025-06")

    plain = parse(client.get("/timelines/dprk/", {"status": "reported"}))
    response = client.get("/timelines/dprk/", {"status": "reported", "lanes": "tag"})

    tree = parse(response)
    lanes = tree.xpath("//svg//*[local-name()='g'][@role='group']")
    assert [lane.get("aria-label") for lane in lanes] == ["Troops: 2 events", "Shells: 1 event", "No tag: 1 event"]
    assert [lane.xpath(".//*[local-name()='a']/@data-event-uid") for lane in lanes] == [
        [str(both.uid), str(only_troops.uid)],
        [str(both.uid)],
        [str(untagged.uid)],
    ]
    assert texts(tree, "//svg//*[@class='lane-label']") == ["Troops", "Shells", "No tag"]
    # The control: links, the chosen one marked; each keeps the filter.
    assert texts(plain, "//nav[@class='lanes-control']/a") == ["None", "By tag", "By actor"]
    assert plain.xpath("//nav[@class='lanes-control']/a/@href") == [
        "?status=reported",
        "?status=reported&lanes=tag",
        "?status=reported&lanes=actor",
    ]
    assert tree.xpath("//nav[@class='lanes-control']/a[@aria-current='true']/text()") == ["By tag"]
    # Zooming keeps the lanes; exports and the embed's filter do not need them.
    assert tree.xpath("//details[@class='zoom-periods']//a/@href")[0] == "?status=reported&lanes=tag&overlaps=2025-04"
    assert "lanes" not in tree.xpath("//a[text()='PDF brief']/@href")[0]
    assert "lanes=tag" in tree.xpath("//textarea[@class='embed-code']/text()")[0]


@pytest.mark.django_db
def test_timeline_page_lanes_by_actor_name_only_actors_of_visible_events(client):
    timeline = TimelineFactory(slug="dprk")
    gur = ActorFactory(name="GUR")
    EventFactory(timeline=timeline, date="2025-04").actors.add(gur)
    EventFactory(timeline=timeline, date="2025-05", published=False).actors.add(ActorFactory(name="Hidden unit"))

    response = client.get("/timelines/dprk/", {"lanes": "actor"})

    assert texts(parse(response), "//svg//*[@class='lane-label']") == ["GUR"]
    assert "Hidden unit" not in response.content.decode()


@pytest.mark.django_db
def test_timeline_page_unknown_lanes_value_is_400_with_a_message(client):
    EventFactory(timeline=TimelineFactory(slug="dprk"))

    response = client.get("/timelines/dprk/", {"lanes": "colour"})

    assert response.status_code == 400
    assert texts(parse(response), "//ul[@class='errorlist']/li") == [
        "“lanes”: “colour” is not a choice: use lanes=tag or lanes=actor."
    ]


@pytest.mark.django_db
def test_timeline_page_of_many_events_in_one_year_counts_year_only_events_in_their_own_row(client):
    timeline = TimelineFactory(slug="big")
    days = [dt.date(2015, 1, 1) + dt.timedelta(days=n % 365) for n in range(axis.MARK_LIMIT + 1)]
    events = [
        Event(
            timeline=timeline,
            title=f"Event {n}",
            date=day.isoformat(),
            date_lower=day,
            date_upper=day,
            precision="day",
            published=True,
        )
        for n, day in enumerate(days)
    ]
    events.append(
        Event(
            timeline=timeline,
            title="Sometime in 2015",
            date="2015",
            date_lower=dt.date(2015, 1, 1),
            date_upper=dt.date(2015, 12, 31),
            precision="year",
            published=True,
        )
    )
    Event.objects.bulk_create(events)

    response = client.get("/timelines/big/", {"overlaps": "2015"})

    assert response.status_code == 200
    bins = parse(response).xpath("//svg//a[@class='bin']/@aria-label")
    assert bins[0] == "2015 (year or season only): 1 more event"
    assert sum(int(label.split(": ")[1].split()[0]) for label in bins) == axis.MARK_LIMIT + 2
