"""Claims: who said what about an event, and when. The stance words and the status rule.

An event's status is derived from its claims (``derive_status``) unless an editor
overrides it with a reason. Every surface (feed, brief, pages, admin, API) formats
a claim with ``claim_phrase`` / ``claims_line`` from here, so the words agree.

The rule, applied to each claimant's latest stance (claims in the order they were
made; a later claim by the same party replaces its earlier one):

1. no claims: **reported**;
2. acknowledged by any party (a party concedes what concerns it): **confirmed**;
3. asserted by two or more independent claimants, denied or disputed by none: **confirmed**;
4. asserted and denied or disputed, neither retracted: **disputed**;
5. asserted by one claimant, denied or disputed by none: **claimed**;
6. only disputed (by anyone), not asserted: **disputed**;
7. only denied, not asserted: **denied**;
8. every party retracted what it said: **retracted**.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from timeline import dates


class Stance(models.TextChoices):
    """What a claimant says about an event."""

    ASSERTS = "asserts", "Asserts"
    DENIES = "denies", "Denies"
    ACKNOWLEDGES = "acknowledges", "Acknowledges"
    DISPUTES = "disputes", "Disputes"
    RETRACTS = "retracts", "Retracts"


# The past participle each stance reads as in a claim line: "denied by DPRK (before Apr 2025)".
STANCE_PARTICIPLES = {
    Stance.ASSERTS: "asserted",
    Stance.DENIES: "denied",
    Stance.ACKNOWLEDGES: "acknowledged",
    Stance.DISPUTES: "disputed",
    Stance.RETRACTS: "retracted",
}

# The stance an event's status stands for when only a claimant and a status are known (an
# imported row; migration 0010 keeps its own frozen copy for events made before claims).
STANCE_FOR_STATUS = {
    "reported": Stance.ASSERTS,
    "claimed": Stance.ASSERTS,
    "confirmed": Stance.ASSERTS,
    "disputed": Stance.DISPUTES,
    "denied": Stance.DENIES,
    "retracted": Stance.RETRACTS,
}

# The rule as the admin shows it, one line per outcome, in the order it is applied.
STATUS_RULE = (
    "Each claimant counts with its latest claim.",
    "No claims: reported.",
    "Acknowledged by a party (conceding what concerns it): confirmed.",
    "Asserted by two or more independent claimants, denied or disputed by none: confirmed.",
    "Asserted and denied or disputed, neither retracted: disputed.",
    "Asserted by one claimant, denied or disputed by none: claimed.",
    "Only disputed: disputed. Only denied: denied.",
    "Every claimant retracted: retracted.",
    "An editor may override the derived status, giving a reason.",
)


def derive_status(claims: Iterable[tuple[Any, str]]) -> str:
    """The event status (a ``ClaimStatus`` value) that ``claims`` support.

    ``claims`` are (claimant key, stance value) pairs in the order they were made;
    a claimant's later claim replaces its earlier one. See the module docstring
    for the rule. Raises ``ValueError`` for a stance that is not a ``Stance``.
    """
    latest: dict[Any, str] = {}
    for claimant, stance in claims:
        if stance not in Stance.values:
            raise ValueError(f"Unknown stance {stance!r}; stances are {', '.join(Stance.values)}.")
        latest.pop(claimant, None)
        latest[claimant] = stance
    if not latest:
        return "reported"
    stances = list(latest.values())
    asserting = stances.count(Stance.ASSERTS)
    denying = stances.count(Stance.DENIES)
    disputing = stances.count(Stance.DISPUTES)
    if Stance.ACKNOWLEDGES in stances:
        return "confirmed"
    if asserting and (denying or disputing):
        return "disputed"
    if asserting >= 2:
        return "confirmed"
    if asserting == 1:
        return "claimed"
    if disputing:
        return "disputed"
    if denying:
        return "denied"
    return "retracted"


def made_display(edtf: str, *, short: bool = True) -> str:
    """When a claim was made, as a claim line says it: "Oct 2024", "before Apr 2025",
    "since Oct 2024", "date unknown" for an empty date."""
    if not edtf:
        return "date unknown"
    parsed = dates.parse_stored(edtf)
    if parsed.start is None and parsed.end is not None and parsed.start_kind is dates.End.OPEN:
        return f"before {parsed.end.label(short=short)}"
    return parsed.display(short=short)


def made_bounds(edtf: str) -> tuple[dt.date | None, dt.date | None]:
    """The (lower, upper) days of a claim's date, (None, None) when unknown.

    Claims sort by the day they had certainly been made (``upper``), then by
    ``lower``: "Oct 2024" < "before Apr 2025" < "Apr 2025".
    """
    if not edtf:
        return None, None
    parsed = dates.parse_stored(edtf)
    return parsed.lower, parsed.upper


def sort_key(made_upper: dt.date | None, made_lower: dt.date | None, pk: int | None) -> tuple[Any, ...]:
    """The order claims are shown in: by when made (upper, then lower bound), unknown last."""
    return (made_upper is None, made_upper or dt.date.max, made_lower or dt.date.min, pk or 0)


def written_in_order(written: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Claims as written (dicts with ``made``), in the order made (:func:`sort_key`), as they
    will be stored and read; claims made alike keep the order written."""

    def key(item: tuple[int, Mapping[str, Any]]) -> tuple[Any, ...]:
        lower, upper = made_bounds(item[1].get("made", ""))
        return sort_key(upper, lower, item[0])

    return [claim for _, claim in sorted(enumerate(written), key=key)]


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim as the surfaces show it: plain values, no model instances."""

    claimant: str
    stance: str
    made: str
    note: str = ""
    quote: str = ""
    reliability: str = ""

    @property
    def made_display(self) -> str:
        return made_display(self.made)

    @property
    def participle(self) -> str:
        return STANCE_PARTICIPLES[Stance(self.stance)]

    @property
    def line(self) -> str:
        """The claim alone, capitalised, with its sources' best grade when any:
        "Denied by DPRK (before Apr 2025) · sources graded B"."""
        text = claim_phrase(self)
        text = text[:1].upper() + text[1:]
        return f"{text} · sources graded {self.reliability}" if self.reliability else text


def claim_view_of(claim: Any, backing: Mapping[int, tuple[str, str]]) -> ClaimView:
    """A ``Claim`` (prefetched by ``queries.claims_prefetch``) as a ``ClaimView``; ``backing`` maps
    the event's citation ids to (source reliability, quote)."""
    cited = [backing[c.pk] for c in getattr(claim, "citation_id_list", ()) if c.pk in backing]
    return ClaimView(
        claimant=claim.claimant.name,
        stance=claim.stance,
        made=claim.made,
        note=claim.note,
        quote=next((quote for _, quote in cited if quote), ""),
        reliability=min((reliability for reliability, _ in cited), default=""),
    )


