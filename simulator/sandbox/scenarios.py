"""Guided scenarios, built in the learner's sandbox as real entities through the ordinary operations.

Cross-account access, two ways side by side (IAM User Guide, "Cross account resource access in IAM", formerly
"How IAM roles differ from resource-based policies"; "Cross-account policy evaluation logic"):

- TO the resource: the IAM user ``partner`` of account B reads an object in account A's bucket directly. The
  request is cross-account, so the bucket policy (A's side) and partner's identity policy (B's side) must
  both allow it.
- FROM the resource's side: partner assumes A's role ``ReportsReader`` and reads with the session. The
  AssumeRole is cross-account (the trust policy and partner's policy must both allow it); the read is a
  request inside A, decided by the role's policies alone: partner gives up its own permissions while in
  the session ("Permissions for AssumeRole, AssumeRoleWithSAML, and AssumeRoleWithWebIdentity").

The root user: it is not limited by identity-based policies (it has none: "AWS account root user"), but a
bucket policy's explicit Deny applies to it as to anyone, which is why S3 always lets the owner's root user
change or delete the bucket policy ("DeleteBucketPolicy").

Setup runs as each account's root user, whoever the learner acts as, and reuses what already exists; the
toggles rewrite the policies they stand for. Every step is an AWS action the engine decides and logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from . import buckets, errors, lifecycle, operations, sts
from .authorization import Actor
from .models import Account, Bucket, BucketObject, DecisionRecord, IamUser, Role, Sandbox, UserPolicy
from .role_operations import update_assume_role_policy

PARTNER = "partner"
PARTNER_POLICY = "SharedReportsAccess"
ROLE = "ReportsReader"
ROLE_POLICY = "ReadSharedReports"
SESSION_NAME = "partner"
REPORT_KEY = "q3-summary.txt"
REPORT_BODY = "Q3 summary: revenue up 12%, costs flat. Shared with the partner account."
ROOT_DEMO_USER = "alice"
ROOT_DEMO_KEY = "notes.txt"
ROOT_DEMO_BODY = "Only people with a reason to read this should."

# The statements each toggle adds, found again by their Sid.
BUCKET_ALLOWS_PARTNER = "PartnerAccountReadsReports"
PARTNER_GETS_OBJECT = "ReadSharedReportsDirectly"
PARTNER_ASSUMES_ROLE = "AssumeReportsReader"
TRUST_PARTNER = "TrustPartnerAccount"
DENY_EVERYONE = "DenyEveryoneReading"
# AssumeRole's ExternalId: 2 to 1224 characters of [\w+=,.@:/-] (AWS STS API Reference, AssumeRole).
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def _statements_by_sid(document: str) -> dict[str, dict]:
    """The statements of a policy document by Sid; text that is not a policy has none."""
    try:
        parsed = json.loads(document)
    except ValueError:
        return {}
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    return {s["Sid"]: s for s in statements if isinstance(s, dict) and isinstance(s.get("Sid"), str)}


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the ids of the decisions it made (in the order made), and the object's text
    when it was read or the AWS error that stopped it."""

    decision_ids: tuple[int, ...]
    body: str | None = None
    error_code: str = ""
    error_message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.body is not None


def _last_decision(sandbox: Sandbox) -> int:
    return DecisionRecord.objects.filter(account__sandbox=sandbox).aggregate(last=Max("pk"))["last"] or 0


def _attempt(sandbox: Sandbox, steps: Callable[[], BucketObject]) -> Outcome:
    """Run ``steps`` (which returns the object read) and gather every decision it made, in any account: an
    AssumeRole is logged in the caller's account, the session's read in the role's.

    Trap: the decisions are those logged in the sandbox while the steps ran, so a request the same learner
    makes at the same moment in another tab would be counted too; a sandbox has one learner, so this is rare
    and harmless (its decisions are theirs as well).
    """
    mark = _last_decision(sandbox)
    try:
        body = steps().body
    except errors.AwsError as error:
        outcome = {"error_code": error.code, "error_message": error.message}
    else:
        outcome = {"body": body}
    made = DecisionRecord.objects.filter(account__sandbox=sandbox, pk__gt=mark).order_by("pk")
    return Outcome(tuple(made.values_list("pk", flat=True)), **outcome)


