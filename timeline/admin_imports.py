"""Importing events in the admin: upload → preview of every row → confirm.

The "Import events…" link on a timeline's page leads to the upload form. The preview
shows what each row becomes (new / update / unchanged / error), the date as it will be
stored and how it reads, every problem, and the actors, tags and sources the import
will create; nothing is written until the editor confirms. The uploaded file waits in
Django's storage under ``imports/`` between the two steps, named by a random token that
only the uploading user's session knows, and is deleted once confirmed.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from timeline import access
from timeline.api.imports import sync_rows
from timeline.briefs import JOB_STATES
from timeline.importers import FORMAT_NAMES, FORMATS, FileRefused, import_rows, read
from timeline.importers.formats import max_bytes
from timeline.models import ImportProgress, Timeline
from timeline.tasks import import_events_job

SESSION_KEY = "timeline_imports"
STORAGE_FOLDER = "imports"


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV or XLSX in the export's columns, the TimelineJS template (sheet or JSON), "
        "an ACLED CSV export, an .ics calendar, or this service's API JSON."
    )
    format = forms.ChoiceField(
        choices=[("", "Detect from the file")] + [(name, FORMAT_NAMES[name]) for name in FORMATS],
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(f"The file is {upload.size:,} bytes; the limit is {max_bytes():,}.")
        return upload


class TimelineImportAdminMixin:
    """Adds ``<pk>/import/`` to the timeline admin and the ``import_link`` read-only field."""

    admin_site: Any
    model: type[Timeline]

    def get_urls(self) -> list[URLPattern]:
        urls = [
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="timeline_timeline_import",
            ),
            path(
                "import-jobs/<str:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="timeline_timeline_import_job",
            ),
        ]
        return [*urls, *super().get_urls()]  # type: ignore[misc]

    def import_link(self, obj: Timeline) -> str:
        if obj.pk is None:
            return ""
        return format_html('<a href="{}">Import events…</a>', reverse("admin:timeline_timeline_import", args=[obj.pk]))

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        timeline = get_object_or_404(self.get_queryset(request), pk=object_id)  # type: ignore[attr-defined]
        if not access.may_import_into(request.user, timeline):
            raise PermissionDenied
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "timeline": timeline,
            "title": f"Import events into “{timeline.title}”",
        }
        pending = request.session.get(SESSION_KEY, {})
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, timeline, pending, context)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                format, rows = read(
                    data, filename=form.cleaned_data["file"].name, format=form.cleaned_data["format"] or None
                )
            except FileRefused as exc:
                form.add_error("file", str(exc))
            else:
                report = import_rows(timeline, rows, user=request.user, dry_run=True, format=format)
                token = ""
                if report.ok:
                    token = secrets.token_urlsafe(24)
                    default_storage.save(f"{STORAGE_FOLDER}/{token}", ContentFile(data))
                    pending[token] = {"timeline": timeline.pk, "format": format, "name": form.cleaned_data["file"].name}
                    request.session[SESSION_KEY] = pending
                context.update(report=report, token=token, format_name=FORMAT_NAMES[format], form=ImportForm())
                return TemplateResponse(request, "admin/timeline/timeline/import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/timeline/timeline/import_form.html", context)

    def import_job_view(self, request: HttpRequest, job_id: str) -> HttpResponse:
        """A queued import's state; the page reloads itself until the job has finished."""
        try:
            job = import_events_job.get_result(job_id)
        except (TaskResultDoesNotExist, ValueError, ValidationError):
            raise Http404("No such import.") from None
        if job.kwargs.get("user_id") != request.user.pk:
            raise Http404("No such import.")
        timeline = get_object_or_404(self.get_queryset(request), pk=job.kwargs["timeline_id"])  # type: ignore[attr-defined]
        progress = ImportProgress.objects.filter(job_id=str(job.id)).first()
        state = JOB_STATES.get(job.status, str(job.status).lower())
        report = job.return_value if job.status == TaskResultStatus.SUCCESSFUL else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "timeline": timeline,
            "title": f"Importing “{job.kwargs['filename']}” into “{timeline.title}”",
            "state": state,
            "progress": progress,
            "report": report,
            "events_url": reverse("admin:timeline_event_changelist") + f"?timeline__id__exact={timeline.pk}",
            "refresh": state in ("waiting", "running"),
        }
        return TemplateResponse(request, "admin/timeline/timeline/import_job.html", context)

    def _confirm(self, request: HttpRequest, timeline: Timeline, pending: dict, context: dict) -> HttpResponse:
        token = request.POST.get("token", "")
        entry = pending.get(token)
        if entry is None or entry["timeline"] != timeline.pk:
            messages.error(request, "That preview has expired or was already imported; upload the file again.")
            return HttpResponseRedirect(reverse("admin:timeline_timeline_import", args=[timeline.pk]))
        name = f"{STORAGE_FOLDER}/{token}"
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
        _, rows = read(data, filename=entry["name"], format=entry["format"])
        if len(rows) > sync_rows():
            # Too long for one request: a worker imports it; the status page follows it.
            job = import_events_job.enqueue(
                timeline_id=timeline.pk,
                file=name,
                filename=entry["name"],
                format=entry["format"],
                user_id=request.user.pk or 0,
            )
            del pending[token]
            request.session[SESSION_KEY] = pending
            return HttpResponseRedirect(reverse("admin:timeline_timeline_import_job", args=[job.id]))
        report = import_rows(timeline, rows, user=request.user, format=entry["format"])
        if not report.written:
            # The stored data changed since the preview in a way that makes a row fail: show it.
            context.update(report=report, token="", format_name=FORMAT_NAMES[entry["format"]], form=ImportForm())
            return TemplateResponse(request, "admin/timeline/timeline/import_preview.html", context)
        default_storage.delete(name)
        del pending[token]
        request.session[SESSION_KEY] = pending
        messages.success(request, f"Imported “{entry['name']}” into “{timeline.title}”: {report.summary()}.")
        return HttpResponseRedirect(reverse("admin:timeline_event_changelist") + f"?timeline__id__exact={timeline.pk}")
