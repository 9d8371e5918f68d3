"""API representations: read serializers, and write serializers where writing differs.

Events are read with their relations nested (actors, tags, citations with
sources) and written with the same shapes: a relation may be given as its key
(actor id, tag slug, source id) or as the object the API returned, so a client
can GET an event, change it and PUT it back. Citations are written with the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.urls import reverse
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from timeline import claims, dates, labels, links, services
from timeline.claims import Stance
from timeline.history import event_change_recorded
from timeline.models import (
    EVENT_EDITABLE_FIELDS,
    Actor,
    Citation,
    Claim,
    Event,
    Source,
    Tag,
    Timeline,
    http_url_validator,
)
from timeline.queries import RELATION_LISTS

# Stands in for an event's uid in link templates: the nil UUID, which uuid4 never produces.
UID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def absolute_url(context: Mapping[str, Any], path: str) -> str:
    """``path`` made absolute with the request in the serializer context (left relative without one)."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class RejectUnknownFieldsMixin:
    """Refuse keys a write serializer does not know, instead of silently dropping them.

    ``ignored_fields`` lists read-only keys of the read representation that a
    client may send back unchanged (they are ignored, not written).
    """

    ignored_fields: frozenset[str] = frozenset()
    unknown_message = "Unknown field."

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            known = set(self.fields) | self.ignored_fields  # type: ignore[attr-defined]
            unknown = {name: [self.unknown_message] for name in sorted(set(data) - known)}
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                exc.detail.update(cast(dict[str, Any], unknown))
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StringsOnlyMixin:
    """Accept JSON strings only: DRF's text fields would store ``0`` as ``"0"`` and ``true`` as ``"True"``."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(StringsOnlyMixin, serializers.CharField):
    pass


class StrictSlugField(StringsOnlyMixin, serializers.SlugField):
    pass


class StrictURLField(StringsOnlyMixin, serializers.URLField):
    pass


class StrictEmailField(StringsOnlyMixin, serializers.EmailField):
    pass


@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}], "maxLength": 1000}
)
class OptionalURLField(StrictURLField):
    """An http(s) address, or the empty string for none (the schema says both)."""


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only: DRF's field would also read ``0``, ``"yes"`` and ``"off"``."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictNumberMixin:
    """JSON numbers only: DRF's numeric fields would also read ``"1.5"`` and ``true``."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictFloatField(StrictNumberMixin, serializers.FloatField):
    pass


class StrictIntegerField(StrictNumberMixin, serializers.IntegerField):
    pass


class StrictChoiceField(serializers.ChoiceField):
    """A choice given with its JSON type: ``3`` for an integer choice, never ``"3"``."""

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        if isinstance(data, bool) or not any(type(data) is type(key) for key in self.choices):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Base of the write serializers: unknown keys refused, and every value of its JSON type
    (a string for text, a number for numbers, true/false for flags), as the schema says."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.EmailField: StrictEmailField,
        models.BooleanField: StrictBooleanField,
        models.FloatField: StrictFloatField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
    }
    serializer_choice_field = StrictChoiceField


class EDTFTextField(StrictCharField):
    """A date as EDTF or a phrase ("2025-06~", "c. June 2025", "17 червня 2025"), stored as EDTF.

    Invalid text fails validation with the parser's reason (month 13, an interval
    that ends before it starts, ...).
    """

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if text == "":
            return text
        try:
            return dates.parse(text).edtf
        except dates.InvalidDate as exc:
            raise serializers.ValidationError(str(exc), code="invalid_date") from exc


