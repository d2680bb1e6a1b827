"""What a logged request was signed with, in the decision log's words: the learner's console session, a
long-term access key, temporary credentials (and from which role and session), or an AWS service as itself.

It is what CloudTrail keeps in an event's ``userIdentity`` (CloudTrail User Guide, "CloudTrail userIdentity
element": ``accessKeyId``, and for an assumed role the ``sessionContext.sessionIssuer`` role). An assumed-role
ARN, ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``, already names the role and the session; the
pages those link to are looked up for a whole page of records at once, in at most two queries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse

from simulator.sandbox.models import Account, DecisionRecord

# Role names and RoleSessionName never hold a slash, so the two parts split cleanly.
_ASSUMED_ROLE = re.compile(r"arn:aws[a-z-]*:sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/(?P<session>[^/]+)")
# A principal ARN that is not an ARN at all is a service principal (ec2.amazonaws.com) acting as itself.
SERVICE = "service"


@dataclass(frozen=True, slots=True)
class SignedWith:
    """One record's credentials: ``kind`` is a DecisionRecord.Credentials value or SERVICE."""

    kind: str
    label: str
    access_key_id: str = ""
    role_name: str = ""
    session_name: str = ""
    role_url: str | None = None
    session_url: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A decision as the log lists it: the record and what it was signed with."""

    record: DecisionRecord
    signed: SignedWith


def is_service(principal_arn: str) -> bool:
    return not principal_arn.startswith("arn:")


def role_session(principal_arn: str) -> tuple[str, str, str] | None:
    """(account ID, role name, session name) of an assumed-role ARN; None for any other principal."""
    found = _ASSUMED_ROLE.fullmatch(principal_arn)
    return (found["account"], found["role"], found["session"]) if found else None


def entries(records: Sequence[DecisionRecord], account: Account, sandbox_id: int) -> list[Entry]:
    """Each record with what it was signed with; two queries at most, whatever the number of records."""
    sessions = {record.pk: role_session(record.principal_arn) for record in records}
    # A session of another account's role has no page here: it keeps its role's name, without a link.
    role_names = {found[1] for found in sessions.values() if found and found[0] == account.account_id}
    role_ids = dict(account.roles.filter(name__in=role_names).values_list("name", "pk")) if role_names else {}
    temporary = {r.access_key_id for r in records if r.credentials == DecisionRecord.Credentials.TEMPORARY}
    credential_ids = (
        dict(account.temporary_credentials.filter(access_key_id__in=temporary).values_list("access_key_id", "pk"))
        if temporary
        else {}
    )
    return [
        Entry(record, _signed(record, sessions[record.pk], role_ids, credential_ids, account.account_id, sandbox_id))
        for record in records
    ]


def _signed(
    record: DecisionRecord,
    session: tuple[str, str, str] | None,
    role_ids: dict[str, int],
    credential_ids: dict[str, int],
    own_account_id: str,
    sandbox_id: int,
) -> SignedWith:
    kind = record.credentials
    if kind == DecisionRecord.Credentials.CONSOLE:
        if is_service(record.principal_arn):
            return SignedWith(SERVICE, "The AWS service itself")
        return SignedWith(kind, DecisionRecord.Credentials.CONSOLE.label)
    label = DecisionRecord.Credentials(kind).label
    if kind == DecisionRecord.Credentials.LONG_TERM or session is None:
        return SignedWith(kind, label, record.access_key_id)
    _, role_name, session_name = session
    role_id = role_ids.get(role_name) if session[0] == own_account_id else None
    credential_id = credential_ids.get(record.access_key_id)
    return SignedWith(
        kind,
        label,
        record.access_key_id,
        role_name,
        session_name,
        reverse("console:role", args=[sandbox_id, role_id]) if role_id else None,
        reverse("console:session", args=[sandbox_id, credential_id]) if credential_id else None,
    )
