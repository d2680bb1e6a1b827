"""Users, groups and roles share their policy endpoints (attached, inline) and users and roles their tags and
permissions boundary: one table says which operation serves each, so one view serves all three."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


USERS = Kind(
    noun="User",
    collection="users",
    name_parameter="user_name",
    attach=operations.attach_user_policy,
    detach=operations.detach_user_policy,
    put_inline=operations.put_user_policy,
    delete_inline=operations.delete_user_policy,
    tag=operations.tag_user,
    untag=operations.untag_user,
    put_boundary=operations.put_user_permissions_boundary,
    delete_boundary=operations.delete_user_permissions_boundary,
)
GROUPS = Kind(
    noun="Group",
    collection="groups",
    name_parameter="group_name",
    attach=operations.attach_group_policy,
    detach=operations.detach_group_policy,
    put_inline=operations.put_group_policy,
    delete_inline=operations.delete_group_policy,
)
ROLES = Kind(
    noun="Role",
    collection="roles",
    name_parameter="role_name",
    attach=operations.attach_role_policy,
    detach=operations.detach_role_policy,
    put_inline=operations.put_role_policy,
    delete_inline=operations.delete_role_policy,
    tag=operations.tag_role,
    untag=operations.untag_role,
    put_boundary=operations.put_role_permissions_boundary,
    delete_boundary=operations.delete_role_permissions_boundary,
)
