"""Review before publishing in the API: ``submit/``, ``approve/`` and ``reject/`` on an event,
and ``/api/v1/revisions/`` listing the revisions a caller may read (``timeline/review.py``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from timeline import review
from timeline.api.errors import ApiViewSetMixin, Conflict
from timeline.api.pagination import ReferencePagination
from timeline.api.schema import ERROR_DETAIL, ETAG_HEADER, FIELD_ERRORS, READ_ERRORS, WRITE_ERRORS
from timeline.models import Event, Revision, RevisionState
from timeline.serializers import EventWriteSerializer, RejectUnknownFieldsMixin, StrictCharField


class EventWritesAskThePolicy(permissions.BasePermission):
    """Reads are open (the querysets narrow them); a write needs a signed-in user, and the views ask
    ``timeline.access.may`` for the timeline at hand (edit, publish, submit, approve)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class RevisionSerializer(serializers.ModelSerializer):
    event = serializers.UUIDField(source="event.uid", read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)
    timeline = serializers.CharField(source="event.timeline.slug", read_only=True)
    author = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields: tuple[str, ...] = (
            "id",
            "event",
            "event_title",
            "timeline",
            "state",
            "author",
            "note",
            "base_version",
            "changes",
            "proposed",
            "comment",
            "reviewed_by",
            "created_at",
            "reviewed_at",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, revision: Revision) -> str | None:
        return revision.author.get_username() if revision.author else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reviewed_by(self, revision: Revision) -> str | None:
        return revision.reviewed_by.get_username() if revision.reviewed_by else None

    @extend_schema_field(
        inline_serializer(
            "RevisionChange",
            {"field": serializers.CharField(), "old": serializers.CharField(), "new": serializers.CharField()},
            many=True,
        )
    )
    def get_changes(self, revision: Revision) -> list[dict[str, str]]:
        if not revision.is_pending:
            return []
        return [{"field": c.field, "old": c.old, "new": c.new} for c in review.revision_changes(revision)]


class SubmitSerializer(EventWriteSerializer):
    """The change proposed, in the shape of a PATCH of the event, with a note to the reviewer."""

    note = StrictCharField(required=False, allow_blank=True, help_text="A note to the reviewer.")

    class Meta(EventWriteSerializer.Meta):
        fields: tuple[str, ...] = (*EventWriteSerializer.Meta.fields, "note")  # type: ignore[assignment]


class RejectSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    comment = StrictCharField(
        help_text="What the author should change; emailed to them.",
        error_messages={
            "blank": "Say what the author should change.",
            "required": "Say what the author should change.",
        },
    )


class RevisionListSerializer(RevisionSerializer):
    """A revision in a list: without ``changes``, which reads the event's relations (read one
    revision, or its event's form, for them)."""

    class Meta(RevisionSerializer.Meta):
        fields = tuple(name for name in RevisionSerializer.Meta.fields if name != "changes")
        read_only_fields = fields


def revision_answer(revision: Revision, context: dict[str, Any], code: int) -> Response:
    return Response(RevisionSerializer(revision, context=context).data, status=code)


def review_refusal(exc: review.ReviewError) -> exceptions.APIException:
    """The answer to a review step that cannot be taken."""
    if isinstance(exc, review.NotAllowed):
        return exceptions.PermissionDenied(str(exc))
    if isinstance(exc, review.NothingToReview):
        return exceptions.ValidationError({"non_field_errors": [str(exc)]})
    return Conflict(str(exc))


REVISION_RESPONSE = OpenApiResponse(RevisionSerializer, description="The revision.")
NOTHING_WAITING = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='`{"detail": "…"}`: nothing of this event waits for review, the change was already reviewed, '
    "or the event changed since it was submitted (approving would undo that).",
)


