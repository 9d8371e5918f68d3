"""The time axis layout (timeline/axis.py): pure, no database."""

import datetime as dt

import pytest

from timeline import axis, dates


def axis_event(edtf, *, title="Event", key=False, status="reported", uid="u", groups=()):
    parsed = dates.parse(edtf)
    return axis.AxisEvent(
        uid=uid,
        title=title,
        edtf=parsed.edtf,
        lower=parsed.lower,
        upper=parsed.upper,
        precision=parsed.precision.value,
        key=key,
        status=status,
        status_label=status.capitalize(),
        grade="B2",
        claimant="GUR",
        url=f"/events/{uid}/",
        groups=tuple(groups),
    )


def day_at(drawn, x):
    return dt.date.fromordinal(round(drawn.start_day + x / axis.WIDTH * (drawn.end_day - drawn.start_day)))


def test_layout_month_bar_spans_the_whole_month():
    drawn = axis.layout([axis_event("2025-04")], start=dt.date(2024, 10, 1), end=dt.date(2025, 12, 31))

    (mark,) = drawn.marks

    assert (day_at(drawn, mark.x), day_at(drawn, mark.x + mark.width)) == (dt.date(2025, 4, 1), dt.date(2025, 5, 1))
    assert (mark.point, mark.fuzzy_start, mark.fuzzy_end) == (False, False, False)


def test_layout_interval_with_approximate_start_is_hatched_at_the_start_only():
    drawn = axis.layout([axis_event("2024-10~/2025-04")], start=dt.date(2024, 10, 1), end=dt.date(2025, 12, 31))

    (mark,) = drawn.marks

    assert (day_at(drawn, mark.x), day_at(drawn, mark.x + mark.width)) == (dt.date(2024, 10, 1), dt.date(2025, 5, 1))
    assert (mark.fuzzy_start, mark.fuzzy_end) == (True, False)
    assert mark.label == "c. October 2024 – April 2025"


def test_layout_day_is_a_point_at_least_a_tap_target_wide():
    drawn = axis.layout([axis_event("2025-04-28")], start=dt.date(2020, 1, 1), end=dt.date(2029, 12, 31))

    (mark,) = drawn.marks

    assert (mark.point, mark.width) == (True, axis.MIN_MARK_WIDTH)


def test_layout_accessible_name_says_date_claim_status_and_grade():
    drawn = axis.layout(
        [axis_event("2025-06~", title="Russia announces", status="denied", key=True)],
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
    )

    assert drawn.marks[0].name == "c. June 2025: Russia announces, claimed by GUR, denied, key event, grade B2"


def test_layout_overlapping_marks_take_separate_lanes():
    events = [axis_event("2025-04", uid=str(n)) for n in range(3)]

    drawn = axis.layout(events, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))

    assert [mark.y for mark in drawn.marks] == [axis.TOP + 4 + lane * axis.LANE_HEIGHT for lane in range(3)]
    assert (drawn.lanes, drawn.bins) == (3, [])


def test_layout_counts_what_finds_no_lane_instead_of_overlapping():
    events = [axis_event("2025-04-02", uid=str(n)) for n in range(axis.MAX_LANES + 5)]

    drawn = axis.layout(events, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))

    assert (len(drawn.marks), drawn.lanes) == (axis.MAX_LANES, axis.MAX_LANES)
    assert [(one.label, one.zoom_query) for one in drawn.bins] == [("April 2025: 5 more events", "2025-04")]


def test_layout_with_counts_draws_bins_by_year_over_a_long_window():
    counts = {(2001, 4): 700, (2001, 5): 300, (2015, 0): 10}

    drawn = axis.layout([], start=dt.date(2000, 1, 1), end=dt.date(2019, 12, 31), total=1010, counts=counts)

    assert [(one.label, one.zoom_query) for one in drawn.bins] == [
        ("2001: 1000 more events", "2001"),
        ("2015: 10 more events", "2015"),
    ]
    assert drawn.counted == 1010


def test_layout_refuses_a_window_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="ends"):
        axis.layout([], start=dt.date(2025, 2, 1), end=dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    ("start", "end", "level", "first_zoom"),
    [
        (dt.date(1990, 1, 1), dt.date(2025, 12, 31), "decade", ("1990s", "1990/1999")),
        (dt.date(2020, 1, 1), dt.date(2025, 12, 31), "year", ("2020", "2020")),
        (dt.date(2024, 10, 1), dt.date(2025, 12, 31), "month", ("Oct 2024", "2024-10")),
        (dt.date(2025, 4, 1), dt.date(2025, 4, 30), "day", None),
    ],
)
def test_zoom_goes_from_decades_to_days(start, end, level, first_zoom):
    levels = axis.zoom_levels(start, end)

    assert axis.tick_level(start, end) == level
    assert (levels[0] if levels else None) == first_zoom