class ListOfRelatedField(serializers.ManyRelatedField):
    """A JSON array of related objects: DRF's field would also iterate an object's keys."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class KeyedRelatedField(serializers.RelatedField):
    """A related object written by its key, or as an object carrying that key.

    Subclasses name the key (``key_name``) and what it is called in messages.
    """

    key_name = "id"
    noun = "object"
    default_error_messages = {
        "does_not_exist": "Unknown {noun} “{value}”.",
        "incorrect_type": "Give the {noun}'s {key_name}, or an object with “{key_name}” in it.",
        "null_characters": "Null characters are not allowed.",
    }

    def key_from(self, data: Any) -> Any:
        """The key in ``data``; fails unless it is an integer id or a non-empty slug without NUL
        (which PostgreSQL refuses in a query)."""
        if isinstance(data, Mapping):
            data = data.get(self.key_name)
        if self.key_name == "id":
            # A JSON integer, as the schema says; "5" is not an id.
            if isinstance(data, bool) or not isinstance(data, int):
                self.fail("incorrect_type", noun=self.noun, key_name=self.key_name)
        elif not isinstance(data, str) or not data:
            self.fail("incorrect_type", noun=self.noun, key_name=self.key_name)
        elif "\x00" in data:
            self.fail("null_characters")
        return data

    def to_internal_value(self, data: Any) -> Any:
        key = self.key_from(data)
        try:
            queryset = self.get_queryset()
            assert queryset is not None, "a writable reference field has a queryset"
            return queryset.get(**{self.key_name: key})
        except ObjectDoesNotExist:
            self.fail("does_not_exist", noun=self.noun, value=key)

    def to_representation(self, value: Any) -> Any:
        return getattr(value, self.key_name)

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> ListOfRelatedField:
        # DRF's many_init, building the list field that takes JSON arrays only.
        list_kwargs: dict[str, Any] = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return ListOfRelatedField(**list_kwargs)


def documented_ref(field_class: type[KeyedRelatedField]) -> type[KeyedRelatedField]:
    """Declares in OpenAPI what a reference field reads: the key, or an object holding it."""
    key, noun = field_class.key_name, field_class.noun
    json_type = "integer" if key == "id" else "string"
    article = "an" if noun[0] in "aeiou" else "a"
    return extend_schema_field(
        {
            "oneOf": [{"type": json_type}, {"type": "object", "properties": {key: {"type": json_type}}}],
            "description": f"{noun.capitalize()} {key}, or {article} {noun} object as the API returns it.",
        }
    )(field_class)


@documented_ref
class ActorRefField(KeyedRelatedField):
    noun = "actor"


@documented_ref
class TagRefField(KeyedRelatedField):
    key_name = "slug"
    noun = "tag"


@documented_ref
class SourceRefField(KeyedRelatedField):
    noun = "source"


@documented_ref
class TimelineRefField(KeyedRelatedField):
    key_name = "slug"
    noun = "timeline"


# --- Reference data -----------------------------------------------------------


class ActorSerializer(StrictModelSerializer):
    class Meta:
        model = Actor
        fields = ("id", "name", "native_name", "kind", "description", "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")


class TagSerializer(StrictModelSerializer):
    class Meta:
        model = Tag
        fields = ("slug", "name")
        extra_kwargs = {"slug": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Without a slug, the one made from the name must be free ("TROOPS!" when "troops" exists is a 400)."""
        if not attrs.get("slug") and "name" in attrs and (self.instance is None or not self.instance.slug):
            slug = Tag.slug_for(attrs["name"])
            holder = Tag.objects.filter(slug=slug).first()
            if holder is not None:
                raise serializers.ValidationError(
                    {
                        "name": [
                            f"This name makes the slug “{slug}”, which the tag “{holder.name}” has; "
                            "choose another name or give a slug."
                        ]
                    }
                )
        return super().validate(attrs)


