"""A user's security credentials: their console password, their access keys, and switching keys without downtime.

Every change goes through the sandbox's credentials operations as the acting identity, so an IAM user
without permission meets AccessDenied here as in the API. An access key's secret is shown once, in the
answer to its creation; without JavaScript that answer is a redirect, so the key's id waits in the session
for the next page view, which shows the secret and forgets it. The account page (account_settings) shares
the access-key helpers below for the root user's keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import access_keys, password_policy
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import AccessKey, Account, IamUser, Sandbox

PAGE = "console/user_credentials.html"
REGION = "credentials-region"
# What a no-JavaScript form's answer shows once, after its redirect: a new key's id, a finished update.
FLASH_SESSION_KEY = "credentials_flash"
# The call a simulated application makes with its new key: STS GetCallerIdentity needs no permission.
SIMULATED_SERVICE = "sts"
ROTATION_STEPS = (
    "Create a second access key",
    "Switch your applications to the new key",
    "Deactivate the old key",
    "Delete the old key once nothing broke",
)


@dataclass(frozen=True)
class Rotation:
    """Where a user is in switching from one access key to another without downtime ("Update access keys").

    ``step`` is the step to do next, 1 to 4, or 0 when there is no key to switch from.
    """

    step: int
    old: AccessKey | None = None
    new: AccessKey | None = None

    @property
    def steps(self) -> list[tuple[int, str, str]]:
        """(number, title, "done" | "current" | "todo") for each step."""
        return [
            (number, title, "done" if number < self.step else "current" if number == self.step else "todo")
            for number, title in enumerate(ROTATION_STEPS, start=1)
        ]

    @property
    def done(self) -> int:
        return max(self.step - 1, 0)


def rotation(keys: list[AccessKey]) -> Rotation:
    """Derived from the keys alone: of two keys the inactive one is being retired, of two active ones the older.

    Two active keys wait at step 2 until the new one has been used: only then is it safe to deactivate the old.
    """
    active = [key for key in keys if key.status == AccessKey.Status.ACTIVE]
    if len(keys) == 1:
        return Rotation(1, old=keys[0])
    if len(keys) != 2 or not active:
        return Rotation(0)
    if len(active) == 1:
        (new,) = active
        (old,) = [key for key in keys if key is not new]
        return Rotation(4, old=old, new=new)
    old, new = sorted(keys, key=lambda key: (key.created_at, key.pk))
    return Rotation(2 if new.last_used_at is None else 3, old=old, new=new)


def attempt(operation: Callable[..., Any], *args: Any) -> tuple[Any, AwsError | None]:
    """The operation's result and no error, or no result and the AWS error to show in place."""
    try:
        return operation(*args), None
    except AwsError as error:
        return None, error


def respond(request: HttpRequest, page: str, region: str, context: dict, error: AwsError | None) -> HttpResponse:
    """The whole page, or only its region for htmx."""
    template = f"{page}#{region}" if request.htmx else page
    return render(request, template, context, status=error_status(request, error))


def flash(request: HttpRequest, new_key: AccessKey | None, rotation_finished: bool = False) -> None:
    """Keep for the page view after the redirect what it must show once: only the new key's id, never its secret."""
    request.session[FLASH_SESSION_KEY] = {
        "new_key": new_key.access_key_id if new_key is not None else "",
        "rotation_finished": rotation_finished,
    }


def pop_flash(request: HttpRequest, account: Account, owner: IamUser | None) -> dict[str, Any]:
    kept = request.session.pop(FLASH_SESSION_KEY, {})
    new_key = None
    if kept.get("new_key"):
        new_key = AccessKey.objects.filter(account=account, user=owner, access_key_id=kept["new_key"]).first()
    return {"new_key": new_key, "rotation_finished": kept.get("rotation_finished", False)}


def check_key_belongs(account: Account, owner: IamUser | None, access_key_id: str, operation: str) -> None:
    """A key that is not this owner's (another learner's, another user's) is a 404 before any operation sees it."""
    if operation == "create":
        return
    if not AccessKey.objects.filter(account=account, user=owner, access_key_id=access_key_id).exists():
        raise Http404("No such access key.")


def key_operation(
    actor: Actor, owner: IamUser | None, operation: str, access_key_id: str
) -> tuple[Any, AwsError | None]:
    """One access-key button: create, activate, deactivate, delete, or (a user's key) simulate a call made with it."""
    user_name = owner.name if owner is not None else None
    statuses = {"activate": AccessKey.Status.ACTIVE, "deactivate": AccessKey.Status.INACTIVE}
    if operation == "create":
        return attempt(access_keys.create_access_key, actor, user_name)
    if operation in statuses:
        return attempt(access_keys.update_access_key, actor, user_name, access_key_id, statuses[operation])
    if operation == "delete":
        return attempt(access_keys.delete_access_key, actor, user_name, access_key_id)
    if operation == "use" and owner is not None:
        return attempt(access_keys.record_access_key_use, actor.account.sandbox, access_key_id, SIMULATED_SERVICE)
    raise BadRequest("No such operation.")