class EventReviewActionsMixin:
    """``submit/``, ``approve/`` and ``reject/`` on the event viewset."""

    # Provided by the event viewset: request, get_locked_event, get_serializer_context, event_response.
    request: Any
    get_locked_event: Any
    get_serializer_context: Any
    event_response: Any

    def pending_revision(self, event: Event) -> Revision:
        """The event's pending revision, if the caller may read it; else 409, as when there is none."""
        pending = review.revisions_visible_to(self.request.user).filter(event=event, state=RevisionState.PENDING)
        revision = pending.first()
        if revision is None:
            raise Conflict("No change of this event is waiting for review.")
        return revision

    @extend_schema(
        summary="Submit a change of an event for review",
        description="The body is a change in the shape of a PATCH, and an optional `note`. The event is not "
        "changed: the change waits as a pending revision until a reviewer other than you approves it. Submitting "
        "a draft proposes publishing it. The timeline's reviewers are emailed. Submitting again replaces your "
        "pending revision.",
        # Partial, as a PATCH: every field may be left out.
        request=SubmitSerializer(partial=True),
        responses={202: REVISION_RESPONSE, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request: Request, uid: str | None = None) -> Response:
        with transaction.atomic():
            event = self.get_locked_event()
            serializer = SubmitSerializer(event, data=request.data, partial=True, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            note = data.pop("note", "")
            relations = EventWriteSerializer._pop_relations(data)
            try:
                revision = review.revision_submit(
                    event=event, values=data, relations=relations, user=request.user, note=note
                )
            except review.ReviewError as exc:
                raise review_refusal(exc) from None
        return revision_answer(revision, self.get_serializer_context(), status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Approve the change waiting for review",
        description="Writes the event's pending revision (a new version; readers, feeds and mirrors see it). "
        "Only a reviewer or owner of the timeline other than the change's author may approve.",
        request=None,
        responses={200: ETAG_HEADER, 401: ERROR_DETAIL, 403: ERROR_DETAIL, 404: ERROR_DETAIL, 409: NOTHING_WAITING},
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request: Request, uid: str | None = None) -> Response:
        with transaction.atomic():
            event = self.get_locked_event()
            revision = self.pending_revision(event)
            try:
                event = review.revision_approve(revision=revision, user=request.user)
            except review.ReviewError as exc:
                raise review_refusal(exc) from None
        return self.event_response(event, status.HTTP_200_OK)

    @extend_schema(
        summary="Send the change waiting for review back to its author",
        description="The event stays as it is; the author is emailed the `comment`.",
        request=RejectSerializer,
        responses={
            200: REVISION_RESPONSE,
            400: FIELD_ERRORS,
            401: ERROR_DETAIL,
            403: ERROR_DETAIL,
            404: ERROR_DETAIL,
            409: NOTHING_WAITING,
        },
    )
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request: Request, uid: str | None = None) -> Response:
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = body.validated_data["comment"]
        if not comment.strip():
            raise exceptions.ValidationError({"comment": ["Say what the author should change."]})
        with transaction.atomic():
            event = self.get_locked_event()
            revision = self.pending_revision(event)
            try:
                revision = review.revision_reject(revision=revision, user=request.user, comment=comment)
            except review.ReviewError as exc:
                raise review_refusal(exc) from None
        return revision_answer(revision, self.get_serializer_context(), status.HTTP_200_OK)


class RevisionQuerySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    unknown_message = "Unknown parameter. Parameters are: state, event, waiting, page."

    state = serializers.ChoiceField(choices=RevisionState.choices, required=False)
    event = serializers.UUIDField(required=False, help_text="Only revisions of this event (uid).")
    waiting = serializers.ChoiceField(
        choices=[("me", "me")], required=False, help_text="`me`: pending revisions you may approve (not yours)."
    )
    page = serializers.CharField(required=False)
    format = serializers.CharField(required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List revisions (review before publishing)",
        description="Revisions of events on timelines whose drafts you read, newest first.",
        # Like every filter, an empty value is no filter.
        parameters=[
            OpenApiParameter(
                "state",
                {"type": "string", "enum": [*RevisionState.values, ""]},
                description="Only revisions in this state.",
            ),
            OpenApiParameter(
                "event",
                {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]},
                description="Only revisions of this event (uid).",
            ),
            OpenApiParameter(
                "waiting",
                {"type": "string", "enum": ["me", ""]},
                description="`me`: pending revisions you may approve (not yours).",
            ),
        ],
        responses={200: RevisionListSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read one revision",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: RevisionSerializer, **READ_ERRORS},
    ),
)
class RevisionViewSet(ApiViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Revisions a caller may read; one they may not read answers 404, like a missing one."""

    serializer_class = RevisionSerializer
    pagination_class = ReferencePagination
    filter_backends: list[Any] = []
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return RevisionListSerializer if self.action == "list" else RevisionSerializer

    def get_queryset(self) -> QuerySet[Revision]:
        user = self.request.user
        if self.action != "list":
            return review.revisions_visible_to(user)
        query = RevisionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        revisions = review.revisions_waiting_for(user) if wanted.get("waiting") else review.revisions_visible_to(user)
        if wanted.get("state"):
            revisions = revisions.filter(state=wanted["state"])
        if wanted.get("event"):
            revisions = revisions.filter(event__uid=wanted["event"])
        return revisions.order_by("-created_at", "-id")
