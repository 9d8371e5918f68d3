"""Review before publishing in the admin: "Submit for review" on the event form, and the review
queue (pending revisions "waiting for me", with what approving would change, approve / send back).

The steps themselves are ``timeline/review.py``'s; who may take them is ``timeline/access.py``'s.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from timeline import access, review
from timeline.admin_permissions import RecordAdminMixin
from timeline.history import user_words
from timeline.models import EVENT_EDITABLE_FIELDS, Event, Revision, RevisionState

SUBMIT_BUTTON = "_submit_review"


def admin_proposal(form: Any, formsets: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The change the event form and its citation and claim inlines describe, as ``values`` and
    ``relations`` for ``review.revision_submit`` (nothing is saved). Claims cite citations by
    their position in the proposed citations; a claim citing a citation the form deletes drops it."""
    values = {name: form.cleaned_data[name] for name in form.changed_data if name in EVENT_EDITABLE_FIELDS}
    relations = {name: values.pop(name) for name in ("actors", "tags") if name in values}
    by_prefix = {formset.prefix: formset for formset in formsets}
    citations_formset, claims_formset = by_prefix.get("citations"), by_prefix.get("claims")
    positions: dict[int, int] = {}
    if citations_formset is not None and (
        citations_formset.has_changed() or (claims_formset is not None and claims_formset.has_changed())
    ):
        kept = [
            f
            for f in citations_formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("source") is not None
        ]
        kept.sort(key=lambda f: f.cleaned_data.get("position") or 0)
        relations["citations"] = [
            {"source": f.cleaned_data["source"], "quote": f.cleaned_data["quote"], "locator": f.cleaned_data["locator"]}
            for f in kept
        ]
        positions = {f.instance.pk: index for index, f in enumerate(kept) if f.instance.pk}
    if claims_formset is not None and claims_formset.has_changed():
        relations["claims"] = [
            {
                "claimant": f.cleaned_data["claimant"],
                "stance": f.cleaned_data["stance"],
                "made": f.cleaned_data.get("made") or "",
                "note": f.cleaned_data.get("note", ""),
                "citations": sorted(positions[c.pk] for c in f.cleaned_data.get("citations", ()) if c.pk in positions),
            }
            for f in claims_formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("claimant") is not None
        ]
    return values, relations


class EventReviewAdminMixin:
    """For ``EventAdmin``: a save that must wait for review (``review.needs_review``), or one sent with
    "Submit for review", becomes a pending revision instead of a write; the form tells the author about
    a change waiting or sent back."""

    def submits_for_review(self, request: HttpRequest, event: Event, form: Any) -> bool:
        if not event.pk:
            return False
        if SUBMIT_BUTTON in request.POST:
            return True
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in EVENT_EDITABLE_FIELDS}
        return review.needs_review(request.user, Event.objects.select_related("timeline").get(pk=event.pk), values)

    def submit_from_form(self, request: HttpRequest, form: Any, formsets: Any) -> None:
        """Store the form's change as a pending revision; a refusal is shown as a message."""
        values, relations = admin_proposal(form, formsets)
        note = request.POST.get("review_note", "")
        stored = Event.objects.select_related("timeline").get(pk=form.instance.pk)
        try:
            review.revision_submit(event=stored, values=values, relations=relations, user=request.user, note=note)
        except review.ReviewError as exc:
            request._timeline_review_outcome = (messages.ERROR, str(exc))  # type: ignore[attr-defined]
            return
        request._timeline_review_outcome = (  # type: ignore[attr-defined]
            messages.SUCCESS,
            f"Your change of “{stored.title}” was submitted for review; readers see the published version "
            "until a reviewer approves it.",
        )

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any, add: bool = False) -> Any:
        outcome = getattr(request, "_timeline_review_outcome", None)
        if outcome is None:
            return super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]
        # Nothing was saved: the inlines hold no new or changed objects to name.
        return "Submitted a change for review." if outcome[0] == messages.SUCCESS else "Nothing saved."

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        outcome = getattr(request, "_timeline_review_outcome", None)
        if outcome is None:
            return super().response_change(request, obj)  # type: ignore[misc]
        self.message_user(request, outcome[1], outcome[0])  # type: ignore[attr-defined]
        return HttpResponseRedirect(reverse("admin:timeline_event_change", args=[obj.pk]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        event = Event.objects.select_related("timeline").filter(pk=unquote(object_id)).first()
        if event is not None and access.may(request.user, "view", event):
            revisions = review.revisions_visible_to(request.user).filter(event=event)
            extra["pending_revision"] = revisions.filter(state=RevisionState.PENDING).first()
            extra["sent_back"] = (
                revisions.filter(state=RevisionState.REJECTED, author_id=request.user.pk)
                .order_by("-reviewed_at", "-id")
                .first()
            )
            extra["may_submit"] = access.may(request.user, "submit", event)
            extra["review_required"] = event.timeline.review_required
            extra["needs_review"] = extra["review_required"] and not access.may(request.user, "publish", event)
        return super().change_view(request, object_id, form_url, extra)  # type: ignore[misc]


class WaitingFilter(admin.SimpleListFilter):
    """Whose revisions: waiting for me (the default), submitted by me, or every one I may read."""

    title = "whose changes"
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("me", "Waiting for me"), ("mine", "Submitted by me"), ("all", "All")]

    def value(self) -> str:
        return super().value() or "me"

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "me":
            return queryset & review.revisions_waiting_for(request.user)
        if self.value() == "mine":
            return queryset.filter(author_id=request.user.pk)
        return queryset


class RejectForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="What the author should change; they get it by email.",
    )


class RevisionAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The review queue. Each revision's page shows what approving would change, and the two verdicts."""

    list_display = ("event_title", "timeline_title", "author_name", "state", "created_at")
    list_display_links = ("event_title",)
    list_filter = (WaitingFilter, "state")
    list_select_related = ("event__timeline", "author")
    search_fields = ("event__title",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return review.revisions_visible_to(request.user)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return super().changelist_view(request, {"title": "Review queue", **(extra_context or {})})

    def has_module_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (access.reads_everything(user, "event") or access.has_any_role(user)))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return review.revisions_visible_to(request.user).filter(pk=obj.pk).exists()

    @admin.display(description="Event", ordering="event__title")
    def event_title(self, obj: Revision) -> str:
        return obj.event.title

    @admin.display(description="Timeline", ordering="event__timeline__title")
    def timeline_title(self, obj: Revision) -> str:
        return obj.event.timeline.title

    @admin.display(description="Submitted by")
    def author_name(self, obj: Revision) -> str:
        return user_words(obj.author)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """The revision: what would change, and (to a reviewer other than its author) approve or send
        back. A revision the user may not read answers 404, as a missing one."""
        revision = self.get_queryset(request).filter(pk=unquote(object_id)).first() if object_id.isdigit() else None
        if revision is None:
            raise Http404
        may_review = revision.is_pending and access.may(request.user, "approve", revision)
        reject_form = RejectForm()
        if request.method == "POST":
            if "_approve" in request.POST:
                try:
                    event = review.revision_approve(revision=revision, user=request.user)
                except review.ReviewError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"Approved: readers now see version {event.version} of “{event.title}”.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:timeline_revision_changelist"))
            elif "_reject" in request.POST:
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    try:
                        review.revision_reject(
                            revision=revision, user=request.user, comment=reject_form.cleaned_data["comment"]
                        )
                    except review.ReviewError as exc:
                        self.message_user(request, str(exc), messages.ERROR)
                    else:
                        self.message_user(request, "Sent back to its author with your comment.", messages.SUCCESS)
                        return HttpResponseRedirect(reverse("admin:timeline_revision_changelist"))
            revision.refresh_from_db()
            may_review = revision.is_pending and access.may(request.user, "approve", revision)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change of “{revision.event.title}”",
            "opts": self.model._meta,
            "revision": revision,
            "changes": review.revision_changes(revision) if revision.is_pending else [],
            "author": user_words(revision.author),
            "reviewer": user_words(revision.reviewed_by) if revision.reviewed_by else "",
            "may_review": may_review,
            "own": revision.author_id == request.user.pk,
            "stale": revision.is_pending and revision.event.version != revision.base_version,
            "reject_form": reject_form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/timeline/revision/review.html", context)
