"""The domain model: timelines of dated, sourced, graded events."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from timeline import dates, labels
from timeline.claims import STANCE_PARTICIPLES, Stance, made_bounds, made_display
from timeline.claims import sort_key as claim_sort_key
from timeline.history import EventHistoryExtras


class EDTFField(models.CharField):
    """A CharField holding an EDTF string.

    Whatever an editor types ("c. June 2025", "June 17, 2025", "з жовтня 2024")
    is normalised to EDTF ("2025-06~", "2025-06-17", "2024-10/..") during
    validation and before saving (``timeline.dates.parse``); text that is not a
    date raises ``ValidationError`` with the reason.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return dates.parse(value).edtf
        except dates.InvalidDate as exc:
            raise ValidationError(str(exc), code="invalid_date") from exc

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value not in self.empty_values:
            value = self.to_python(value)
            setattr(model_instance, self.attname, value)
        return value


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    UNLISTED = "unlisted", "Unlisted (readable by link)"
    PRIVATE = "private", "Private"


class ClaimStatus(models.TextChoices):
    REPORTED = "reported", labels.STATUS_LABELS["reported"]
    CLAIMED = "claimed", labels.STATUS_LABELS["claimed"]
    CONFIRMED = "confirmed", labels.STATUS_LABELS["confirmed"]
    DISPUTED = "disputed", labels.STATUS_LABELS["disputed"]
    DENIED = "denied", labels.STATUS_LABELS["denied"]
    RETRACTED = "retracted", labels.STATUS_LABELS["retracted"]


class Credibility(models.IntegerChoices):
    """Admiralty code: information credibility (1 is best)."""

    CONFIRMED = 1, labels.choice_label(1, labels.CREDIBILITY_WORDS[1])
    PROBABLY_TRUE = 2, labels.choice_label(2, labels.CREDIBILITY_WORDS[2])
    POSSIBLY_TRUE = 3, labels.choice_label(3, labels.CREDIBILITY_WORDS[3])
    DOUBTFUL = 4, labels.choice_label(4, labels.CREDIBILITY_WORDS[4])
    IMPROBABLE = 5, labels.choice_label(5, labels.CREDIBILITY_WORDS[5])
    CANNOT_JUDGE = 6, labels.choice_label(6, labels.CREDIBILITY_WORDS[6])


class Reliability(models.TextChoices):
    """Admiralty code: source reliability (A is best)."""

    A = "A", labels.choice_label("A", labels.RELIABILITY_WORDS["A"])
    B = "B", labels.choice_label("B", labels.RELIABILITY_WORDS["B"])
    C = "C", labels.choice_label("C", labels.RELIABILITY_WORDS["C"])
    D = "D", labels.choice_label("D", labels.RELIABILITY_WORDS["D"])
    E = "E", labels.choice_label("E", labels.RELIABILITY_WORDS["E"])
    F = "F", labels.choice_label("F", labels.RELIABILITY_WORDS["F"])


class Precision(models.TextChoices):
    YEAR = dates.Precision.YEAR.value, "Year"
    SEASON = dates.Precision.SEASON.value, "Season"
    MONTH = dates.Precision.MONTH.value, "Month"
    DAY = dates.Precision.DAY.value, "Day"
    MINUTE = dates.Precision.MINUTE.value, "Minute"


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    ORGANISATION = "organisation", "Organisation"
    PERSON = "person", "Person"
    MILITARY_UNIT = "military_unit", "Military unit"
    OTHER = "other", "Other"


http_url_validator = URLValidator(schemes=["http", "https"])


class TimelineQuerySet(models.QuerySet):
    def touch(self, when: Any = None) -> int:
        """Record that these timelines' content changed, never moving the time backwards."""
        from timeline.feed_validators import expire_feed_validators

        when = when or timezone.now()
        expire_feed_validators()
        return self.filter(content_changed_at__lt=when).update(content_changed_at=when)


