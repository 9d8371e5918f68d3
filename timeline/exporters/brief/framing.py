"""What a decision maker reads first: the analyst's bottom line and key judgements, and
how well the events are sourced. Imported only when rendering."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from timeline.exporters.brief.data import BriefEvent, BriefInfo, BriefSource
from timeline.exporters.brief.text import BriefText

# Grades of the best source below C: D (not usually reliable), E, F.
WEAK_RELIABILITY = frozenset("DEF")


@dataclass(frozen=True, slots=True)
class Sourcing:
    """How the brief's events rest on their sources."""

    events: int
    sources: int
    single_source: int
    no_source: int
    claimed: int
    weak_sources: int
    top_claimant: str
    top_claimant_events: int
    # (claimant, claims, "2 asserted, 1 denied"), most claims first.
    claims_per_claimant: tuple[tuple[str, int, str], ...] = ()


def sourcing_of(events: list[BriefEvent], sources: list[BriefSource]) -> Sourcing:
    """Count, over ``events``: distinct sources cited, events citing exactly one source or
    none, events only claimed by a party (status "claimed"), events whose best source is
    graded below C, and the claimant named most often."""
    cited = [len({citation.source_id for citation in event.citations}) for event in events]
    claimants = Counter(event.claimant for event in events if event.claimant)
    top_claimant, top_count = min(claimants.items(), key=lambda item: (-item[1], item[0]), default=("", 0))
    return Sourcing(
        events=len(events),
        sources=len(sources),
        single_source=sum(1 for count in cited if count == 1),
        no_source=sum(1 for count in cited if count == 0),
        claimed=sum(1 for event in events if event.status == "claimed"),
        weak_sources=sum(1 for event in events if event.grade[:1] in WEAK_RELIABILITY),
        top_claimant=top_claimant,
        top_claimant_events=top_count,
        claims_per_claimant=claims_per_claimant(events),
    )


def claims_per_claimant(events: list[BriefEvent]) -> tuple[tuple[str, int, str], ...]:
    """Each claimant's claims over ``events``, most first (then by name), with the stances
    counted in words: ("DPRK", 2, "1 denied, 1 acknowledged")."""
    stances: dict[str, Counter[str]] = {}
    for event in events:
        for claim in event.claims:
            stances.setdefault(claim.claimant, Counter())[claim.participle] += 1
    rows = [
        (name, sum(counts.values()), ", ".join(f"{n} {word}" for word, n in counts.items()))
        for name, counts in stances.items()
    ]
    return tuple(sorted(rows, key=lambda row: (-row[1], row[0])))


def framing(info: BriefInfo, *, text: BriefText, styles: dict[str, Any]) -> list[Any]:
    """The bottom line and the key judgements (one per line), or nothing when neither is given."""
    from reportlab.platypus import ListFlowable, ListItem, Paragraph

    story: list[Any] = []
    if info.bottom_line.strip():
        story.append(Paragraph("Bottom line", styles["h3"]))
        story += [
            Paragraph(text.emphasis(paragraph), styles["lead"]) for paragraph in info.bottom_line.strip().split("\n\n")
        ]
    judgements = [line.strip().lstrip("-•").strip() for line in info.key_judgements.splitlines() if line.strip()]
    if judgements:
        story.append(Paragraph("Key judgements", styles["h3"]))
        items = [
            ListItem(Paragraph(text.emphasis(line), styles["lead"]), value=n) for n, line in enumerate(judgements, 1)
        ]
        story.append(
            ListFlowable(
                items, bulletType="1", bulletFormat="%s.", bulletFontName=styles["lead"].fontName, bulletFontSize=9
            )
        )
        story.append(
            Paragraph(
                "Confidence words (high, moderate, low) are the analyst’s and are defined in the key.",
                styles["note"],
            )
        )
    return story


def sourcing_summary(events: list[BriefEvent], sources: list[BriefSource], *, styles: dict[str, Any]) -> list[Any]:
    """Sourcing at a glance, as a short table of counts."""
    from reportlab.platypus import Paragraph

    if not events:
        return [Paragraph("No events, so nothing to source.", styles["note"])]
    counts = sourcing_of(events, sources)

    def share(count: int) -> str:
        return f"<b>{count:,}</b> of {counts.events:,}"

    lines = [
        f"<b>{counts.sources:,}</b> source{'s' if counts.sources != 1 else ''} cited in all.",
        f"{share(counts.single_source)} events rest on a single source; {share(counts.no_source)} cite none.",
        f"{share(counts.claimed)} events are claims by one party, not confirmed by others.",
        f"{share(counts.weak_sources)} events rest on sources graded below C (D, E or F).",
    ]
    if counts.top_claimant:
        lines.append(
            f"The claimant named most often, {BriefText().markup(counts.top_claimant)}, "
            f"stands behind {share(counts.top_claimant_events)} events."
        )
    if counts.claims_per_claimant:
        markup = BriefText().markup
        parts = [f"{markup(name)} <b>{total:,}</b> ({words})" for name, total, words in counts.claims_per_claimant]
        lines.append("Claims per claimant: " + "; ".join(parts) + ".")
    return [Paragraph("• " + line, styles["lead"]) for line in lines]
