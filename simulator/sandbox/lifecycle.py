"""A learner's sandboxes as wholes: create one from a template, reset it, delete it, add an account.

These are the learner managing their own sandboxes, not IAM actions inside an account, so the
policy engine is not asked (an IAM user inside the sandbox could not delete the sandbox in AWS
either: there is no such action). Callers must already have checked that the sandbox is the
learner's own (``Sandbox.objects.for_user``).

Reset keeps the id of the sandbox's first account: lessons, bookmarks and the learner's act-as
choice name accounts by id, and they keep working. Every other account goes, with everything in
every account (IAM entities, access keys, buckets and objects, the decision log), and the template
is built again in the kept account.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from . import demo, errors
from .checks import check_account_alias
from .models import Account, IamUser, InstanceProfile, Role, Sandbox

SANDBOX_NAME_LENGTH = Sandbox._meta.get_field("name").max_length
SANDBOXES_PER_LEARNER = 10
ACCOUNTS_PER_SANDBOX = 5


def _empty(account: Account) -> None:
    """The empty template: an account with nothing in it but its root user."""


TEMPLATES: dict[str, Callable[[Account], None]] = {
    Sandbox.Template.EMPTY: _empty,
    Sandbox.Template.DEMO: demo.populate,
}


def _check_sandbox_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise errors.validation_error("Give the sandbox a name.")
    if len(name) > SANDBOX_NAME_LENGTH:
        raise errors.validation_error(f"A sandbox name is at most {SANDBOX_NAME_LENGTH} characters long.")
    return name


def create_sandbox(owner, name: str, template: str = Sandbox.Template.EMPTY) -> Sandbox:
    """A new sandbox of the learner's, its one account built from ``template``; names are unique per
    learner (regardless of case), so a form sent twice cannot make two sandboxes."""
    name = _check_sandbox_name(name)
    if template not in TEMPLATES:
        raise errors.validation_error(f"Unknown template {template!r}: choose {' or '.join(TEMPLATES)}.")
    with transaction.atomic():
        # The learner's row, locked, queues a second request behind this one for the checks below.
        get_user_model().objects.select_for_update().get(pk=owner.pk)
        theirs = Sandbox.objects.for_user(owner)
        if theirs.filter(name__iexact=name).exists():
            raise errors.AwsError("EntityAlreadyExists", f"You already have a sandbox named {name}.", 409)
        if theirs.count() >= SANDBOXES_PER_LEARNER:
            raise errors.limit_exceeded(
                f"You can have up to {SANDBOXES_PER_LEARNER} sandboxes: delete one before you create another."
            )
        sandbox = Sandbox.objects.create(owner=owner, name=name, template=template)
        TEMPLATES[template](Account.objects.create(sandbox=sandbox))
    return sandbox


def _delete_accounts(sandbox: Sandbox) -> None:
    """Delete every account of the sandbox and all that is in them.

    Trap: permissions boundaries and instance profiles' roles are PROTECT foreign keys, and Django
    refuses a cascade that meets one even when the protected row goes too; they are cleared first.
    """
    in_sandbox = {"account__sandbox": sandbox}
    IamUser.objects.filter(**in_sandbox).update(permissions_boundary=None)
    Role.objects.filter(**in_sandbox).update(permissions_boundary=None)
    InstanceProfile.objects.filter(**in_sandbox).update(role=None)
    sandbox.accounts.all().delete()


def reset_sandbox(sandbox: Sandbox) -> Sandbox:
    """The sandbox back to exactly its template's state, in one transaction; its first account keeps its id."""
    with transaction.atomic():
        sandbox = Sandbox.objects.select_for_update().get(pk=sandbox.pk)
        first = sandbox.accounts.first()
        _delete_accounts(sandbox)
        account = Account(sandbox=sandbox)
        if first is not None:
            account.account_id = first.account_id
        account.save()
        TEMPLATES[sandbox.template](account)
    return sandbox


def delete_sandbox(sandbox: Sandbox, typed_name: str) -> None:
    """Delete the sandbox once the learner has typed its name, as the AWS console asks before deleting."""
    if typed_name.strip() != sandbox.name:
        raise errors.validation_error(f"To delete the sandbox, type its name ({sandbox.name}) exactly.")
    with transaction.atomic():
        _delete_accounts(sandbox)
        sandbox.delete()


def add_account(sandbox: Sandbox, alias: str) -> Account:
    """Another account in the sandbox, named by an alias validated as CreateAccountAlias does.

    Aliases are unique across AWS; here, across the sandbox, like bucket names.
    """
    check_account_alias(alias)
    with transaction.atomic():
        sandbox = Sandbox.objects.select_for_update().get(pk=sandbox.pk)
        accounts = list(sandbox.accounts.all())
        if any(account.alias == alias for account in accounts):
            raise errors.AwsError("EntityAlreadyExists", f"The account alias {alias} already exists.", 409)
        if len(accounts) >= ACCOUNTS_PER_SANDBOX:
            raise errors.limit_exceeded(f"A sandbox holds at most {ACCOUNTS_PER_SANDBOX} accounts.")
        return Account.objects.create(sandbox=sandbox, alias=alias)
