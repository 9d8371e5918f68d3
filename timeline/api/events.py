"""Events under /api/v1/events/: list (filtered, cursor pages), read, write and the deleted list."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from timeline import access, review, search, services, sync
from timeline.access import events_visible_to
from timeline.api.conditional import EventFilterBackend, check_if_match, event_etag, if_none_match_hits
from timeline.api.errors import ApiViewSetMixin
from timeline.api.pagination import EventCursorPagination
from timeline.api.review import (
    REVISION_RESPONSE,
    EventReviewActionsMixin,
    EventWritesAskThePolicy,
    review_refusal,
    revision_answer,
)
from timeline.api.schema import (
    CONDITIONAL_WRITE_ERRORS,
    CREATE_ERRORS,
    ERROR_DETAIL,
    ETAG_HEADER,
    FIELD_ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    READ_ERRORS,
)
from timeline.authentication import ReadOnlyTokenPermission
from timeline.filters import ORDERINGS, EventFilter
from timeline.idempotency import idempotent
from timeline.models import Event, Timeline
from timeline.queries import claims_prefetch, events_with_relation_lists
from timeline.renderers import EventCSVRenderer
from timeline.serializers import (
    DeletedEventsQuerySerializer,
    DeletedEventsSerializer,
    EventSerializer,
    EventWriteSerializer,
)

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


REVIEWED_WRITE = (
    "Writing needs the editor role on the event's timeline (or the global permission); publishing or "
    "unpublishing needs the right to publish there. On a timeline that requires review, a change of a published "
    "event (or publishing a draft) by someone who may not publish is not written: it is stored as a pending "
    "revision (202) until a reviewer approves it, and readers keep seeing the published event."
)


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description="Events you may read, filtered like the calendar feeds and briefs, in cursor pages. "
        "Unlisted timelines' events appear only when the `timeline` filter names them.",
        parameters=[
            OpenApiParameter(
                "overlaps", OpenApiTypes.STR, description=EventFilter.base_filters["overlaps"].extra["help_text"]
            ),
            OpenApiParameter(
                "within", OpenApiTypes.STR, description=EventFilter.base_filters["within"].extra["help_text"]
            ),
            # Like every filter, an empty value is no filter; the schema says so.
            OpenApiParameter(
                "updated_since",
                {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]},
                description=EventFilter.base_filters["updated_since"].extra["help_text"],
            ),
            # Like every filter, an empty value is no filter: the default (date) order.
            OpenApiParameter(
                "ordering",
                {"type": "string", "enum": [*ORDERINGS, ""]},
                description=EventFilter.base_filters["ordering"].extra["help_text"],
            ),
            # A day, a phrase or a window relative to today ("-90d"): text, not a date.
            *(
                OpenApiParameter(name, OpenApiTypes.STR, description=EventFilter.base_filters[name].extra["help_text"])
                for name in ("from", "to")
            ),
        ],
        responses={200: EventSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read one event",
        parameters=[IF_NONE_MATCH],
        responses={
            200: ETAG_HEADER,
            304: OpenApiResponse(description="Unchanged since the ETag you hold."),
            **READ_ERRORS,
        },
    ),
    create=extend_schema(
        summary="Create an event",
        request=EventWriteSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ETAG_HEADER, **CREATE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an event",
        description=REVIEWED_WRITE,
        request=EventWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: ETAG_HEADER, 202: REVISION_RESPONSE, **CONDITIONAL_WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an event",
        description=REVIEWED_WRITE,
        request=EventWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: ETAG_HEADER, 202: REVISION_RESPONSE, **CONDITIONAL_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete an event",
        parameters=[IF_MATCH],
        responses={204: None, **{code: CONDITIONAL_WRITE_ERRORS[code] for code in (401, 403, 404, 412, 429)}},
    ),
)
class EventViewSet(EventReviewActionsMixin, ApiViewSetMixin, viewsets.ModelViewSet):
    """Events, addressed by uid. Writes ask the access policy for the timeline at hand."""

    permission_classes = [ReadOnlyTokenPermission, EventWritesAskThePolicy]

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, EventCSVRenderer]  # type: ignore[list-item]
    lookup_field = "uid"
    lookup_value_regex = UUID_PATTERN
    filterset_class = EventFilter
    filter_backends = [EventFilterBackend]
    pagination_class = EventCursorPagination

    def get_queryset(self) -> QuerySet[Event]:
        user = self.request.user
        events = events_visible_to(user)
        if self.action == "list" and not self.request.query_params.get("timeline"):
            # Unlisted timelines' events are listed only when the request names the timeline
            # (the filter then narrows to it, and refuses a slug the reader may not see).
            events = access.events_listed_for(user)
        return events_with_relation_lists(events).prefetch_related(claims_prefetch(access.claims_visible_to(user)))

    def paginate_queryset(self, queryset: Any) -> Any:
        self.page_events = super().paginate_queryset(queryset)
        return self.page_events

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The filtered page; with ``q=`` each event also carries ``search``: its ``rank``
        (higher is more relevant) and a ``snippet`` (escaped HTML, matches in ``<mark>``)."""
        response = super().list(request, *args, **kwargs)
        value = request.query_params.get("q", "")
        page = getattr(self, "page_events", None)
        if value.strip() and page and response.status_code == status.HTTP_200_OK:
            extracts = search.snippets(page, value)
            for row, event in zip(response.data["results"], page, strict=True):
                rank = getattr(event, "search_rank", None)
                row["search"] = {
                    "rank": round(rank, 6) if rank is not None else None,
                    "snippet": str(extracts.get(event.pk, "")),
                }
        return response

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.request is not None and self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return EventWriteSerializer
        return EventSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The list's filters do not apply to one event addressed by uid.
        if request.headers.get("If-None-Match"):
            # Revalidation is most reads: answer it from the version alone, without relations.
            version = events_visible_to(request.user).filter(uid=self.kwargs["uid"]).values_list("version", flat=True)
            held = next(iter(version), None)
            if held is not None and if_none_match_hits(request, f'"{held}"'):
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": f'"{held}"'})
        event = get_object_or_404(self.get_queryset(), uid=self.kwargs["uid"])
        self.check_object_permissions(request, event)
        etag = event_etag(event)
        if if_none_match_hits(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(EventSerializer(event, context=self.get_serializer_context()).data, headers={"ETag": etag})

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EventWriteSerializer(data=request.data, context=self.get_serializer_context())
        with transaction.atomic():
            serializer.is_valid(raise_exception=True)
            timeline = serializer.validated_data["timeline"]
            if not access.may(request.user, "edit", timeline):
                raise exceptions.PermissionDenied("You may not add events to this timeline.")
            if serializer.validated_data.get("published"):
                self.check_publishing(timeline)
            event = serializer.save(created_by=request.user, updated_by=request.user, history_user=request.user)
        response = self.event_response(event, status.HTTP_201_CREATED)
        response["Location"] = response.data["links"]["self"]
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        with transaction.atomic():
            event = self.get_locked_event()
            check_if_match(request, event_etag(event))
            serializer = EventWriteSerializer(
                event, data=data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            values = dict(serializer.validated_data)
            content = {
                k: v for k, v in values.items() if k not in ("published", "citations", "claims", "actors", "tags")
            }
            relations_written = {k: values[k] for k in ("citations", "claims", "actors", "tags") if k in values}
            if not access.may(request.user, "edit", event) and services.event_changes_anything(
                stored=event, values=content, relations=relations_written
            ):
                # Those who may only publish (reviewers) may flip "published" and nothing else.
                raise exceptions.PermissionDenied("You may not change events on this timeline.")
            if review.needs_review(request.user, event, values):
                relations = EventWriteSerializer._pop_relations(values)
                try:
                    revision = review.revision_submit(
                        event=event, values=values, relations=relations, user=request.user
                    )
                except review.NothingToReview:
                    return self.event_response(event, status.HTTP_200_OK)
                except review.ReviewError as exc:
                    raise review_refusal(exc) from None
                return revision_answer(revision, self.get_serializer_context(), status.HTTP_202_ACCEPTED)
            target = values.get("timeline", event.timeline)
            moves = target.pk != event.timeline_id
            if moves and not access.may(request.user, "edit", target):
                raise exceptions.PermissionDenied("You may not move events onto that timeline.")
            if ("published" in values and values["published"] != event.published) or (moves and event.published):
                self.check_publishing(target)
            event = serializer.save(updated_by=request.user, history_user=request.user)
        return self.event_response(event, status.HTTP_200_OK)

    def check_publishing(self, timeline: Timeline) -> None:
        """403 unless the caller may publish on ``timeline``, saying how to go on when review is on."""
        if access.may(self.request.user, "publish", timeline):
            return
        if timeline.review_required:
            raise exceptions.PermissionDenied(
                "This timeline requires review before publishing: write the event as a draft, then submit it "
                "for review (POST /api/v1/events/<uid>/submit/)."
            )
        raise exceptions.PermissionDenied("You may not publish or unpublish events on this timeline.")

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            event = self.get_locked_event()
            check_if_match(request, event_etag(event))
            if event.published and event.timeline.review_required:
                # Deleting takes the event away from readers, as unpublishing does.
                self.check_publishing(event.timeline)
            event._history_user = request.user  # type: ignore[attr-defined]
            event.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_locked_event(self) -> Event:
        """The addressed event, row-locked until the surrounding transaction ends; 404 when not readable."""
        event = get_object_or_404(
            events_visible_to(self.request.user).select_for_update(of=("self",)).select_related("timeline"),
            uid=self.kwargs["uid"],
        )
        self.check_object_permissions(self.request, event)
        if self.action in ("destroy", "submit") and not access.may(self.request.user, "edit", event):
            raise exceptions.PermissionDenied("You may not change events on this timeline.")
        return event

    def event_response(self, event: Event, status_code: int) -> Response:
        claims = claims_prefetch(access.claims_visible_to(self.request.user))
        fresh = events_with_relation_lists(Event.objects.filter(pk=event.pk)).prefetch_related(claims).get()
        data = EventSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": event_etag(fresh)})

    @extend_schema(
        summary="Deleted and withdrawn events",
        description="Uids of events that left your view at or after `since`: deleted ones (tombstones) and, "
        "for readers who cannot see drafts, events unpublished, moved or made private. Together with "
        "`updated_since` on the event list, this lets a client mirror a timeline exactly.",
        parameters=[DeletedEventsQuerySerializer],
        # 404: DRF's answer to a ``format`` no renderer has.
        responses={200: DeletedEventsSerializer, 400: FIELD_ERRORS, 404: ERROR_DETAIL, 429: ERROR_DETAIL},
    )
    @action(detail=False, methods=["get"], url_path="deleted", filter_backends=[], pagination_class=None)
    def deleted(self, request: Request) -> Response:
        query = DeletedEventsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # The horizon comes first: what it covers must be read after it.
        as_of = sync.changes_horizon()
        try:
            scope = sync.sync_scope(request.user, query.validated_data.get("timeline"))
        except sync.UnknownTimeline as exc:
            raise exceptions.ValidationError({"timeline": [f"Unknown timeline “{exc}”."]}) from None
        results = sync.deleted_events(user=request.user, scope=scope, since=query.validated_data["since"])
        return Response(DeletedEventsSerializer({"as_of": as_of, "results": results}).data)
