"""``POST /api/v1/timelines/<slug>/import/``: the import service over HTTP.

Multipart form fields: ``file`` (required), ``format`` (detected when left out) and
``dry_run`` (``1`` for the preview: what each row would become; nothing is written).
All or nothing, as everywhere: a file with a bad row writes nothing and is answered 400
with every problem (row, column, message). A file with more rows than
``TIMELINE_IMPORT_SYNC_MAX_ROWS`` (2,000) is imported by a worker: the answer is 202 with
``status_url`` (``/api/v1/imports/<job id>/``), which reports progress and, once done,
the same report.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from timeline import access
from timeline.api.errors import RequestTooLarge
from timeline.api.schema import ERROR_DETAIL, READ_ERRORS
from timeline.authentication import ReadOnlyTokenPermission
from timeline.briefs import JOB_STATES
from timeline.importers import FORMATS, FileRefused, Report, import_rows, read
from timeline.importers.formats import max_bytes
from timeline.models import ImportProgress


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file: CSV, XLSX, TimelineJS (sheet or JSON), ACLED CSV, ICS or JSON.")
    format = serializers.ChoiceField(choices=FORMATS, required=False, help_text="Detected when left out.")
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Preview only: write nothing.")


PROBLEM = inline_serializer(
    "ImportProblem",
    {"row": serializers.IntegerField(), "column": serializers.CharField(), "message": serializers.CharField()},
)
OUTCOME = inline_serializer(
    "ImportRowOutcome",
    {
        "row": serializers.IntegerField(),
        "action": serializers.ChoiceField(choices=["new", "update", "unchanged", "error"]),
        "uid": serializers.CharField(help_text="The event's uid (empty for rows not written)."),
        "title": serializers.CharField(),
        "date": serializers.CharField(help_text="EDTF as it will be stored."),
        "reading": serializers.CharField(help_text="How the date reads, e.g. “c. June 2025”."),
    },
)
REPORT = inline_serializer(
    "ImportReport",
    {
        "format": serializers.CharField(),
        "written": serializers.BooleanField(),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "rows": OUTCOME.__class__(many=True),
        "problems": PROBLEM.__class__(many=True),
        "new_actors": serializers.ListField(child=serializers.CharField()),
        "new_tags": serializers.ListField(child=serializers.CharField()),
        "new_sources": serializers.ListField(child=serializers.CharField()),
    },
)


def report_data(report: Report) -> dict[str, Any]:
    return {
        "format": report.format,
        "written": report.written,
        "counts": report.counts(),
        "rows": [
            {
                "row": o.line,
                "action": o.action,
                "uid": o.uid,
                "title": o.title,
                "date": o.date,
                "reading": o.reading,
            }
            for o in report.outcomes
        ],
        "problems": [{"row": p.line, "column": p.column, "message": p.message} for p in report.problems],
        "new_actors": report.new_actors,
        "new_tags": report.new_tags,
        "new_sources": report.new_sources,
    }


def sync_rows() -> int:
    """Files with more rows than this are imported by a worker (answer 202)."""
    return int(getattr(settings, "TIMELINE_IMPORT_SYNC_MAX_ROWS", 2000))


def enqueue_import(request: Request, timeline: Any, upload: Any, format: str) -> Response:
    from timeline.tasks import import_events_job

    upload.seek(0)
    name = default_storage.save(f"imports/{secrets.token_urlsafe(24)}", ContentFile(upload.read()))
    job = import_events_job.enqueue(
        timeline_id=timeline.pk, file=name, filename=upload.name or "", format=format, user_id=request.user.pk or 0
    )
    status_url = request.build_absolute_uri(reverse("api:import-job", kwargs={"job_id": job.id}))
    return Response(
        {"status": "waiting", "status_url": status_url, "format": format},
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": status_url},
    )


@extend_schema(
    summary="An import job's state",
    description="`status` is waiting, running, finished or failed; `progress` gives the phase (checking, "
    "writing) and rows done; a finished job carries the import's report (with `written` false and the "
    "problems when a row was bad: nothing was written).",
    responses={200: OpenApiTypes.OBJECT, **READ_ERRORS},
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def import_job(request: Request, job_id: str) -> Response:
    from timeline.tasks import import_events_job

    try:
        job = import_events_job.get_result(str(job_id))
    except (TaskResultDoesNotExist, ValueError, ValidationError):
        raise exceptions.NotFound() from None
    if job.kwargs.get("user_id") != request.user.pk:
        raise exceptions.NotFound()  # another user's job answers like one that does not exist
    body: dict[str, Any] = {"status": JOB_STATES.get(job.status, str(job.status).lower())}
    progress = ImportProgress.objects.filter(job_id=str(job.id)).first()
    if progress is not None:
        body["progress"] = progress.as_dict()
    if job.status == TaskResultStatus.SUCCESSFUL:
        body["report"] = job.return_value
    elif job.status == TaskResultStatus.FAILED:
        body["error"] = job.errors[-1].exception_class_path.rsplit(".", 1)[-1] if job.errors else "unknown"
    return Response(body)


class CanImport(permissions.BasePermission):
    message = "Importing needs the permissions to add and change events."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return access.may_import_into(request.user, obj)


class ImportActionMixin:
    """Adds ``import/`` to the timeline viewset."""

    @extend_schema(
        summary="Import events from a file",
        description="Upload a file as multipart form data. With `dry_run=1` the answer shows what each row "
        "would become and nothing is written. A file with any bad row writes nothing: the answer (400) lists "
        "every problem as row, column and message.",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiResponse(REPORT, description="The preview (`dry_run`), or the import, written."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="A bad file or bad rows; nothing was written."),
            401: ERROR_DETAIL,
            403: ERROR_DETAIL,
            404: ERROR_DETAIL,
            413: ERROR_DETAIL,
            415: OpenApiResponse(OpenApiTypes.OBJECT, description="The body is not `multipart/form-data`."),
            429: ERROR_DETAIL,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
        permission_classes=[ReadOnlyTokenPermission, CanImport],
    )
    def import_events(self, request: Request, slug: str | None = None) -> Response:
        timeline = self.get_object()  # type: ignore[attr-defined]
        query = ImportRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        upload = query.validated_data["file"]
        if upload.size > max_bytes():
            raise RequestTooLarge(f"The file is {upload.size:,} bytes; the limit is {max_bytes():,}. Split it.")
        try:
            format, rows = read(upload.read(), filename=upload.name or "", format=query.validated_data.get("format"))
        except FileRefused as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        dry_run = query.validated_data["dry_run"]
        if not dry_run and len(rows) > sync_rows():
            return enqueue_import(request, timeline, upload, format)
        report = import_rows(timeline, rows, user=request.user, dry_run=dry_run, format=format)
        data = report_data(report)
        if not report.ok:
            data["file"] = [f"Nothing was imported: {len(report.problems)} problem(s); see “problems”."]
            return Response(data, status=status.HTTP_400_BAD_REQUEST)
        return Response(data)
