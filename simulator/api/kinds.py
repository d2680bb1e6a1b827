"""Users, groups and roles share their policy endpoints (attached, inline) and users and roles their tags and
permissions boundary: a Kind says which operation serves each, so one view serves all three."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.sandbox import operations


@dataclass(frozen=True)
class Kind:
    """One kind of IAM identity: its noun, its URL segment (also its related name on Account), the URL parameter
    naming one of them, and its operations.

    Each operation takes the actor and the entity's name first, as simulator.sandbox.operations does.
    """

    noun: str
    collection: str
    name_parameter: str
    attach: Callable[..., None]
    detach: Callable[..., None]
    put_inline: Callable[..., object]
    delete_inline: Callable[..., None]
    tag: Callable[..., None] | None = None
    untag: Callable[..., None] | None = None
    put_boundary: Callable[..., None] | None = None
    delete_boundary: Callable[..., None] | None = None


def _kind(noun: str, *, tagged: bool) -> Kind:
    """The kind called ``noun`` (``tagged``: users and roles, with tags and a permissions boundary). Its
    operations are named as AWS names the actions (AttachUserPolicy is operations.attach_user_policy, as the
    schema's ``{noun}`` summaries assume); a missing one fails on import."""
    lower = noun.lower()

    def operation(name: str) -> Callable[..., Any]:
        return getattr(operations, name.format(lower))

    tagged_operations = {}
    if tagged:
        tagged_operations = {
            "tag": operation("tag_{}"),
            "untag": operation("untag_{}"),
            "put_boundary": operation("put_{}_permissions_boundary"),
            "delete_boundary": operation("delete_{}_permissions_boundary"),
        }
    return Kind(
        noun=noun,
        collection=f"{lower}s",
        name_parameter=f"{lower}_name",
        attach=operation("attach_{}_policy"),
        detach=operation("detach_{}_policy"),
        put_inline=operation("put_{}_policy"),
        delete_inline=operation("delete_{}_policy"),
        **tagged_operations,
    )


USERS = _kind("User", tagged=True)
GROUPS = _kind("Group", tagged=False)
ROLES = _kind("Role", tagged=True)