def _bucket_with_object(sandbox: Sandbox, owner: Actor, name: str, key: str, body: str) -> bool:
    """The owner's bucket ``name`` holding ``key``, created when missing; whether the bucket is new.

    A name another account of the sandbox took answers BucketAlreadyExists, as S3 would.
    """
    existing = Bucket.objects.filter(sandbox=sandbox, name=name).first()
    created = existing is None or existing.account_id != owner.account.pk
    if created:
        buckets.create_bucket(owner, name)
    if not Bucket.objects.filter(sandbox=sandbox, name=name, objects_stored__key=key).exists():
        buckets.put_object(owner, name, key, body)
    return created


# Cross-account: account A (the sandbox's first account) trusts account B (its second).


def reports_bucket_name(trusting: Account) -> str:
    """Bucket names are shared by every account of the sandbox: the owner's id keeps this one its own."""
    return f"shared-reports-{trusting.account_id}"


@dataclass(frozen=True)
class CrossAccount:
    """The cross-account scenario's cast as it stands in the sandbox."""

    trusting: Account
    trusted: Account
    bucket: Bucket
    partner: IamUser
    role: Role

    @property
    def object_arn(self) -> str:
        return f"{self.bucket.arn}/{REPORT_KEY}"

    @property
    def partner_arn(self) -> str:
        return f"arn:aws:iam::{self.trusted.account_id}:user{self.partner.path}{self.partner.name}"

    @property
    def session_arn(self) -> str:
        """The principal partner's role session reads as: a principal of account A."""
        return f"arn:aws:sts::{self.trusting.account_id}:assumed-role/{self.role.name}/{SESSION_NAME}"


@dataclass(frozen=True)
class Toggles:
    """Which side allows what, read from the policies the toggles write (by their statements' Sids)."""

    bucket_allows_partner_account: bool
    partner_may_get_object: bool
    trust_allows_partner_account: bool
    required_external_id: str
    partner_may_assume_role: bool


def cross_account(sandbox: Sandbox) -> CrossAccount | None:
    """The scenario's entities, or None until its setup has run (or after something of it was deleted)."""
    accounts = list(sandbox.accounts.all()[:2])
    if len(accounts) < 2:
        return None
    trusting, trusted = accounts
    bucket = trusting.buckets.filter(name=reports_bucket_name(trusting)).first()
    partner = trusted.users.filter(name__iexact=PARTNER).first()
    role = trusting.roles.filter(name__iexact=ROLE).first()
    if bucket is None or partner is None or role is None:
        return None
    return CrossAccount(trusting, trusted, bucket, partner, role)


def _statement(sid: str, action: str, *, resource: str = "", principal: dict | str = "", effect: str = "Allow"):
    """One policy statement: a resource-based one names its principal, an identity-based one does not."""
    statement: dict = {"Sid": sid, "Effect": effect}
    if principal:
        statement["Principal"] = principal
    statement["Action"] = action
    if resource:
        statement["Resource"] = resource
    return statement


def _reports(trusting: Account) -> str:
    """Every object in the shared bucket."""
    return f"arn:aws:s3:::{reports_bucket_name(trusting)}/*"


def _bucket_policy(trusting: Account, trusted: Account) -> str:
    principal = {"AWS": trusted.root_arn}
    return _document(
        _statement(BUCKET_ALLOWS_PARTNER, "s3:GetObject", resource=_reports(trusting), principal=principal)
    )


def _partner_policy(trusting: Account, may_get_object: bool, may_assume_role: bool) -> str | None:
    """Partner's identity policy with the statements switched on; None when none is."""
    statements = []
    if may_get_object:
        statements.append(_statement(PARTNER_GETS_OBJECT, "s3:GetObject", resource=_reports(trusting)))
    if may_assume_role:
        role_arn = f"arn:aws:iam::{trusting.account_id}:role/{ROLE}"
        statements.append(_statement(PARTNER_ASSUMES_ROLE, "sts:AssumeRole", resource=role_arn))
    return _document(*statements) if statements else None


def _trust_policy(trusting: Account, trusted: Account, trusts_partner: bool, external_id: str) -> str:
    """Trusting account B, or (switched off) only account A itself: a trust policy must name someone."""
    if not trusts_partner:
        return _document(_statement("TrustOwnAccountOnly", "sts:AssumeRole", principal={"AWS": trusting.root_arn}))
    statement = _statement(TRUST_PARTNER, "sts:AssumeRole", principal={"AWS": trusted.root_arn})
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return _document(statement)