def test_layout_open_end_runs_hatched_to_the_window_edge():
    drawn = axis.layout([axis_event("2024-10/..")], start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31))

    (mark,) = drawn.marks

    assert (day_at(drawn, mark.x), day_at(drawn, mark.x + mark.width)) == (dt.date(2024, 10, 1), dt.date(2026, 1, 1))
    assert (mark.open_start, mark.open_end, mark.fuzzy_start, mark.fuzzy_end) == (False, True, False, True)
    assert mark.label == "since October 2024"


LANE_LABELS = ("No tag", "Other tags")


def test_layout_lanes_by_tag_draw_an_event_in_each_of_its_lanes_under_a_label():
    events = [
        axis_event("2025-04", uid="a", groups=["Troops", "Munitions"]),
        axis_event("2025-06", uid="b", groups=["Munitions"]),
        axis_event("2025-05", uid="c"),
    ]

    drawn = axis.layout(events, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), group_labels=LANE_LABELS)

    assert [(lane.label, [mark.event.uid for mark in lane.marks]) for lane in drawn.groups] == [
        ("Munitions", ["a", "b"]),
        ("Troops", ["a"]),
        ("No tag", ["c"]),
    ]
    # Each lane's rows lie below its label and above the next lane.
    munitions, troops, untagged = drawn.groups
    assert munitions.marks[0].y == munitions.y + axis.GROUP_LABEL_HEIGHT + 4
    assert troops.y >= munitions.bottom
    assert untagged.y >= troops.bottom
    assert drawn.bins_y == untagged.bottom
    assert len({mark.number for mark in drawn.marks}) == 4
    assert drawn.grouped is True


def test_layout_lanes_beyond_the_limit_go_to_other_and_full_lanes_count_the_rest():
    events = [axis_event("2025-04", uid=f"t{n}", groups=[f"Tag {n:02d}"]) for n in range(axis.MAX_GROUPS + 2)]
    crowded = [axis_event("2025-04-02", uid=f"c{n}", groups=["Tag 00"]) for n in range(axis.MAX_GROUP_ROWS + 3)]

    drawn = axis.layout(
        events + crowded, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), group_labels=LANE_LABELS
    )

    labels = [lane.label for lane in drawn.groups]
    assert labels == [f"Tag {n:02d}" for n in range(axis.MAX_GROUPS)] + ["Other tags"]
    assert [mark.event.uid for mark in drawn.groups[-1].marks] == [f"t{axis.MAX_GROUPS}", f"t{axis.MAX_GROUPS + 1}"]
    assert drawn.groups[0].rows == axis.MAX_GROUP_ROWS
    assert (drawn.groups[0].title, drawn.groups[0].description) == (
        "Tag 00 (4 more not drawn)",
        f"Tag 00: {axis.MAX_GROUP_ROWS} of {axis.MAX_GROUP_ROWS + 4} events drawn",
    )
    assert [(one.label, one.zoom_query) for one in drawn.bins] == [("April 2025: 4 more events", "2025-04")]


def test_layout_without_lanes_is_one_unlabelled_band():
    events = [axis_event("2025-04", uid="a", groups=["Troops"])]

    drawn = axis.layout(events, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))

    assert [(lane.label, lane.rows) for lane in drawn.groups] == [("", 1)]
    assert drawn.grouped is False


def test_layout_with_counts_puts_year_only_events_in_a_row_of_their_own_under_months():
    counts = {(2015, 3): 40, (2015, 0): 7}

    drawn = axis.layout([], start=dt.date(2015, 1, 1), end=dt.date(2015, 12, 31), total=47, counts=counts)

    assert [(one.label, one.zoom_query, one.row) for one in drawn.bins] == [
        ("2015 (year or season only): 7 more events", "2015", 1),
        ("March 2015: 40 more events", "2015-03", 0),
    ]
    year_only, march = drawn.bins
    assert year_only.y > march.y + march.height
    assert drawn.height == drawn.bins_y + 2 * axis.LANE_HEIGHT + 10