class Timeline(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    marking = models.CharField(
        max_length=200,
        blank=True,
        help_text="Handling line printed on briefs, e.g. “UNCLASSIFIED — FOR RESEARCH USE”.",
    )
    bottom_line = models.TextField(
        blank=True,
        help_text="The analyst’s bottom line, printed first in briefs. Plain text; **bold** and *italic* allowed.",
    )
    key_judgements = models.TextField(
        blank=True,
        help_text="One judgement per line, printed after the bottom line, e.g. “We assess with moderate "
        "confidence that …”. Plain text; **bold** and *italic* allowed.",
    )
    review_required = models.BooleanField(
        "review before publishing",
        default=False,
        help_text="Changes to published events (and publishing a draft) by people who may not publish here "
        "wait for a reviewer other than their author; readers see the published version until then.",
    )
    # When any event of this timeline last changed, was deleted or (un)published.
    # Never moves backwards; drives Last-Modified and ETags of feeds and briefs.
    content_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    # Private calendar feeds: a capability token, stored only as its SHA-256 hex digest.
    feed_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    feed_token_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TimelineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("timeline:timeline-detail", kwargs={"slug": self.slug})

    def touch(self, when: Any = None) -> None:
        """Record that the timeline's content changed, never moving the time backwards."""
        Timeline.objects.filter(pk=self.pk).touch(when)


class ActorQuerySet(models.QuerySet["Actor"]):
    def matching(self, name: str) -> list[Actor]:
        """Actors one of whose names (name, native name, aliases) is ``name``, compared with
        ``Actor.name_key``; for import matching. Reads the candidates whose names contain the
        longest word of ``name``, so it stays one query however many actors there are."""
        key = Actor.name_key(name)
        if not key:
            return []
        longest = max(key.split(), key=len)
        candidates = self.filter(
            Q(name__icontains=longest) | Q(native_name__icontains=longest) | Q(aliases__icontains=longest)
        )
        return [actor for actor in candidates if key in {Actor.name_key(n) for n in actor.all_names}]


class Role(models.TextChoices):
    """What a person may do on one timeline (timeline/rules.py says it action by action)."""

    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class TimelineRole(models.Model):
    """One person's role on one timeline; managed by the timeline's owners on its admin page."""

    timeline = models.ForeignKey(Timeline, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timeline_roles")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["timeline", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["timeline", "user"], name="timeline_role_one_per_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="timeline_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.timeline}"


class Actor(models.Model):
    name = models.CharField(max_length=200, unique=True)
    native_name = models.CharField(
        max_length=200, blank=True, help_text="Name in the actor's own script, e.g. 김정은, Кирило Буданов."
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other spellings and names, one per line, e.g. Kim Jong-un, Kim Jong-eun. "
        "Admin search and import matching use them.",
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices, default=ActorKind.OTHER)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.native_name})" if self.native_name else self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def all_names(self) -> list[str]:
        """The name, the name in the actor's own script and every alias."""
        return [name for name in (self.name, self.native_name, *self.alias_list) if name]

    @staticmethod
    def name_key(text: str) -> str:
        """``text`` as compared when matching names: case-folded, hyphens and runs of spaces or
        punctuation as one space ("Kim Jong-un" and "kim jong un" compare equal)."""
        return " ".join(re.findall(r"\w+", text.casefold()))


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = self.slug_for(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def slug_for(name: str) -> str:
        """The slug a tag named ``name`` gets when none is given (random when the name has no ASCII letters)."""
        return slugify(name, allow_unicode=False)[:100] or uuid.uuid4().hex[:12]


class Source(models.Model):
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True, validators=[http_url_validator])
    archived_url = models.URLField(
        "archived copy",
        max_length=1000,
        blank=True,
        validators=[http_url_validator],
        help_text="A copy kept by a web archive (e.g. a Wayback Machine address): news pages change and vanish.",
    )
    accessed = models.DateField("access date", null=True, blank=True, help_text="When the original was read.")
    published = EDTFField(blank=True, help_text="When it was published, e.g. 2025-06 or “c. June 2025”.")
    language = models.CharField(max_length=35, blank=True, help_text="Language tag, e.g. en, uk, ko.")
    reliability = models.CharField(
        max_length=1,
        choices=Reliability.choices,
        default=Reliability.F,
        help_text="Admiralty source reliability (A is best).",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(reliability__in=Reliability.values), name="source_reliability_a_to_f"),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.publisher}" if self.publisher else self.title

    @property
    def published_display(self) -> str:
        return dates.parse_stored(self.published).display() if self.published else ""

    @property
    def lacks_archive_copy(self) -> bool:
        """An online source with no archived copy: flagged in the admin."""
        return bool(self.url) and not self.archived_url