class SourceSerializer(StrictModelSerializer):
    # DRF drops the model's URL validators for its own, which allows ftp://.
    url = OptionalURLField(max_length=1000, required=False, allow_blank=True, validators=[http_url_validator])
    published = EDTFTextField(max_length=100, required=False, allow_blank=True)
    published_display = serializers.CharField(read_only=True)

    class Meta:
        model = Source
        fields = (
            "id",
            "title",
            "publisher",
            "url",
            "published",
            "published_display",
            "language",
            "reliability",
            "notes",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")


class TimelineSerializer(StrictModelSerializer):
    links = serializers.SerializerMethodField()

    class Meta:
        model = Timeline
        fields = (
            "slug",
            "title",
            "description",
            "visibility",
            "marking",
            "content_changed_at",
            "created_at",
            "updated_at",
            "links",
        )
        read_only_fields = ("content_changed_at", "created_at", "updated_at")

    @extend_schema_field(
        inline_serializer(
            "TimelineLinks",
            {
                "self": serializers.URLField(),
                "events": serializers.URLField(),
                "calendar": serializers.URLField(),
                "brief": serializers.URLField(),
            },
        )
    )
    def get_links(self, timeline: Timeline) -> dict[str, str]:
        events = reverse("api:event-list") + f"?timeline={timeline.slug}"
        return {
            "self": absolute_url(self.context, reverse("api:timeline-detail", kwargs={"slug": timeline.slug})),
            "events": absolute_url(self.context, events),
            "calendar": absolute_url(self.context, links.timeline_calendar_path(timeline.slug)),
            "brief": absolute_url(self.context, links.timeline_brief_path(timeline.slug)),
        }


# --- Events: read ----------------------------------------------------------------


class ActorSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ("id", "name", "native_name", "kind")
        read_only_fields = fields


class TagSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("slug", "name")
        read_only_fields = fields


class SourceSummarySerializer(serializers.ModelSerializer):
    url = OptionalURLField(read_only=True)

    class Meta:
        model = Source
        fields = ("id", "title", "publisher", "url", "published", "reliability")
        read_only_fields = fields


class CitationSerializer(serializers.ModelSerializer):
    # A field named "source" shadows DRF's Field.source attribute, as DRF allows.
    source = SourceSummarySerializer(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Citation
        fields = ("source", "quote", "locator")
        read_only_fields = fields


# Lists render hundreds of these per page: plain fields that build the same shapes
# as the summary serializers above (which document them) without a nested
# serializer per item.


def with_derived(fields: tuple[str, ...], derived: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """``fields`` in order, each followed by the names ``derived`` lists for it."""
    return tuple(name for field in fields for name in (field, *derived.get(field, ())))


def related(event: Event, name: str) -> list[Any]:
    """An event's related objects: the list ``queries.events_with_relation_lists`` made, else
    ``prefetch_related``'s cache read without cloning a queryset per row, else a query."""
    listed = getattr(event, RELATION_LISTS[name], None)
    if listed is not None:
        return listed
    cache = getattr(event, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(event, name).all())


def actor_summary(actor: Actor) -> dict[str, Any]:
    return {"id": actor.pk, "name": actor.name, "native_name": actor.native_name, "kind": actor.kind}


def tag_summary(tag: Tag) -> dict[str, Any]:
    return {"slug": tag.slug, "name": tag.name}


def citation_summary(citation: Citation) -> dict[str, Any]:
    source = citation.source
    return {
        "source": {
            "id": source.pk,
            "title": source.title,
            "publisher": source.publisher,
            "url": source.url,
            "published": source.published,
            "reliability": source.reliability,
        },
        "quote": citation.quote,
        "locator": citation.locator,
    }


class ClaimSerializer(serializers.Serializer):
    """One claim as read (and, with the read-only keys left out or sent back unchanged, as written)."""

    claimant = ActorSummarySerializer()
    stance = serializers.ChoiceField(choices=Stance.choices)
    made = serializers.CharField(
        help_text="EDTF: when the claim was made, e.g. 2024-10, ../2025-04 (before April 2025)."
    )
    made_display = serializers.CharField(read_only=True, help_text="“Oct 2024”, “before Apr 2025”.")
    citations = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        help_text="Positions (from 0) in the event's `citations` of the citations backing this claim.",
    )
    reliability = serializers.CharField(
        read_only=True, help_text="Best reliability (A–F) among the sources backing this claim; empty when none."
    )
    note = serializers.CharField(allow_blank=True)


def claim_summary(claim: Claim, citation_positions: dict[int, int], reliabilities: dict[int, str]) -> dict[str, Any]:
    """A claim as the API reads it; ``citation_positions`` maps the event's citation ids to their positions."""
    cited = sorted(
        citation_positions[c.pk] for c in getattr(claim, "citation_id_list", ()) if c.pk in citation_positions
    )
    return {
        "claimant": actor_summary(claim.claimant),
        "stance": claim.stance,
        "made": claim.made,
        "made_display": claims.made_display(claim.made),
        "citations": cited,
        "reliability": min(
            (reliabilities[c.pk] for c in getattr(claim, "citation_id_list", ()) if c.pk in reliabilities), default=""
        ),
        "note": claim.note,
    }


class SummaryField(serializers.RelatedField):
    """A read-only relation written by a plain function (``summarise``): the fast path of
    ``EventSerializer.to_representation`` uses the same functions."""

    summarise: Any = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return type(self).summarise(value)


@extend_schema_field(ActorSummarySerializer)
class ActorSummaryField(SummaryField):
    summarise = staticmethod(actor_summary)


@extend_schema_field(TagSummarySerializer)
class TagSummaryField(SummaryField):
    summarise = staticmethod(tag_summary)


@extend_schema_field(CitationSerializer)
class CitationField(SummaryField):
    summarise = staticmethod(citation_summary)


class EventSerializer(serializers.ModelSerializer):
    """An event as readers see it. Expects ``queries.events_with_relation_lists`` (no extra queries)."""

    timeline: serializers.SlugRelatedField[Timeline] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    date_display = serializers.CharField(read_only=True)
    reported_display = serializers.CharField(read_only=True)
    claimant = ActorSummaryField(allow_null=True)
    actors = ActorSummaryField(many=True)
    tags = TagSummaryField(many=True)
    citations = CitationField(many=True)
    claims = ClaimSerializer(
        many=True,
        read_only=True,
        help_text="Who said what, in the order made; claims by actors you may not see are left out.",
    )
    reliability = serializers.CharField(
        read_only=True, help_text="Best reliability (A–F) among the cited sources; F when nothing is cited."
    )
    grade = serializers.CharField(read_only=True, help_text="Admiralty grade: reliability + credibility, e.g. B2.")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Event
        # The fields an editor writes (EVENT_EDITABLE_FIELDS), each followed by what is derived from it.
        fields = (
            "uid",
            *with_derived(
                EVENT_EDITABLE_FIELDS,
                {
                    "date": ("date_display", "date_lower", "date_upper", "precision", "approximate", "uncertain"),
                    "reported": ("reported_display",),
                    "credibility": ("reliability", "grade"),
                    "tags": ("citations", "claims"),
                },
            ),
            "version",
            "created_at",
            "updated_at",
            "links",
        )
        read_only_fields = fields

    def to_representation(self, event: Event) -> dict[str, Any]:
        """The declared fields, rendered directly.

        Gives exactly what DRF's field-by-field rendering gives (a test compares
        the two) at a fraction of the cost, which dominates a page of events.
        """
        # Building self.fields would cost more than rendering one event, so it is left alone.
        stamp = self.timestamp_field.to_representation
        citations = related(event, "citations")
        reliability = labels.best_reliability(c.source.reliability for c in citations)
        # Fields that are not the model attribute as it is; every other field is.
        computed = {
            "uid": str(event.uid),
            "timeline": event.timeline.slug,
            "date_lower": event.date_lower.isoformat(),
            "date_upper": event.date_upper.isoformat(),
            "latitude": None if event.latitude is None else float(event.latitude),
            "longitude": None if event.longitude is None else float(event.longitude),
            "claimant": None if event.claimant is None else actor_summary(event.claimant),
            "reliability": reliability,
            "grade": labels.grade(reliability, event.credibility),
            "actors": [actor_summary(a) for a in related(event, "actors")],
            "tags": [tag_summary(t) for t in related(event, "tags")],
            "citations": [citation_summary(c) for c in citations],
            "claims": self.claims_of(event, citations),
            "created_at": stamp(event.created_at),
            "updated_at": stamp(event.updated_at),
            "links": self.get_links(event),
        }
        return {name: computed[name] if name in computed else getattr(event, name) for name in self.Meta.fields}

    @staticmethod
    def claims_of(event: Event, citations: list[Citation]) -> list[dict[str, Any]]:
        """The claims prefetched into ``claim_list`` (``queries.claims_prefetch``: only those the
        reader may see); none when they were not prefetched, so nothing unchecked shows."""
        positions = {citation.pk: position for position, citation in enumerate(citations)}
        reliabilities = {citation.pk: citation.source.reliability for citation in citations}
        return [claim_summary(claim, positions, reliabilities) for claim in getattr(event, "claim_list", ())]

    def field_by_field_representation(self, event: Event) -> dict[str, Any]:
        """DRF's generic rendering of the declared fields: the reference ``to_representation`` must match."""
        return super().to_representation(event)

    @extend_schema_field(
        inline_serializer(
            "EventLinks",
            {
                "self": serializers.URLField(),
                "html": serializers.URLField(),
                "calendar": serializers.URLField(),
            },
        )
    )
    def get_links(self, event: Event) -> dict[str, str]:
        uid = str(event.uid)
        return {name: template.replace(UID_PLACEHOLDER, uid) for name, template in self.link_templates.items()}

    @cached_property
    def link_templates(self) -> dict[str, str]:
        """Absolute links with a placeholder uid, reversed once per page rather than once per event."""
        placeholder = Event(uid=UID_PLACEHOLDER)
        return {
            "self": absolute_url(self.context, reverse("api:event-detail", kwargs={"uid": UID_PLACEHOLDER})),
            "html": absolute_url(self.context, placeholder.get_absolute_url()),
            "calendar": absolute_url(self.context, links.event_calendar_path(UID_PLACEHOLDER)),
        }

    @cached_property
    def timestamp_field(self) -> serializers.DateTimeField:
        return serializers.DateTimeField(read_only=True)


# --- Events: write ---------------------------------------------------------------


class CitationWriteSerializer(StrictModelSerializer):
    source = SourceRefField(queryset=Source.objects.all())  # type: ignore[assignment]  # see CitationSerializer

    class Meta:
        model = Citation
        fields = ("source", "quote", "locator")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Citations are always written whole, also inside a PATCH of the event
        # (DRF passes ``partial`` down to nested serializers).
        if "source" not in attrs:
            raise serializers.ValidationError({"source": ["This field is required."]})
        return super().validate(attrs)


class ClaimWriteSerializer(StrictModelSerializer):
    """A claim written whole, in the shape read: ``citations`` are positions in the event's citations."""

    claimant = ActorRefField(queryset=Actor.objects.all())
    made = EDTFTextField(max_length=100, required=False, allow_blank=True)
    citations = serializers.ListField(child=StrictIntegerField(min_value=0), required=False)

    ignored_fields = frozenset({"made_display", "reliability"})

    class Meta:
        model = Claim
        fields = ("claimant", "stance", "made", "citations", "note")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Claims are always written whole, also inside a PATCH of the event.
        missing = {name: ["This field is required."] for name in ("claimant", "stance") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return super().validate(attrs)


class EventWriteSerializer(StrictModelSerializer):
    """What a client may write. Relations and citations replace the stored ones when given.

    ``save()`` must run inside a transaction (the view's); pass ``history_user``
    to record who changed the event.
    """

    timeline = TimelineRefField(queryset=Timeline.objects.all())
    date = EDTFTextField(
        max_length=100, help_text="EDTF or plain English: 2025-06-17, 2025-04, 2025-06~, 2025?, 2024-10/2025-04."
    )
    reported = EDTFTextField(max_length=100, required=False, allow_blank=True)
    claimant = ActorRefField(queryset=Actor.objects.all(), required=False, allow_null=True)
    actors = ActorRefField(queryset=Actor.objects.all(), many=True, required=False)
    tags = TagRefField(queryset=Tag.objects.all(), many=True, required=False)
    citations = CitationWriteSerializer(many=True, required=False)
    claims = ClaimWriteSerializer(many=True, required=False)

    ignored_fields = frozenset(EventSerializer.Meta.fields)

    class Meta:
        model = Event
        fields = (*EVENT_EDITABLE_FIELDS, "citations", "claims")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A timeline the writer may not see is unknown, exactly like one that does not exist.
            from timeline.access import timelines_visible_to

            self.fields["timeline"].queryset = timelines_visible_to(request.user)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Citation positions must exist; the status is the claims' (``claims.derive_status``)
        unless ``status_override`` is set with a reason."""
        attrs = super().validate(attrs)
        instance = self.instance
        citations = attrs.get("citations")
        citation_count = len(citations) if citations is not None else (instance.citations.count() if instance else 0)
        errors: dict[str, Any] = {}
        for index, claim in enumerate(attrs.get("claims") or ()):
            bad = [p for p in claim.get("citations", ()) if p >= citation_count]
            if bad:
                errors.setdefault("claims", {})[index] = {
                    "citations": [f"No citation at position {bad[0]}: the event has {citation_count}."]
                }
        override = attrs.get("status_override", instance.status_override if instance else False)
        reason = attrs.get("status_override_reason", instance.status_override_reason if instance else "")
        if override and not reason.strip():
            errors["status_override_reason"] = ["Say why the status differs from what the claims support."]
        if not override:
            if "claims" in attrs:
                derived = claims.derive_status(
                    (c["claimant"].pk, c["stance"]) for c in self.claims_in_order(attrs["claims"])
                )
            else:
                derived = instance.derived_status() if instance else "reported"
            # The stored status sent back unchanged (a PUT of what was read) is no attempt to set it.
            written = attrs.get("status", derived)
            if written != derived and (instance is None or written != instance.status):
                errors["status"] = [
                    f"The claims make this event “{derived}”. To set another status, set status_override "
                    "with a status_override_reason."
                ]
            attrs["status"] = derived
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @staticmethod
    def claims_in_order(written: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Written claims in the order made (``claims.sort_key``), as they will be stored and read."""
        return claims.written_in_order(written)

    def create(self, validated_data: dict[str, Any]) -> Event:
        relations = self._pop_relations(validated_data)
        history_user = validated_data.pop("history_user", None)
        event = Event(**validated_data)
        if history_user is not None:
            event._history_user = history_user  # type: ignore[attr-defined]
        with transaction.atomic(), event_change_recorded(event, user=history_user):
            event.save()
            services.event_relations_write(event=event, relations=relations)
        return event

    def update(self, instance: Event, validated_data: dict[str, Any]) -> Event:
        """Write the changes through :func:`timeline.services.event_update` (row lock; a write
        that changes nothing saves nothing, so the version stays where it is)."""
        relations = self._pop_relations(validated_data)
        user = validated_data.pop("history_user", None) or validated_data.get("updated_by")
        values = {name: value for name, value in validated_data.items() if name not in services.BOOKKEEPING_FIELDS}
        services.event_update(event=instance, values=values, relations=relations, user=user)
        return instance

    @staticmethod
    def _pop_relations(validated_data: dict[str, Any]) -> dict[str, Any]:
        names = ("actors", "tags", "citations", "claims")
        return {name: validated_data.pop(name) for name in names if name in validated_data}


# --- Sync ---------------------------------------------------------------------------


class DeletedEventSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    timeline = serializers.CharField(help_text="Slug of the timeline the event belonged to.")
    deleted_at = serializers.DateTimeField(help_text="When it was deleted or withdrawn.")
    reason = serializers.ChoiceField(
        choices=[("deleted", "deleted"), ("withdrawn", "withdrawn")],
        help_text="deleted: the event no longer exists. withdrawn: it exists but you may no longer read it "
        "here (unpublished, its timeline made private, or moved to another timeline).",
    )


class DeletedEventsSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(help_text="Server time of this answer: pass it as the next `since`.")
    results = DeletedEventSerializer(many=True)


class DeletedEventsQuerySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    unknown_message = "Unknown parameter. Parameters are: since, timeline."

    since = serializers.DateTimeField(help_text="ISO 8601 time; events gone at or after it are listed.")
    timeline = serializers.SlugField(required=False, help_text="Only events of this timeline (slug).")
