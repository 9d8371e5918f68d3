"""Per-timeline roles as predicates: who may do what on one timeline.

Built on django-rules (predicates combined with ``&``, ``|``, ``~``; no tables of
per-object grants to keep in step with roles). Only ``timeline/access.py`` asks
this module; every surface asks ``access``.

| action       | owner | editor | reviewer | viewer | Editors group (global) | superuser |
|--------------|-------|--------|----------|--------|------------------------|-----------|
| view         | yes   | yes    | yes      | yes    | yes                    | yes       |
| edit, submit | yes   | yes    | no       | no     | yes                    | yes       |
| approve own  | no    | no     | no       | no     | no                     | yes       |
| approve other's | yes | no    | yes      | no     | yes                    | yes       |
| publish      | yes   | no     | yes      | no     | yes                    | yes       |
| manage roles | yes   | no     | no       | no     | no                     | yes       |

"Own" is an event whose last change the user made (``updated_by``), or a pending
revision (review before publishing) the user wrote. A global
``view`` permission grants view; the global ``change`` permission (the "Editors"
group) grants edit, submit, approve other's and publish on every timeline, so
small teams keep working without roles. Inactive users may do nothing.
"""

from __future__ import annotations

from typing import Any

import rules

from timeline.models import Event, Revision, Role, Timeline, TimelineRole

ACTIONS = ("view", "edit", "submit", "approve", "publish", "manage_roles")
# The roles that allow each action (besides the global permissions and superusers).
ROLES_FOR = {
    "view": tuple(Role.values),
    "edit": (Role.OWNER, Role.EDITOR),
    "submit": (Role.OWNER, Role.EDITOR),
    "approve": (Role.OWNER, Role.REVIEWER),
    "publish": (Role.OWNER, Role.REVIEWER),
    "manage_roles": (Role.OWNER,),
}


def _timeline_id(obj: Any) -> int | None:
    if isinstance(obj, Timeline):
        return obj.pk
    if isinstance(obj, Event):
        return obj.timeline_id
    if isinstance(obj, Revision):
        return obj.event.timeline_id
    return None


def role_of(user: Any, obj: Any) -> str | None:
    """``user``'s role on the timeline ``obj`` is (or belongs to), or None; remembered on the user per request."""
    timeline_id = _timeline_id(obj)
    if timeline_id is None or not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_timeline_roles", {})
    if timeline_id not in cache:
        cache[timeline_id] = (
            TimelineRole.objects.filter(user_id=user.pk, timeline_id=timeline_id).values_list("role", flat=True).first()
        )
    return cache[timeline_id]


def has_role(*roles: str) -> Any:
    @rules.predicate(name=f"has_role({', '.join(roles)})")
    def predicate(user: Any, obj: Any = None) -> bool:
        return role_of(user, obj) in roles

    return predicate


def has_global(codename: str) -> Any:
    """The model permission from Django's groups and user permissions (never from a role)."""

    @rules.predicate(name=f"has_global({codename})")
    def predicate(user: Any) -> bool:
        return codename in user.get_all_permissions()

    return predicate


@rules.predicate
def is_active(user: Any) -> bool:
    return bool(getattr(user, "is_active", False))


@rules.predicate
def is_author(user: Any, obj: Any = None) -> bool:
    if isinstance(obj, Revision):
        return obj.author_id is not None and obj.author_id == user.pk
    return isinstance(obj, Event) and obj.updated_by_id is not None and obj.updated_by_id == user.pk


global_reads = has_global("timeline.view_event") | has_global("timeline.change_event")
global_edits = has_global("timeline.change_event")

ROLE_RULES = rules.RuleSet()
ROLE_RULES.add_rule("view", is_active & (rules.is_superuser | global_reads | has_role(*ROLES_FOR["view"])))
for _action in ("edit", "submit", "publish"):
    ROLE_RULES.add_rule(_action, is_active & (rules.is_superuser | global_edits | has_role(*ROLES_FOR[_action])))
ROLE_RULES.add_rule(
    "approve",
    is_active & (rules.is_superuser | ((global_edits | has_role(*ROLES_FOR["approve"])) & ~is_author)),
)
ROLE_RULES.add_rule("manage_roles", is_active & (rules.is_superuser | has_role(*ROLES_FOR["manage_roles"])))
