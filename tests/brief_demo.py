"""A demo-like timeline for brief tests and previews: three scripts, uncertain dates,
key events, long text and every markup attack string as user data."""

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, TagFactory, TimelineFactory

ATTACK_STRINGS = [
    "a<b",
    "Kim & Co <Pyongyang>",
    '<img src="/etc/passwd"/>',
    '<a href="javascript:x">click</a>',
    "<font size=400>huge</font>",
    "R&D<3 &amp; <b>bold</b> <seq/> <onDraw name=x/>",
]
LONG_URL = "https://news.example.org/" + "very-long-path-segment-" * 8 + "?q=" + "x" * 60


def demo_brief_timeline(*, slug="kursk", extra_events=0):
    """Create a public timeline with 12 + ``extra_events`` published events; return it."""
    timeline = TimelineFactory(
        slug=slug,
        title="North Korean troops in the Kursk offensive",
        description="What is known about the deployment of DPRK soldiers to Russia’s Kursk region, "
        "2024–2025, and how far each report can be trusted.",
        marking="UNCLASSIFIED — FOR RESEARCH USE",
    )
    budanov = ActorFactory(name="Kyrylo Budanov", native_name="Кирило Буданов")
    kim = ActorFactory(name="Kim Jong Un", native_name="김정은")
    gur = ActorFactory(name="GUR")
    munitions = TagFactory(name="munitions", slug="munitions")
    casualties = TagFactory(name="casualties", slug="casualties")
    interview = SourceFactory(
        title="Інтерв’ю: Кирило Буданов про КНДР", publisher="Українська правда", reliability="B", published="2025-04"
    )
    kcna = SourceFactory(title="조선중앙통신 보도", publisher="KCNA", reliability="E", published="2025-04-28")
    long_source = SourceFactory(title="A report with a very long address", url=LONG_URL, reliability="C")
    bad_link = SourceFactory(title="Link with a script scheme", url="javascript:alert(1)", reliability="F")
    specs = [
        {
            "title": "First DPRK units reported in Kursk",
            "date": "2024-10~",
            "status": "claimed",
            "claimant": gur,
            "key": True,
            "location": "Kursk region",
            "credibility": 2,
            "summary": "Ukrainian intelligence says the first units arrived.",
        },
        {
            "title": "Deployment reported",
            "date": "2024-10/2024-12",
            "status": "reported",
            "credibility": 3,
            "summary": "Reports place the deployment somewhere between October and December 2024.",
            "key": True,
        },
        {
            "title": "Budanov: casualties heavy",
            "date": "2025-01-15",
            "status": "claimed",
            "claimant": budanov,
            "credibility": 3,
            "summary": "Кирило Буданов каже, що втрати великі. Київ, ҐЄІЇ ґєії.",
            "tags": [casualties],
        },
        {
            "title": "김정은 acknowledges the deployment",
            "date": "2025-04-28",
            "status": "confirmed",
            "claimant": kim,
            "key": True,
            "credibility": 1,
            "location": "Pyongyang (평양)",
            "summary": "김정은 위원장이 파병을 공식 인정했다. Confirmed by KCNA.",
        },
        {
            "title": "Shell deliveries continue",
            "date": "2025?",
            "status": "reported",
            "credibility": 4,
            "tags": [munitions],
            "summary": "Munitions deliveries reportedly continued through the year.",
        },
        {
            "title": "Summer rotation",
            "date": "2025-22",
            "status": "disputed",
            "credibility": 5,
            "summary": "A rotation of troops is said to have happened in summer.",
        },
    ]
    for index, attack in enumerate(ATTACK_STRINGS):
        specs.append(
            {
                "title": f"Attack {index}: {attack}",
                "date": f"2025-0{(index % 6) + 2}-1{index}",
                "summary": f"Summary with {attack} inside.",
                "location": attack,
                "credibility": 6,
            }
        )
    specs.append(
        {
            "title": "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3,
            "date": "2025-03",
            "summary": "Long words and addresses wrap: " + LONG_URL,
            "credibility": 3,
        }
    )
    for index in range(extra_events):
        specs.append({"title": f"Extra event {index}", "date": f"2025-{(index % 12) + 1:02d}-0{(index % 9) + 1}"})
    events = []
    for spec in specs:
        tags = spec.pop("tags", [])
        event = EventFactory(timeline=timeline, **spec)
        event.tags.add(*tags)
        event.actors.add(budanov if "Буданов" in event.summary else kim)
        events.append(event)
    CitationFactory(event=events[0], source=interview, quote="Перші підрозділи КНДР вже на Курщині.", locator="para. 3")
    CitationFactory(event=events[2], source=interview, quote="Втрати великі — Кирило Буданов.", locator="para. 9")
    CitationFactory(event=events[3], source=kcna, quote="김정은 동지께서 말씀하셨다.", locator="")
    CitationFactory(event=events[1], source=long_source, quote="Kim & Co <Pyongyang> said a<b.", locator="p. 2")
    CitationFactory(event=events[4], source=bad_link, quote="", locator="")
    return timeline