def _user_for(request: HttpRequest, sandbox_id: int, user_id: int) -> tuple[Sandbox, Actor, IamUser]:
    """The learner's sandbox, who they act as, and the user: a user of another account is a 404."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    return sandbox, actor, get_object_or_404(actor.account.users.select_related("account"), pk=user_id)


def _context(sandbox: Sandbox, actor: Actor, user: IamUser, **overrides: Any) -> dict:
    keys = list(user.access_keys.defer("secret"))
    return {
        "sandbox": sandbox,
        "account": user.account,
        "actor": actor,
        "iam_user": user,
        "keys": keys,
        "rotation": rotation(keys),
        "password_rules": password_policy.requirements(user.account),
        "password_expiry": password_policy.expiry(user),
        "acting_as_user": actor.user is not None and actor.user.pk == user.pk,
        "password_error": None,
        "change_error": None,
        "change_mismatch": False,
        "password_changed": False,
        "keys_error": None,
        "new_key": None,
        "rotation_finished": False,
        **overrides,
    }


@login_required
@vary_on_headers("HX-Request")
@require_safe
def user_credentials(request: HttpRequest, sandbox_id: int, user_id: int) -> HttpResponse:
    sandbox, actor, user = _user_for(request, sandbox_id, user_id)
    context = _context(sandbox, actor, user, **pop_flash(request, actor.account, user))
    return respond(request, PAGE, REGION, context, None)


def _password_operation(actor: Actor, user: IamUser, data: dict) -> AwsError | None:
    operation = data.get("operation", "")
    if operation == "change":
        # ChangePassword acts on the caller's own password: the page's user is only who the form belongs to.
        if actor.user is None or actor.user.pk != user.pk:
            raise BadRequest("Only the user themselves can change their own password.")
        old_password, new_password = data.get("old_password", ""), data.get("new_password", "")
        return attempt(password_policy.change_password, actor, old_password, new_password)[1]
    password = data.get("password", "")
    reset_required = data.get("password_reset_required") == "on"
    if operation == "create":
        return attempt(password_policy.create_login_profile, actor, user.name, password, reset_required)[1]
    if operation == "update":
        # A blank password changes only whether a new one must be chosen at next sign-in.
        return attempt(password_policy.update_login_profile, actor, user.name, password or None, reset_required)[1]
    if operation == "delete":
        return attempt(password_policy.delete_login_profile, actor, user.name)[1]
    raise BadRequest("No such operation.")


@login_required
@vary_on_headers("HX-Request")
@require_POST
def user_password(request: HttpRequest, sandbox_id: int, user_id: int) -> HttpResponse:
    """Create, change or remove the user's console password, as the button pressed says; or, acting as the
    user, change their own ("change": the old password, the new one twice)."""
    sandbox, actor, user = _user_for(request, sandbox_id, user_id)
    changing_own = request.POST.get("operation") == "change"
    if changing_own and request.POST.get("new_password") != request.POST.get("new_password_again"):
        # Checked here as AWS's console checks it, before any request: ChangePassword takes the new one once.
        context = _context(sandbox, actor, user, change_mismatch=True)
        return render(
            request, f"{PAGE}#{REGION}" if request.htmx else PAGE, context, status=200 if request.htmx else 400
        )
    error = _password_operation(actor, user, request.POST)
    if error is None and not request.htmx:
        return redirect("console:user_credentials", sandbox.id, user.id)
    user.refresh_from_db()
    errors = {"change_error": error} if changing_own else {"password_error": error}
    context = _context(sandbox, actor, user, password_changed=changing_own and error is None, **errors)
    return respond(request, PAGE, REGION, context, error)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def user_access_keys(request: HttpRequest, sandbox_id: int, user_id: int) -> HttpResponse:
    sandbox, actor, user = _user_for(request, sandbox_id, user_id)
    operation, access_key_id = request.POST.get("operation", ""), request.POST.get("access_key_id", "")
    check_key_belongs(actor.account, user, access_key_id, operation)
    before = rotation(list(user.access_keys.defer("secret")))
    result, error = key_operation(actor, user, operation, access_key_id)
    new_key = result if error is None and operation == "create" else None
    finished = (
        error is None and operation == "delete" and before.step == 4 and before.old.access_key_id == access_key_id
    )
    if error is None and not request.htmx:
        flash(request, new_key, finished)
        return redirect("console:user_credentials", sandbox.id, user.id)
    context = _context(sandbox, actor, user, keys_error=error, new_key=new_key, rotation_finished=finished)
    return respond(request, PAGE, REGION, context, error)
