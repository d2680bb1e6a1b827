"""The detail pages of an IAM user and of a group: their policies, boundary, groups or members, tags, deletion.

Every form on these pages posts one change to ``<entity>/<change>/``; a change is one IAM action of
simulator.sandbox.operations, performed as the acting identity. With htmx the page's region is swapped,
the error (if any) shown beside the form that caused it; without JavaScript the form posts and the page
redirects back, or re-renders with the error and AWS's status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from simulator.console import documents
from simulator.console.instance_lesson import instance_lesson
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.policy.findings import validate
from simulator.policy.model import PolicyType
from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.checks import policy_size
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, Group, IamUser, ManagedPolicy, Role, Sandbox
from simulator.sandbox.service_linked import SERVICE_ROLE_PATH


@dataclass(frozen=True)
class Change:
    """One form of a detail page: the IAM action it performs, called with the acting identity, the entity's
    name, then these form fields in order."""

    operation: Callable[..., object]
    fields: tuple[str, ...] = ()


def _tag_user(actor: Actor, user_name: str, key: str, value: str) -> None:
    operations.tag_user(actor, user_name, [{"Key": key, "Value": value}])


def _untag_user(actor: Actor, user_name: str, key: str) -> None:
    operations.untag_user(actor, user_name, [key])


def _join_group(actor: Actor, user_name: str, group_name: str) -> None:
    operations.add_user_to_group(actor, group_name, user_name)


def _leave_group(actor: Actor, user_name: str, group_name: str) -> None:
    operations.remove_user_from_group(actor, group_name, user_name)


USER_CHANGES = {
    "attach": Change(operations.attach_user_policy, ("policy_arn",)),
    "detach": Change(operations.detach_user_policy, ("policy_arn",)),
    "put_inline": Change(operations.put_user_policy, ("policy_name", "document")),
    "delete_inline": Change(operations.delete_user_policy, ("policy_name",)),
    "set_boundary": Change(operations.put_user_permissions_boundary, ("policy_arn",)),
    "remove_boundary": Change(operations.delete_user_permissions_boundary),
    "join_group": Change(_join_group, ("group",)),
    "leave_group": Change(_leave_group, ("group",)),
    "tag": Change(_tag_user, ("key", "value")),
    "untag": Change(_untag_user, ("key",)),
    "delete": Change(operations.delete_user),
}
GROUP_CHANGES = {
    "attach": Change(operations.attach_group_policy, ("policy_arn",)),
    "detach": Change(operations.detach_group_policy, ("policy_arn",)),
    "put_inline": Change(operations.put_group_policy, ("policy_name", "document")),
    "delete_inline": Change(operations.delete_group_policy, ("policy_name",)),
    "add_member": Change(operations.add_user_to_group, ("user",)),
    "remove_member": Change(operations.remove_user_from_group, ("user",)),
    "delete": Change(operations.delete_group),
}


def _managed() -> QuerySet[ManagedPolicy]:
    return ManagedPolicy.objects.select_related("account")


def attachable_policies(account: Account) -> QuerySet[ManagedPolicy]:
    """What a picker offers: the account's customer managed policies and the AWS managed ones, less the
    policies reserved for service-linked roles (IAM refuses to attach those anywhere else)."""
    aws_service_role = Q(account__isnull=True, path__startswith=SERVICE_ROLE_PATH)
    return (
        _managed().filter(Q(account=account) | Q(account__isnull=True)).exclude(aws_service_role).order_by("name", "id")
    )


def _user_for_page(account: Account, user_id: int) -> IamUser:
    """The user with everything its page shows, in a fixed number of queries however many groups and policies."""
    groups = Group.objects.prefetch_related(Prefetch("managed_policies", _managed()), "inline_policies")
    users = account.users.select_related("account", "permissions_boundary__account").prefetch_related(
        Prefetch("managed_policies", _managed()), "inline_policies", Prefetch("groups", groups)
    )
    return get_object_or_404(users, pk=user_id)


def _group_for_page(account: Account, group_id: int) -> Group:
    groups = account.groups.select_related("account").prefetch_related(
        Prefetch("managed_policies", _managed()), "inline_policies", "members"
    )
    return get_object_or_404(groups, pk=group_id)


@dataclass(frozen=True)
class Page:
    """What differs between the user page and the group page; the views below serve both."""

    kind: str
    changes: dict[str, Change]
    load: Callable[[Account, int], IamUser | Group]
    describe: Callable[[Account, Any], dict[str, Any]]
    inline_quota: int

    @property
    def template(self) -> str:
        return f"console/{self.kind}.html"

    def entities(self, account: Account) -> QuerySet:
        return account.users.all() if self.kind == "user" else account.groups.all()


def _describe_user(account: Account, user: IamUser) -> dict[str, Any]:
    member_of = {group.pk for group in user.groups.all()}
    return {
        "iam_user": user,
        "other_groups": [group for group in account.groups.only("id", "name", "account") if group.pk not in member_of],
    }


def _describe_group(account: Account, group: Group) -> dict[str, Any]:
    members = {member.pk for member in group.members.all()}
    return {
        "group": group,
        "other_users": [user for user in account.users.only("id", "name", "account") if user.pk not in members],
        # Offered beside the users so that choosing one teaches why an instance cannot be a member.
        "instance_ids": list(account.instances.exclude(state="terminated").values_list("instance_id", flat=True)),
    }


USER_PAGE = Page("user", USER_CHANGES, _user_for_page, _describe_user, operations.USER_INLINE_SIZE)
GROUP_PAGE = Page("group", GROUP_CHANGES, _group_for_page, _describe_group, operations.GROUP_INLINE_SIZE)


def inline_editor(entity: IamUser | Group | Role, typed: dict[str, str], edit: str) -> dict[str, Any]:
    """The inline policy editor: what the learner typed, else the policy they asked to edit, else blank."""
    if "document" in typed:
        name, document = typed["policy_name"], typed["document"]
    else:
        existing = next((p for p in entity.inline_policies.all() if p.name == edit), None)
        name, document = (existing.name, existing.document) if existing else ("", "")
    return {
        "editing": {"policy_name": name, "document": document},
        "findings": validate(document, PolicyType.IDENTITY) if document.strip() else (),
        "checked": bool(document.strip()),
    }


def policy_panels(account: Account, entity: IamUser | Group | Role) -> dict[str, Any]:
    """What a user's, group's or role's page shows of its policies: the inline ones (highlighted) and the
    size they use, the policies it could still attach, and the choices of a permissions boundary."""
    inline = list(entity.inline_policies.all())
    for policy in inline:
        policy.highlighted = documents.highlight(policy.document)
    attached = {policy.pk for policy in entity.managed_policies.all()}
    choices = list(attachable_policies(account))
    return {
        "inline": inline,
        "inline_used": sum(policy_size(policy.document) for policy in inline),
        "policy_quota": operations.MANAGED_POLICIES_PER_ENTITY,
        "attachable": [policy for policy in choices if policy.pk not in attached],
        "boundary_choices": choices,
    }


def _context(
    page: Page,
    sandbox: Sandbox,
    actor: Actor,
    entity_id: int,
    *,
    failed: str = "",
    error: AwsError | None = None,
    typed: dict[str, str] | None = None,
    edit: str = "",
    unconfirmed: bool = False,
) -> dict[str, Any]:
    entity = page.load(actor.account, entity_id)
    return {
        "sandbox": sandbox,
        "account": actor.account,
        "actor": actor,
        "entity": entity,
        "kind": page.kind,
        "page_url": reverse(f"console:{page.kind}", args=[sandbox.id, entity.pk]),
        "change_urls": {
            change: reverse(f"console:{page.kind}_change", args=[sandbox.id, entity.pk, change])
            for change in page.changes
        },
        **policy_panels(actor.account, entity),
        "inline_quota": page.inline_quota,
        "failed": failed,
        "error": error,
        "typed": typed or {},
        "unconfirmed": unconfirmed,
        **inline_editor(entity, typed or {}, edit),
        **page.describe(actor.account, entity),
    }


def _render(request: HttpRequest, page: Page, context: dict, status: int = 200) -> HttpResponse:
    template = f"{page.template}#{page.kind}-region" if request.htmx else page.template
    return render(request, template, context, status=status)


def _detail(request: HttpRequest, page: Page, sandbox_id: int, entity_id: int) -> HttpResponse:
    """The page; ``?edit=<inline policy name>`` opens that inline policy in the editor."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    context = _context(page, sandbox, actor, entity_id, edit=request.GET.get("edit", ""))
    return _render(request, page, context)


