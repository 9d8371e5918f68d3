"""The admin's history pages in words: who changed what, never a literal "None".

django-simple-history's page prints Python values: an empty latitude or a row
written without a user (fixtures, scripts) showed as "None". ``ReadableHistoryAdmin``
names the user or says none was recorded, shows empty values as an em dash,
and for events diffs through ``timeline.history.change_lines``, which also
covers citations (kept on each event history row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from timeline import access
from timeline.history import BOOKKEEPING_FIELDS, EMPTY, change_lines, record_values, user_words


class ReadableContextHelper(HistoricalRecordContextHelper):
    """Empty values as an em dash instead of "None" or nothing."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        prepared = super().prepare_delta_change_value(change, value)
        return EMPTY if prepared is None or prepared == "" or prepared == [] else prepared


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    """History pages in words; the history of a row the user may not see answers 404, as a missing one."""

    object_history_list_template = "admin/timeline/object_history_list.html"
    # Event history rows carry citations and m2m rows: diffed by timeline.history.change_lines.
    diff_event_history = False

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        # django-simple-history falls back to the last history row of a row outside get_queryset (a
        # deleted one); only readers of everything may read those.
        visible = self.get_object(request, unquote(object_id)) is not None
        if not visible and not access.reads_everything(request.user, self.model._meta.model_name):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any) -> Any:
        return ReadableContextHelper(self.model, historical_record)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Sequence[Any], foreign_keys_are_objs: bool = True
    ) -> None:
        records = list(historical_records)
        for record in records:
            record.changed_by_words = user_words(record.history_user)
        if not self.diff_event_history:
            super().set_history_delta_changes(request, records, foreign_keys_are_objs)
            for record in records:
                changes = getattr(record, "history_delta_changes", None) or []
                record.history_delta_changes = [
                    change for change in changes if change["field"].lower() not in BOOKKEEPING_FIELDS
                ]
            return
        # Newest first: each row is compared with the one below it (the version before).
        values = [record_values(record) for record in records]
        for index, record in enumerate(records[:-1]):
            lines = change_lines(values[index + 1], values[index])
            record.history_delta_changes = [{"field": line.field, "old": line.old, "new": line.new} for line in lines]
