"""The status rule, the claim words and the claim order (timeline/claims.py), without a database."""

import datetime as dt
import itertools

import pytest

from timeline.claims import (
    ClaimView,
    Stance,
    claim_phrase,
    claims_header_value,
    claims_line,
    derive_status,
    made_bounds,
    made_display,
    sort_key,
)

A, D, K, U, R = "asserts", "denies", "acknowledges", "disputes", "retracts"

# One claimant: every stance.
ONE_CLAIMANT = {
    (): "reported",
    (A,): "claimed",
    (D,): "denied",
    (K,): "confirmed",
    (U,): "disputed",
    (R,): "retracted",
}

# Two independent claimants, every unordered pair of stances (15), written out by hand.
TWO_CLAIMANTS = {
    (A, A): "confirmed",
    (A, D): "disputed",
    (A, K): "confirmed",
    (A, U): "disputed",
    (A, R): "claimed",
    (D, D): "denied",
    (D, K): "confirmed",
    (D, U): "disputed",
    (D, R): "denied",
    (K, K): "confirmed",
    (K, U): "confirmed",
    (K, R): "confirmed",
    (U, U): "disputed",
    (U, R): "disputed",
    (R, R): "retracted",
}


@pytest.mark.parametrize(("stances", "expected"), ONE_CLAIMANT.items())
def test_derive_status_one_claimant_each_stance(stances, expected):
    claims = [("GUR", stance) for stance in stances]

    assert derive_status(claims) == expected


@pytest.mark.parametrize(("stances", "expected"), TWO_CLAIMANTS.items())
def test_derive_status_two_claimants_every_pair(stances, expected):
    first, second = stances

    in_order = derive_status([("GUR", first), ("DPRK", second)])
    reversed_order = derive_status([("DPRK", second), ("GUR", first)])

    assert (in_order, reversed_order) == (expected, expected)


def test_derive_status_table_covers_every_pair_of_stances():
    pairs = {tuple(sorted(pair)) for pair in itertools.combinations_with_replacement(Stance.values, 2)}

    assert pairs == {tuple(sorted(pair)) for pair in TWO_CLAIMANTS}


@pytest.mark.parametrize(("earlier", "later"), list(itertools.product(Stance.values, repeat=2)))
def test_derive_status_same_claimant_later_claim_replaces_earlier(earlier, later):
    status = derive_status([("DPRK", earlier), ("DPRK", later)])

    assert status == ONE_CLAIMANT[(later,)]


def test_derive_status_seed_story_denied_then_acknowledged_is_confirmed():
    story = [("GUR", A), ("DPRK", D), ("DPRK", K)]

    assert [derive_status(story[:n]) for n in (1, 2, 3)] == ["claimed", "disputed", "confirmed"]


def test_derive_status_three_claimants_assert_assert_deny_is_disputed():
    assert derive_status([("GUR", A), ("Reuters", A), ("DPRK", D)]) == "disputed"


def test_derive_status_assertion_retracted_leaves_the_denial():
    assert derive_status([("GUR", A), ("DPRK", D), ("GUR", R)]) == "denied"


def test_derive_status_unknown_stance_raises():
    with pytest.raises(ValueError, match="Unknown stance 'says'"):
        derive_status([("GUR", "says")])


def test_made_display_open_start_reads_before():
    shown = [made_display(edtf) for edtf in ("2024-10", "../2025-04", "2025-04", "2024-10/..", "2025?", "")]

    assert shown == ["Oct 2024", "before Apr 2025", "Apr 2025", "since Oct 2024", "2025?", "date unknown"]


def test_sort_key_orders_by_when_certainly_made_undated_last():
    made = ["", "2025-04", "../2025-04", "2024-10", "2026-01"]
    keys = {edtf: sort_key(*reversed(made_bounds(edtf)), index) for index, edtf in enumerate(made)}

    ordered = sorted(made, key=keys.__getitem__)

    assert ordered == ["2024-10", "../2025-04", "2025-04", "2026-01", ""]


def test_claims_line_and_header_value_match_issue_wording():
    claims = [
        ClaimView(claimant="GUR", stance=A, made="2024-10"),
        ClaimView(claimant="DPRK", stance=D, made="../2025-04"),
        ClaimView(claimant="DPRK", stance=K, made="2025-04"),
    ]

    line = claims_line(claims)
    header = claims_header_value(claims)

    assert line == "Asserted by GUR (Oct 2024) · denied by DPRK (before Apr 2025) · acknowledged by DPRK (Apr 2025)"
    assert header == "asserts 2024-10 GUR | denies ../2025-04 DPRK | acknowledges 2025-04 DPRK"
    assert claim_phrase(claims[1]) == "denied by DPRK (before Apr 2025)"
    assert claims_line([]) == ""


def test_made_bounds_of_open_start_runs_from_day_one():
    assert made_bounds("../2025-04") == (dt.date(1, 1, 1), dt.date(2025, 4, 30))
