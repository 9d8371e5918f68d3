"""The one definition of which events a request means.

The JSON API, the calendar feeds and the PDF briefs all run a request's query
parameters through :class:`EventFilter`, so what a user filters is exactly what
they export.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator, validate_slug
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from timeline import access, dates, search
from timeline.claims import STANCE_PARTICIPLES, Stance
from timeline.models import Actor, Citation, Claim, ClaimStatus, Credibility, Event, Precision, Source, Tag, Timeline


class EDTFRangeField(forms.CharField):
    """A form field that reads an EDTF date or interval (or ISO dates) into (lower, upper)."""

    # A CharField whose cleaned value is the date's bounds, not the text: the override is the point.
    def to_python(self, value: Any) -> tuple[dt.date, dt.date] | None:  # type: ignore[override]
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = dates.parse(value)
        except dates.InvalidDate as exc:
            # The reason quotes what the reader typed. django-filter's translation to
            # DRF errors applies ``message % params`` to every message, so the text
            # travels as a parameter: a "%" in it ("50%") must not be read as a format.
            raise forms.ValidationError("%(reason)s", code="invalid_date", params={"reason": str(exc)}) from exc
        return parsed.lower, parsed.upper


class EDTFRangeFilter(django_filters.Filter):
    field_class = EDTFRangeField


RELATIVE_DAY = re.compile(r"(?P<sign>[+-])(?P<amount>\d{1,5})(?P<unit>[dwmy])")
WINDOW_MESSAGE = (
    "“%(value)s” is not a day. Give a date (2025-04-17, 2025-04) or a distance from today: "
    "-90d, +30d (days), -12w (weeks), -6m (months), -1y (years), or today."
)


def is_relative_day(text: str) -> bool:
    """Whether ``text`` names a day relative to today ("-90d", "+30d", "today")."""
    text = text.strip().lower()
    return text == "today" or RELATIVE_DAY.fullmatch(text) is not None


def relative_day(text: str, today: dt.date) -> dt.date:
    """The day ``text`` ("-90d", "+2w", "-6m", "+1y", "today") names, counted from ``today``.

    Months and years keep the day of the month where it exists (31 March - 1m is 28 or
    29 February). Raises ``ValueError`` for other text or a day outside years 1-9999.
    """
    text = text.strip().lower()
    if text == "today":
        return today
    match = RELATIVE_DAY.fullmatch(text)
    if match is None:
        raise ValueError(text)
    amount = int(match["amount"]) * (-1 if match["sign"] == "-" else 1)
    unit = match["unit"]
    try:
        if unit in "dw":
            return today + dt.timedelta(days=amount * (7 if unit == "w" else 1))
        months = today.year * 12 + today.month - 1 + amount * (12 if unit == "y" else 1)
        year, month = divmod(months, 12)
        last_day = calendar.monthrange(year, month + 1)[1]
        return dt.date(year, month + 1, min(today.day, last_day))
    except (OverflowError, ValueError) as exc:
        raise ValueError(text) from exc


class WindowDayField(forms.CharField):
    """One end of a date window: a date (its first day for ``from``, its last for ``to``) or a
    day relative to today (``-90d``, ``+30d``), so a feed address can follow the calendar."""

    def __init__(self, *args: Any, end: str = "from", **kwargs: Any) -> None:
        self.end = end
        super().__init__(*args, **kwargs)

    # A CharField whose cleaned value is a day, not the text: the override is the point.
    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if len(text) > 100:
            raise forms.ValidationError(WINDOW_MESSAGE, code="invalid_day", params={"value": text[:100] + "…"})
        if is_relative_day(text):
            try:
                return relative_day(text, timezone.now().date())
            except ValueError:
                raise forms.ValidationError(WINDOW_MESSAGE, code="invalid_day", params={"value": text}) from None
        try:
            parsed = dates.parse(text)
        except dates.InvalidDate:
            raise forms.ValidationError(WINDOW_MESSAGE, code="invalid_day", params={"value": text}) from None
        return parsed.lower if self.end == "from" else parsed.upper


class WindowDayFilter(django_filters.Filter):
    field_class = WindowDayField


class ModelIdsField(django_filters.fields.ModelMultipleChoiceField):
    """Ids of rows; one too large for a database integer is invalid (SQLite would raise OverflowError)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            text = str(pk).strip().lstrip("-")
            # isascii(): str.isdigit() also accepts digits int() refuses ("¹").
            if text.isascii() and text.isdigit() and int(text) >= 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class ModelIdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ModelIdsField