# The HistoricalRecords behind Event.history, kept here because django-simple-history keeps
# no other handle on it: timeline/history.py writes one row per edit through it.
EVENT_HISTORY = HistoricalRecords(
    excluded_fields=["date_lower", "date_upper", "precision", "approximate", "uncertain", "search_text"],
    m2m_fields=["actors", "tags"],
    bases=[EventHistoryExtras],
)


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        """Events a reader outside the admin may see (not drafts)."""
        return self.filter(published=True)

    def in_order(self) -> EventQuerySet:
        return self.order_by("date_lower", "date_upper", "id")


class Event(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    timeline = models.ForeignKey(Timeline, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    date = EDTFField(
        help_text="EDTF or plain English: 2025-06-17, “April 2025”, “c. June 2025”, 2025?, 2024-10/2025-04."
    )
    date_lower = models.DateField(editable=False)
    date_upper = models.DateField(editable=False)
    precision = models.CharField(max_length=10, choices=Precision.choices, editable=False)
    approximate = models.BooleanField(default=False, editable=False)
    uncertain = models.BooleanField(default=False, editable=False)
    reported = EDTFField(blank=True, help_text="When it was announced or reported (EDTF or plain English).")
    location = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)])
    status = models.CharField(
        max_length=10,
        choices=ClaimStatus.choices,
        default=ClaimStatus.REPORTED,
        help_text="Derived from the claims (timeline/claims.py) unless overridden.",
    )
    status_override = models.BooleanField(
        default=False, help_text="Keep the status as set here rather than derive it from the claims."
    )
    status_override_reason = models.TextField(
        blank=True, help_text="Why the status differs from what the claims support (required with an override)."
    )
    claimant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="Who first made the claim, e.g. GUR (kept for filters; the claims below say who said what).",
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices,
        default=Credibility.CANNOT_JUDGE,
        help_text="Admiralty information credibility (1 is best).",
    )
    key = models.BooleanField(default=False, help_text="Highlight in briefs.")
    actors = models.ManyToManyField(Actor, blank=True, related_name="events")
    tags = models.ManyToManyField(Tag, blank=True, related_name="events")
    sources = models.ManyToManyField(Source, through="Citation", related_name="events", blank=True)
    published = models.BooleanField(default=False, help_text="Drafts never leave the admin.")
    external_id = models.CharField(
        "external id",
        max_length=200,
        blank=True,
        help_text="The id the event has where it was imported from (ACLED's event_id_cnty, a calendar's UID); "
        "importing the same file again updates the event instead of adding another.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # Summary, location, actor and claimant names, tags, citation quotes and source titles:
    # the indexed search document, kept by timeline.search.refresh_search_text.
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = EventQuerySet.as_manager()
    history = EVENT_HISTORY

    class Meta:
        ordering = ["date_lower", "date_upper", "id"]
        indexes = [
            models.Index(fields=["timeline", "date_lower", "date_upper"], name="event_timeline_dates"),
            models.Index(fields=["timeline", "published", "date_lower"], name="event_timeline_published"),
            models.Index(fields=["updated_at"], name="event_updated_at"),
            # ``updated_since=`` on one timeline: 863 ms → 2 ms at 1,000,000 events (the planner
            # otherwise walked the timeline in date order, filtering on the change time).
            models.Index(fields=["timeline", "updated_at"], name="event_timeline_updated"),
            # Lists across timelines (the admin, the API without ``timeline=``) in date order.
            models.Index(fields=["date_lower", "date_upper", "id"], name="event_dates"),
            # "Is this actor the claimant of any event in scope": the first such event by id.
            models.Index(fields=["claimant", "id"], name="event_claimant_id"),
            # The key events a large timeline's axis draws over its counts, in date order.
            models.Index(
                fields=["timeline", "date_lower", "date_upper", "id"], condition=Q(key=True), name="event_timeline_key"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(credibility__gte=1, credibility__lte=6), name="event_credibility_1_6"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="event_longitude_range",
            ),
            models.CheckConstraint(condition=Q(date_lower__lte=models.F("date_upper")), name="event_lower_le_upper"),
            models.CheckConstraint(condition=Q(version__gte=1), name="event_version_positive"),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="event_status_valid"),
            models.UniqueConstraint(
                fields=["timeline", "external_id"], condition=~Q(external_id=""), name="event_external_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date_display}: {self.title}" if self.date else self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, keeping the derived date columns in sync and counting the version.

        Raises ``ValidationError`` when ``date`` or ``reported`` is not a date.
        """
        from timeline.sync import change_time

        self.sync_date_columns()
        if self.reported:
            self.reported = EDTFField().to_python(self.reported)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "version",
                "updated_at",
                "date",
                "date_lower",
                "date_upper",
                "precision",
                "approximate",
                "uncertain",
            }
        # One transaction, stamped from inside it: mirrors rely on no change committing
        # with a time before the sync horizon (timeline/sync.py).
        with transaction.atomic(savepoint=False):
            if not self._state.adding:
                # Count from the stored version, not the in-memory one: a revert restores
                # an old version number, and a stale instance may hold one; neither may
                # move the version (iCal SEQUENCE, ETags) backwards.
                row = Event.objects.filter(pk=self.pk).values_list("version", "published", "timeline_id").first()
                stored, was_published, was_on = row if row is not None else (0, False, self.timeline_id)
                # What webhooks compare against (timeline.webhooks): where and whether shown before this save.
                self._stored_state = (stored or 0, was_published, was_on)
                self.version = max(stored or 0, self.version or 0) + 1
            else:
                self._stored_state = (0, False, self.timeline_id)
            now = change_time()
            self.updated_at = now
            super().save(*args, **kwargs)
            Timeline(pk=self.timeline_id).touch(now)

    def get_absolute_url(self) -> str:
        return reverse("timeline:event-detail", kwargs={"uid": self.uid})

    def clean(self) -> None:
        """Raises ``ValidationError`` on ``status_override_reason`` for an override without a reason."""
        super().clean()
        if self.status_override and not self.status_override_reason.strip():
            raise ValidationError(
                {"status_override_reason": ["Say why the status differs from what the claims support."]}
            )

    def sync_date_columns(self) -> None:
        """Derive lower/upper bounds, precision and flags from ``date``.

        Raises ``ValidationError`` on the ``date`` field for text that is not a date.
        """
        try:
            parsed = dates.parse(self.date or "")
        except dates.InvalidDate as exc:
            raise ValidationError({"date": [str(exc)]}) from exc
        self.date = parsed.edtf
        self.date_lower = parsed.lower
        self.date_upper = parsed.upper
        self.precision = parsed.precision.value
        self.approximate = parsed.approximate
        self.uncertain = parsed.uncertain

    @property
    def fuzzy_date(self) -> dates.FuzzyDate:
        return dates.parse_stored(self.date)

    @property
    def date_display(self) -> str:
        return self.fuzzy_date.display()

    @property
    def reported_display(self) -> str:
        return dates.parse_stored(self.reported).display() if self.reported else ""

    @property
    def reliability(self) -> str:
        """The best reliability among the cited sources; F when nothing is cited.

        Uses prefetched citations (``queries.events_with_relations``) when present.
        """
        return labels.best_reliability(citation.source.reliability for citation in self.citations.all())

    @property
    def grade(self) -> str:
        """Admiralty grade: source reliability + information credibility, e.g. "B3"."""
        return labels.grade(self.reliability, self.credibility)

    def derived_status(self) -> str:
        """The status the event's stored claims support (``claims.derive_status``)."""
        from timeline.claims import derive_status

        ordered = sorted(self.claims.all(), key=lambda claim: claim.sort_key)
        return derive_status((claim.claimant_id, claim.stance) for claim in ordered)


# What an editor writes on an event (the admin form and the API's write serializer).
EVENT_EDITABLE_FIELDS = (
    "timeline",
    "title",
    "summary",
    "date",
    "reported",
    "location",
    "latitude",
    "longitude",
    "status",
    "status_override",
    "status_override_reason",
    "claimant",
    "credibility",
    "key",
    "actors",
    "tags",
    "published",
)


class Citation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(blank=True, help_text="The words of the source that support the event.")
    locator = models.CharField(max_length=100, blank=True, help_text="Where in the source: paragraph, page.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        # "Is this source cited on any event in scope": the first such event from the index.
        indexes = [models.Index(fields=["source", "event"], name="citation_source_event")]

    def __str__(self) -> str:
        return f"{self.source} {self.locator}".strip()


class Claim(models.Model):
    """What one party said about an event, and when: asserts, denies, acknowledges,
    disputes or retracts it (``claims.Stance``), backed by some of the event's citations.

    Shown in the order made (``claims.sort_key``): by the day it had certainly been
    made, then its first possible day; undated claims last.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="claims_made")
    stance = models.CharField(max_length=12, choices=Stance.choices, default=Stance.ASSERTS)
    made = EDTFField(
        "made",
        blank=True,
        help_text="When the claim was made: 2024-10, “April 2025”, ../2025-04 (before April 2025).",
    )
    made_lower = models.DateField(null=True, blank=True, editable=False)
    made_upper = models.DateField(null=True, blank=True, editable=False)
    citations = models.ManyToManyField(
        Citation, blank=True, related_name="claims", help_text="The event's citations that carry this claim."
    )
    note = models.TextField(blank=True)

    history = HistoricalRecords(m2m_fields=[citations])

    class Meta:
        ordering = [F("made_upper").asc(nulls_last=True), F("made_lower").asc(nulls_first=True), "id"]
        indexes = [models.Index(fields=["claimant", "stance"], name="claim_claimant_stance")]
        constraints = [
            models.CheckConstraint(condition=Q(stance__in=Stance.values), name="claim_stance_valid"),
        ]

    def __str__(self) -> str:
        return f"{STANCE_PARTICIPLES[Stance(self.stance)]} by {self.claimant} ({made_display(self.made)})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, keeping ``made_lower``/``made_upper`` in sync with ``made``.

        Raises ``ValidationError`` when ``made`` is not a date.
        """
        self.sync_made_columns()
        super().save(*args, **kwargs)

    def sync_made_columns(self) -> None:
        """Derive ``made_lower``/``made_upper`` from ``made``; ``ValidationError`` on ``made`` if unreadable."""
        if self.made:
            try:
                self.made = dates.parse(self.made).edtf
            except dates.InvalidDate as exc:
                raise ValidationError({"made": [str(exc)]}) from exc
        self.made_lower, self.made_upper = made_bounds(self.made)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return claim_sort_key(self.made_upper, self.made_lower, self.pk)


class EventTombstone(models.Model):
    """A deleted event's uid, so that API consumers and feeds can mirror deletions."""

    uid = models.UUIDField(unique=True)
    # No database constraint: tombstones are written while a timeline's events are
    # being deleted with it; the timeline's own post_delete handler removes them.
    timeline = models.ForeignKey(Timeline, on_delete=models.DO_NOTHING, db_constraint=False, related_name="tombstones")
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["deleted_at", "id"]

    def __str__(self) -> str:
        return f"{self.uid} deleted {self.deleted_at:%Y-%m-%d %H:%M}"


# --- API tokens and idempotency keys --------------------------------------------------


class ApiToken(models.Model):
    """A key a script sends as ``Authorization: Token <key>`` (or ``Bearer <key>``).

    Only the key's SHA-256 digest is stored; the key itself is shown once, when
    ``services.api_token_create`` makes it. A read-only token may only read,
    whatever its user's permissions.
    """

    LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “nightly import script”.")
    # The first characters of the key: enough to tell tokens apart, too few to use one.
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False, help_text="Read-only tokens cannot create, change or delete.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    # Written at most once per ApiToken.LAST_USED_RESOLUTION, not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: Any = None) -> bool:
        """Whether the token authenticates at ``now``: neither revoked nor expired."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def record_use(self, now: Any = None) -> None:
        """Remember that the token was used, writing at most once per ``LAST_USED_RESOLUTION``."""
        now = now or timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < self.LAST_USED_RESOLUTION:
            return
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - self.LAST_USED_RESOLUTION)
        ApiToken.objects.filter(stale, pk=self.pk).update(last_used_at=now)
        self.last_used_at = now


class IdempotencyRecord(models.Model):
    """The first successful answer to a POST sent with an ``Idempotency-Key`` header.

    One row per user and key. The row is inserted first, in the same transaction
    as the write it guards, so two concurrent requests with the same key cannot
    both write: the unique constraint makes the second wait for (PostgreSQL) or
    fail against (SQLite) the first. ``request_digest`` tells a true repeat
    from a different request reusing the key.
    """

    KEY_MAX_LENGTH = 255

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    request_digest = models.CharField(max_length=64)
    # Empty until the guarded write returns; a committed row always carries its answer.
    status_code = models.PositiveSmallIntegerField(null=True)
    # JSON text rather than a JSONField: PostgreSQL's jsonb would reorder the keys of the answer.
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]
        indexes = [models.Index(fields=["user", "expires_at"], name="idempotency_user_expires")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in progress'})"

    def is_expired(self, now: Any = None) -> bool:
        return self.expires_at <= (now or timezone.now())


class ImportProgress(models.Model):
    """How far a queued import has got (``timeline.tasks.import_events_job``), readable by the
    web process whatever the cache: the worker may run on another machine."""

    job_id = models.CharField(max_length=64, unique=True)
    phase = models.CharField(max_length=20)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"import {self.job_id}: {self.phase} {self.done}/{self.total}"

    def as_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "done": self.done, "total": self.total}


# --- Webhooks ---------------------------------------------------------------------------


class WebhookKind(models.TextChoices):
    """What happened to an event, as a webhook tells it (``timeline.webhooks``)."""

    PUBLISHED = "published", "Published"
    CHANGED = "changed", "Changed"
    WITHDRAWN = "withdrawn", "Withdrawn (unpublished)"
    DELETED = "deleted", "Deleted"


class Webhook(models.Model):
    """An address a timeline's owner registered to be told when its published events change.

    The secret signs every delivery (HMAC-SHA256); it is shown once, when the hook is made,
    and kept because signing needs it. ``created_by`` is whose eyes the payloads are built
    with: a hook never carries what that person may not see.
    """

    timeline = models.ForeignKey(Timeline, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(
        "URL",
        max_length=1000,
        help_text="An https address receiving a POST for each event published, changed, withdrawn or deleted.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="Who or what receives it.")
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(default=True, help_text="Inactive hooks are sent nothing.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["timeline", "url", "id"]

    def __str__(self) -> str:
        return f"{self.url} ({self.timeline})" if self.timeline_id else self.url

    def clean(self) -> None:
        """Raises ``ValidationError`` on ``url`` for an address a hook may not be sent to
        (``timeline.webhooks.webhook_url_check``)."""
        from timeline.webhooks import WebhookUrlRefused, webhook_url_check

        super().clean()
        # Checked when written: a saved hook's address is checked again on every attempt.
        if self.url and (self.pk is None or not Webhook.objects.filter(pk=self.pk, url=self.url).exists()):
            try:
                webhook_url_check(self.url)
            except WebhookUrlRefused as refused:
                raise ValidationError({"url": [str(refused)]}) from None

    @property
    def secret_hint(self) -> str:
        """The secret's first characters: enough to tell secrets apart, too few to sign with."""
        return f"{self.secret[:6]}…" if self.secret else ""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"
    CANCELLED = "cancelled", "Cancelled"


class WebhookDelivery(models.Model):
    """One POST to a webhook, tried until the receiver answers 2xx or the attempts run out.

    Deliveries for the same event and hook go out in the order made: a later one waits
    while an earlier one is pending. ``body`` is the exact JSON that is signed and sent.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_uid = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=10, choices=WebhookKind.choices)
    event_version = models.PositiveIntegerField()
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The one queued job allowed to act on this delivery; a job holding another token has been superseded.
    task_token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["webhook", "event_uid", "status"], name="delivery_hook_event_status")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=WebhookKind.values), name="delivery_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_uid} v{self.event_version} → {self.webhook.url}"


# --- Review before publishing ---------------------------------------------------------


class RevisionState(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Sent back"


class Revision(models.Model):
    """A proposed change of one event, waiting for a reviewer (``timeline/review.py``).

    ``proposed`` holds the written fields and relations as plain data (foreign keys and
    m2m as ids, citations and claims whole, claims citing citations by position): the
    event itself stays as readers see it until the revision is approved.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=10, choices=RevisionState.choices, default=RevisionState.PENDING)
    proposed = models.JSONField()
    # The event's version the change was made against: approving a change to another version is refused.
    base_version = models.PositiveIntegerField()
    note = models.TextField(blank=True, help_text="The author's note to the reviewer.")
    comment = models.TextField(blank=True, help_text="The reviewer's comment (required when sending back).")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(state="pending"), name="revision_one_pending_per_event"
            ),
            models.CheckConstraint(condition=Q(state__in=RevisionState.values), name="revision_state_valid"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="revision_state_created")]

    def __str__(self) -> str:
        return f"Change of “{self.event.title}” ({self.get_state_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.state == RevisionState.PENDING