def claim_phrase(claim: ClaimView) -> str:
    """One claim in words: "denied by DPRK (before Apr 2025)"."""
    return f"{claim.participle} by {claim.claimant} ({claim.made_display})"


def claims_line(claims: Sequence[ClaimView]) -> str:
    """All of an event's claims on one line, first letter capitalised:
    "Asserted by GUR (Oct 2024) · denied by DPRK (before Apr 2025) · acknowledged by DPRK (Apr 2025)".
    Empty when there are none."""
    line = " · ".join(claim_phrase(claim) for claim in claims)
    return line[:1].upper() + line[1:]


def claims_header_value(claims: Sequence[ClaimView]) -> str:
    """The claims for scripts (iCalendar ``X-TIMELINE-CLAIMS``): ``<stance> <made> <claimant>`` per
    claim, claims separated by " | ", e.g. "asserts 2024-10 GUR | denies ../2025-04 DPRK".

    Stance and EDTF hold no spaces, so ``part.split(" ", 2)`` reads a claim back; an undated claim
    says "unknown". No semicolons or commas: iCalendar escapes them in text, and readers differ
    on unescaping properties they do not know.
    """
    return " | ".join(f"{c.stance} {c.made or 'unknown'} {c.claimant.replace('|', '/')}" for c in claims)