def _role_policy(trusting: Account) -> str:
    return _document(_statement("ReadReports", "s3:GetObject", resource=_reports(trusting)))


def _two_accounts(sandbox: Sandbox) -> tuple[Account, Account]:
    accounts = list(sandbox.accounts.all()[:2])
    if len(accounts) < 2:
        accounts.append(lifecycle.add_account(sandbox, f"partner-{accounts[0].account_id}"))
    return accounts[0], accounts[1]


def set_up_cross_account(sandbox: Sandbox) -> CrossAccount:
    """Build what the scenario needs, as each account's root user; what exists already is kept as it is
    (the toggles' state included). All or nothing: one transaction."""
    with transaction.atomic():
        trusting, trusted = _two_accounts(sandbox)
        owner, partner_root = Actor(trusting), Actor(trusted)
        name = reports_bucket_name(trusting)
        if _bucket_with_object(sandbox, owner, name, REPORT_KEY, REPORT_BODY):
            buckets.put_bucket_policy(owner, name, _bucket_policy(trusting, trusted))
        if not trusted.users.filter(name__iexact=PARTNER).exists():
            operations.create_user(partner_root, PARTNER)
            operations.put_user_policy(partner_root, PARTNER, PARTNER_POLICY, _partner_policy(trusting, True, True))
        if not trusting.roles.filter(name__iexact=ROLE).exists():
            trust = _trust_policy(trusting, trusted, True, "")
            description = f"Lets account {trusted.account_id} read the shared reports (cross-account scenario)."
            operations.create_role(owner, ROLE, trust, description=description)
            operations.put_role_policy(owner, ROLE, ROLE_POLICY, _role_policy(trusting))
    cast = cross_account(sandbox)
    assert cast is not None, "the setup has just built every entity of the cast"
    return cast


def toggles(cast: CrossAccount) -> Toggles:
    """Read from the stored documents, not the cast's copies: a toggle may have rewritten them since."""
    inline = UserPolicy.objects.filter(user=cast.partner, name=PARTNER_POLICY).values_list("document", flat=True)
    partner = _statements_by_sid(inline.first() or "")
    bucket_policy = Bucket.objects.filter(pk=cast.bucket.pk).values_list("policy", flat=True).first() or ""
    trust_policy = Role.objects.filter(pk=cast.role.pk).values_list("trust_policy", flat=True).first() or ""
    trust = _statements_by_sid(trust_policy).get(TRUST_PARTNER)
    external_id = ""
    if trust is not None:
        equals = (trust.get("Condition") or {}).get("StringEquals") or {}
        value = equals.get("sts:ExternalId", "")
        external_id = value if isinstance(value, str) else ""
    return Toggles(
        bucket_allows_partner_account=BUCKET_ALLOWS_PARTNER in _statements_by_sid(bucket_policy),
        partner_may_get_object=PARTNER_GETS_OBJECT in partner,
        trust_allows_partner_account=trust is not None,
        required_external_id=external_id,
        partner_may_assume_role=PARTNER_ASSUMES_ROLE in partner,
    )


def _write_partner_policy(cast: CrossAccount, may_get_object: bool, may_assume_role: bool) -> None:
    partner_root = Actor(cast.trusted)
    document = _partner_policy(cast.trusting, may_get_object, may_assume_role)
    if document is not None:
        operations.put_user_policy(partner_root, cast.partner.name, PARTNER_POLICY, document)
    elif UserPolicy.objects.filter(user=cast.partner, name=PARTNER_POLICY).exists():
        operations.delete_user_policy(partner_root, cast.partner.name, PARTNER_POLICY)


def set_resource_side(cast: CrossAccount, bucket_allows_partner_account: bool, partner_may_get_object: bool) -> None:
    """The TO column's toggles: the bucket policy (A's side) and partner's s3:GetObject (B's side)."""
    owner = Actor(cast.trusting)
    with transaction.atomic():
        if bucket_allows_partner_account:
            buckets.put_bucket_policy(owner, cast.bucket.name, _bucket_policy(cast.trusting, cast.trusted))
        else:
            buckets.delete_bucket_policy(owner, cast.bucket.name)
        _write_partner_policy(cast, partner_may_get_object, toggles(cast).partner_may_assume_role)


def check_external_id(external_id: str, where: str) -> None:
    if external_id and not _EXTERNAL_ID.fullmatch(external_id):
        rule = "Member must have length between 2 and 1224, and satisfy regular expression pattern: [\\w+=,.@:\\/-]*"
        raise errors.validation_failed([errors.constraint(external_id, where, rule)])


