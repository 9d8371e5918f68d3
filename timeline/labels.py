"""The words for claim statuses, source reliability, information credibility and confidence,
and the grade rule: written once here, read by the models' choices, every exporter, the
serializers, the pages and the admin.

Importing this module touches neither Django nor the database.
"""

from __future__ import annotations

from collections.abc import Iterable

# Claim status (value -> label), in the order editors pick them.
STATUS_LABELS: dict[str, str] = {
    "reported": "Reported",
    "claimed": "Claimed",
    "confirmed": "Confirmed",
    "disputed": "Disputed",
    "denied": "Denied",
    "retracted": "Retracted",
}
# What each status means, as the brief's key prints it.
STATUS_MEANINGS: dict[str, str] = {
    "reported": "stated by a source; nobody has formally claimed it.",
    "claimed": "asserted by a party with a stake in it (the claimant).",
    "confirmed": "corroborated by independent sources.",
    "disputed": "contested by another party or by conflicting evidence.",
    "denied": "rejected by a party concerned.",
    "retracted": "withdrawn by the party or source that made it.",
}
CONFIDENCE_MEANINGS: dict[str, str] = {
    "High confidence": "well-corroborated information from reliable sources; the judgement could still be wrong.",
    "Moderate confidence": "credibly sourced and plausible, but not corroborated enough for high confidence.",
    "Low confidence": "scant, questionable or fragmented information; a working view, not a finding.",
}
# Admiralty code: source reliability (A is best).
RELIABILITY_WORDS: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
# Admiralty code: information credibility (1 is best).
CREDIBILITY_WORDS: dict[int, str] = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}
# The reliability of an event that cites nothing.
UNJUDGED_RELIABILITY = "F"


def status_label(status: str) -> str:
    """ "Denied" for "denied"; an unknown value is returned as it is."""
    return STATUS_LABELS.get(status, status)


def choice_label(code: str | int, words: str) -> str:
    """A choice label as the admin and the API schema show it: "B – Usually reliable"."""
    return f"{code} – {words}"


def best_reliability(letters: Iterable[str]) -> str:
    """The best (lowest) reliability letter among the cited sources; F when there are none."""
    return min(letters, default=UNJUDGED_RELIABILITY) or UNJUDGED_RELIABILITY


def grade(reliability: str | None, credibility: int) -> str:
    """The Admiralty grade, reliability then credibility: "B3". A missing reliability is F."""
    return f"{reliability or UNJUDGED_RELIABILITY}{credibility}"