class TimelineSlugField(forms.ModelChoiceField):
    """A timeline named by its slug in a text box.

    A text box rather than a list: the list would show unlisted timelines'
    slugs to readers who may open them by name but must not find them.
    Text that cannot be a slug is refused before it reaches the database.
    """

    widget = forms.TextInput

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        ProhibitNullCharactersValidator()(value)
        try:
            validate_slug(str(value))
        except forms.ValidationError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None
        return super().to_python(value)


class TimelineSlugFilter(django_filters.ModelChoiceFilter):
    field_class = TimelineSlugField


class RelatedBySlugFilter(django_filters.ModelMultipleChoiceFilter):
    """Related objects chosen by slug, matched as objects.

    django-filter would otherwise compare the slug with the related primary key.
    """

    def get_filter_predicate(self, v: Any) -> dict[str, Any]:
        return {self.field_name: v}


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no); anything else is invalid rather than silently ignored."""

    widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@dataclass(frozen=True)
class LinkTable:
    model: type[models.Model]
    column: str


# The table linking events to each related filter's objects, and its column naming the object.
LINK_TABLES = {
    "actors": LinkTable(Event.actors.through, "actor_id"),
    "tags": LinkTable(Event.tags.through, "tag_id"),
    "sources": LinkTable(Citation, "source_id"),
}

ORDERINGS = {
    "date": ("date_lower", "date_upper", "id"),
    "-date": ("-date_lower", "-date_upper", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    # With q= only: most relevant first (a title match above a match in the body).
    "relevance": ("-search_rank", "date_lower", "date_upper", "id"),
}


class EventFilter(django_filters.FilterSet):
    """Filters for events. Invalid values make the filterset invalid (a 400), never an empty list."""

    timeline = TimelineSlugFilter(
        field_name="timeline",
        to_field_name="slug",
        queryset=Timeline.objects.none(),
        help_text="Timeline slug.",
    )
    overlaps = EDTFRangeFilter(
        method="filter_overlaps",
        label="Dates overlapping",
        help_text="Events whose date range overlaps this EDTF date or interval, e.g. 2025-04 or 2024-10/2025-04.",
    )
    within = EDTFRangeFilter(
        method="filter_within",
        label="Dates within",
        help_text="Events whose whole date range lies inside this EDTF date or interval.",
    )
    precision = django_filters.MultipleChoiceFilter(choices=Precision.choices, help_text="Date precision (any of).")
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices, help_text="Claim status (any of).")
    claimant = ModelIdsFilter(
        queryset=Actor.objects.none(),
        method="filter_claimant",
        help_text="Actor id of who made any of the event's claims (any of).",
    )
    stance = django_filters.MultipleChoiceFilter(
        choices=Stance.choices,
        method="filter_stance",
        help_text="Events with a claim of this stance (any of): asserts, denies, acknowledges, disputes, retracts.",
    )
    actor = ModelIdsFilter(
        field_name="actors",
        queryset=Actor.objects.none(),
        method="filter_linked",
        help_text="Actor id involved (any of).",
    )
    tag = RelatedBySlugFilter(
        field_name="tags",
        to_field_name="slug",
        queryset=Tag.objects.none(),
        method="filter_linked",
        help_text="Tag slug (any of).",
    )
    source = ModelIdsFilter(
        field_name="sources",
        queryset=Source.objects.none(),
        method="filter_linked",
        help_text="Cited source id (any of).",
    )
    min_credibility = django_filters.ChoiceFilter(
        choices=[(str(value), label) for value, label in Credibility.choices],
        method="filter_min_credibility",
        label="Credibility no worse than",
        empty_label="Any",
        help_text="Worst information credibility to include (1 is best): 3 means 1, 2 or 3.",
    )
    key = StrictBooleanFilter(help_text="Key events only (true) or non-key only (false).")
    published = StrictBooleanFilter(
        method="filter_published", help_text="Editors only: published (true) or drafts (false)."
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        label="Search",
        help_text="Search titles, summaries, locations, actor names (native too), tags, citation quotes and "
        "source titles; every word must match (a word's beginning is enough).",
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed since",
        help_text="Events changed at or after this ISO 8601 time.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="filter_ordering",
        empty_label=None,
        label="Order by",
        help_text="date (default), -date, updated, -updated, or relevance (with q=: the latest "
        f"{settings.TIMELINE_SEARCH_RANK_LIMIT:,} matches by date, most relevant first).",
    )

    class Meta:
        model = Event
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices come from the access policy: a private timeline's slug, or an
        # actor, source or tag the reader may not see, answers exactly like an
        # unknown one, and never lends its name to describe().
        user = getattr(self.request, "user", None)
        self.filters["timeline"].queryset = access.timelines_visible_to(user)
        scope = self.choice_scope()
        self.filters["claimant"].queryset = access.actors_visible_to(user, events=scope)
        self.filters["actor"].queryset = access.actors_visible_to(user, events=scope)
        self.filters["source"].queryset = access.sources_visible_to(user, events=scope)
        self.filters["tag"].queryset = access.tags_visible_to(user, events=scope)

    def choice_scope(self) -> QuerySet[Event]:
        """The events whose names may be chosen: the base queryset (what the reader may
        see here), narrowed to the named timeline, so names used only on another
        unlisted timeline stay out of reach."""
        scope = self.queryset
        slug = self.data.get("timeline") if self.is_bound else None
        if isinstance(slug, str) and slug:
            try:
                validate_slug(slug)
            except forms.ValidationError:
                return scope.none()
            scope = scope.filter(timeline__slug=slug)
        return scope

    def filter_overlaps(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if not value:
            return queryset
        lower, upper = value
        return queryset.filter(date_lower__lte=upper, date_upper__gte=lower)

    def filter_within(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if not value:
            return queryset
        lower, upper = value
        return queryset.filter(date_lower__gte=lower, date_upper__lte=upper)

    def filter_linked(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        """Events linked to any of ``value`` (actors, tags or cited sources), as ``EXISTS``.

        A join with ``SELECT DISTINCT`` sorted every column of the matching events:
        652 ms at 1,000,000 events (the sort spilled to disk); ``EXISTS`` over the
        link table's (object, event) index took 50 ms.
        """
        if not value:
            return queryset
        links = LINK_TABLES[name]
        matching = links.model._default_manager.filter(
            **{"event_id": OuterRef("pk"), f"{links.column}__in": [obj.pk for obj in value]}
        )
        return queryset.filter(Exists(matching))

    def visible_claims(self) -> QuerySet[Claim]:
        """Claims the reader may see (``access.claims_visible_to``): a hidden claim matches no filter."""
        return access.claims_visible_to(getattr(self.request, "user", None))

    def filter_claimant(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if not value:
            return queryset
        if connection.vendor == "postgresql":
            # The ids of both kinds, each from its index: an OR of the claimant column and an
            # EXISTS over claims cannot use either index and read the whole events table.
            claiming = Event.objects.filter(claimant__in=value).order_by().values("pk")
            claimed_in = self.visible_claims().filter(claimant__in=value).order_by().values("event_id")
            return queryset.filter(pk__in=claiming.union(claimed_in))
        claimed = self.visible_claims().filter(event=OuterRef("pk"), claimant__in=value)
        return queryset.filter(Q(claimant__in=value) | Q(Exists(claimed)))

    def filter_stance(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if not value:
            return queryset
        return queryset.filter(Exists(self.visible_claims().filter(event=OuterRef("pk"), stance__in=value)))

    def filter_min_credibility(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if value in (None, ""):
            return queryset
        return queryset.filter(credibility__lte=int(value))

    def filter_published(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if value is None:
            return queryset
        # Readers without the view permission only ever see published events
        # (the base queryset); the filter narrows, it never widens.
        return queryset.filter(published=value)

    def filter_search(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        """Every word must appear in the title, summary, location, an actor's name, a tag,
        a citation's quote or a cited source's title (``timeline.search``); annotates
        ``search_rank``. Only narrows ``queryset``: never an event the reader may not see."""
        return search.search(queryset, value or "")

    def filter_ordering(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if value == "relevance" and "search_rank" not in queryset.query.annotations:
            # Without q= every event is equally relevant.
            value = "date"
        return queryset.order_by(*ORDERINGS.get(value or "date", ORDERINGS["date"]))

    # Query parameters that are not filters but travel with them: the API's pages
    # and DRF's format override.
    PASS_THROUGH_PARAMETERS = frozenset({"cursor", "page_size", "format"})

    def is_valid(self) -> bool:
        """Valid filter values, and no unknown parameter: a typo ("tags=") must not
        silently answer with everything."""
        valid = super().is_valid()
        if not self.is_bound:
            return valid
        unknown = sorted(set(self.data) - set(self.filters) - self.PASS_THROUGH_PARAMETERS)
        for name in unknown:
            self.form.errors[name] = self.form.error_class(
                [f"Unknown parameter. Filters are: {', '.join(self.filters)}."]
            )
        return valid and not unknown

    def filter_queryset(self, queryset: QuerySet[Event]) -> QuerySet[Event]:
        # Date order unless an ``ordering`` parameter says otherwise.
        queryset = super().filter_queryset(queryset.order_by(*ORDERINGS["date"]))
        if self.form.cleaned_data.get("ordering") == "relevance" and "search_rank" in queryset.query.annotations:
            queryset = search.rank_window(queryset)
        return queryset

    def describe(self) -> list[str]:
        """The applied filters in words, e.g. ["Tag: munitions", "Credibility 1–3"].

        Call only on a valid filterset.
        """
        data = self.form.cleaned_data
        words: list[str] = []
        if data.get("timeline"):
            words.append(f"Timeline: {data['timeline'].title}")
        for key, label in (("overlaps", "Dates overlapping"), ("within", "Dates within")):
            if data.get(key):
                words.append(f"{label} {dates.format_day_range(*data[key])}")
        for key, label in (("from", "From"), ("to", "Until")):
            if data.get(key):
                words.append(f"{label} {dates.format_day_range(data[key], data[key])}")
        if data.get("precision"):
            names = dict(Precision.choices)
            words.append("Precision: " + ", ".join(str(names[p]).lower() for p in data["precision"]))
        if data.get("status"):
            names = dict(ClaimStatus.choices)
            words.append("Status: " + ", ".join(str(names[s]).lower() for s in data["status"]))
        if data.get("stance"):
            words.append("Claims: " + ", ".join(STANCE_PARTICIPLES[Stance(s)] for s in data["stance"]))
        for key, label in (
            ("claimant", "Claimed by"),
            ("actor", "Actor"),
            ("tag", "Tag"),
            ("source", "Source"),
        ):
            if data.get(key):
                words.append(f"{label}: " + ", ".join(_object_name(obj) for obj in data[key]))
        if data.get("min_credibility") not in (None, ""):
            worst = int(data["min_credibility"])
            words.append("Credibility 1" if worst == 1 else f"Credibility 1–{worst}")
        if data.get("key") is not None:
            words.append("Key events only" if data["key"] else "Non-key events only")
        if data.get("published") is not None:
            words.append("Published only" if data["published"] else "Drafts only")
        if data.get("q"):
            words.append(f"Search: “{data['q']}”")
        if data.get("updated_since"):
            words.append(f"Changed since {data['updated_since']:%Y-%m-%d %H:%M} UTC")
        return words


# ``from`` and ``to`` are Python keywords, so they cannot be declared as class attributes.
EventFilter.base_filters["from"] = WindowDayFilter(
    field_name="date_upper",
    lookup_expr="gte",
    end="from",
    label="From",
    help_text="Events that reach this day or later: a date, or a distance from today such as -90d "
    "(also w, m, y; with to=+30d a window that moves with the calendar).",
)
EventFilter.base_filters["to"] = WindowDayFilter(
    field_name="date_lower",
    lookup_expr="lte",
    end="to",
    label="To",
    help_text="Events that start on this day or earlier: a date, or a distance from today such as +30d.",
)


def window_anchor(params: Any) -> str:
    """Today's date when ``params`` (a QueryDict) hold a window relative to today, else "".

    Whatever caches an answer for these parameters (ETags, stored bodies) must also key it
    on this: the same address means other events tomorrow.
    """
    for name in ("from", "to"):
        if any(is_relative_day(str(value)) for value in params.getlist(name)):
            return timezone.now().date().isoformat()
    return ""


def _object_name(obj: Any) -> str:
    return getattr(obj, "name", None) or getattr(obj, "title", None) or str(obj)