def set_role_side(
    cast: CrossAccount, trust_allows_partner_account: bool, required_external_id: str, partner_may_assume_role: bool
) -> None:
    """The FROM column's toggles: the trust policy (A's side, with its external ID) and partner's
    sts:AssumeRole (B's side)."""
    check_external_id(required_external_id, "externalId")
    trust = _trust_policy(cast.trusting, cast.trusted, trust_allows_partner_account, required_external_id)
    with transaction.atomic():
        update_assume_role_policy(Actor(cast.trusting), cast.role.name, trust)
        _write_partner_policy(cast, toggles(cast).partner_may_get_object, partner_may_assume_role)


def read_directly(cast: CrossAccount) -> Outcome:
    """Partner, in account B, reads the object in A's bucket: one cross-account request."""
    partner = Actor(cast.trusted, user=cast.partner)
    return _attempt(cast.trusting.sandbox, lambda: buckets.get_object(partner, cast.bucket.name, REPORT_KEY))


def read_through_role(cast: CrossAccount, external_id: str = "") -> Outcome:
    """Partner assumes ReportsReader (passing ``external_id`` if given), then the session reads the object."""
    check_external_id(external_id, "externalId")
    partner = Actor(cast.trusted, user=cast.partner)

    def steps():
        credential = sts.assume_role(partner, cast.role.arn, SESSION_NAME, external_id=external_id or None)
        return buckets.get_object(Actor.signed_with(credential, via="console"), cast.bucket.name, REPORT_KEY)

    return _attempt(cast.trusting.sandbox, steps)


# The root user: IAM user alice with no policy, and the root user, read the same object.


def root_demo_bucket_name(account: Account) -> str:
    return f"root-demo-{account.account_id}"


@dataclass(frozen=True)
class RootDemo:
    """The root user scenario's cast: IAM user alice and a bucket, in the sandbox's first account."""

    account: Account
    bucket: Bucket
    user: IamUser

    @property
    def denies_everyone(self) -> bool:
        """Whether the bucket policy (as fetched with the cast) denies everyone s3:GetObject, root included."""
        return DENY_EVERYONE in _statements_by_sid(self.bucket.policy)


def root_demo(sandbox: Sandbox) -> RootDemo | None:
    account = sandbox.accounts.first()
    if account is None:
        return None
    bucket = account.buckets.filter(name=root_demo_bucket_name(account)).first()
    user = account.users.filter(name__iexact=ROOT_DEMO_USER).first()
    if bucket is None or user is None:
        return None
    return RootDemo(account, bucket, user)


def set_up_root_demo(sandbox: Sandbox) -> RootDemo:
    """alice (created with no policy when missing) and a bucket with one object, in the first account."""
    with transaction.atomic():
        account = sandbox.accounts.first()
        root = Actor(account)
        _bucket_with_object(sandbox, root, root_demo_bucket_name(account), ROOT_DEMO_KEY, ROOT_DEMO_BODY)
        if not account.users.filter(name__iexact=ROOT_DEMO_USER).exists():
            operations.create_user(root, ROOT_DEMO_USER)
    demo = root_demo(sandbox)
    assert demo is not None, "the setup has just built the bucket and the user"
    return demo


def set_deny_everyone(demo: RootDemo, deny: bool) -> None:
    """A bucket policy denying everyone s3:GetObject, or none. The root user can always write it."""
    root, name = Actor(demo.account), demo.bucket.name
    if deny:
        statement = _statement(
            DENY_EVERYONE, "s3:GetObject", resource=f"{demo.bucket.arn}/*", principal="*", effect="Deny"
        )
        buckets.put_bucket_policy(root, name, _document(statement))
    else:
        buckets.delete_bucket_policy(root, name)


def read_as_user_and_root(demo: RootDemo) -> tuple[Outcome, Outcome]:
    """The same GetObject, first as alice, then as the root user."""
    sandbox, name = demo.account.sandbox, demo.bucket.name
    alice = Actor(demo.account, user=demo.user)
    as_alice = _attempt(sandbox, lambda: buckets.get_object(alice, name, ROOT_DEMO_KEY))
    as_root = _attempt(sandbox, lambda: buckets.get_object(Actor(demo.account), name, ROOT_DEMO_KEY))
    return as_alice, as_root