def _change(request: HttpRequest, page: Page, sandbox_id: int, entity_id: int, change: str) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    entity: Model = get_object_or_404(page.entities(actor.account), pk=entity_id)
    if change not in page.changes:
        raise Http404(f"No such change: {change}")
    spec = page.changes[change]
    typed = {field: request.POST.get(field, "") for field in spec.fields}
    if change == "delete" and request.POST.get("confirm", "").strip() != entity.name:
        # Deleting cannot be undone: as in IAM's console, the learner types the name to confirm.
        context = _context(page, sandbox, actor, entity_id, failed=change, unconfirmed=True)
        return _render(request, page, context, status=200 if request.htmx else 400)
    try:
        spec.operation(actor, entity.name, *typed.values())
    except AwsError as error:
        context = _context(page, sandbox, actor, entity_id, failed=change, error=error, typed=typed)
        if change == "add_member":
            # An instance id where a user belongs: the answer is why an instance never joins a group.
            context |= instance_lesson(actor.account, typed["user"])
        return _render(request, page, context, status=error_status(request, error))
    if change == "delete":
        listing = reverse(f"console:{page.kind}s", args=[sandbox.id])
        return HttpResponseClientRedirect(listing) if request.htmx else redirect(listing)
    if not request.htmx:
        return redirect(f"console:{page.kind}", sandbox.id, entity_id)
    return _render(request, page, _context(page, sandbox, actor, entity_id))


@login_required
@vary_on_headers("HX-Request")
@require_safe
def user_detail(request: HttpRequest, sandbox_id: int, user_id: int) -> HttpResponse:
    return _detail(request, USER_PAGE, sandbox_id, user_id)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def change_user(request: HttpRequest, sandbox_id: int, user_id: int, change: str) -> HttpResponse:
    return _change(request, USER_PAGE, sandbox_id, user_id, change)


@login_required
@vary_on_headers("HX-Request")
@require_safe
def group_detail(request: HttpRequest, sandbox_id: int, group_id: int) -> HttpResponse:
    return _detail(request, GROUP_PAGE, sandbox_id, group_id)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def change_group(request: HttpRequest, sandbox_id: int, group_id: int, change: str) -> HttpResponse:
    return _change(request, GROUP_PAGE, sandbox_id, group_id, change)
