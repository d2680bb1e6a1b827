"""The AWS managed policies every sandbox account can attach, with AWS's own documents.

An AWS managed policy is a ManagedPolicy without an account and one PolicyVersion, its default,
numbered as AWS numbers it (ReadOnlyAccess is at v188, not v1). The documents live in aws_managed/
beside this module, one JSON file a policy (its README.md says where they come from), and
``install_library`` puts them in the database after every ``migrate``, so each new database has them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import DEFAULT_DB_ALIAS, transaction

from . import identifiers

LIBRARY = Path(__file__).with_name("aws_managed")


@dataclass(frozen=True)
class AwsManagedPolicy:
    """One policy of the library, as GetPolicy and GetPolicyVersion describe it."""

    name: str
    path: str
    description: str
    version: int
    document: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def unique_id(self) -> str:
        """AWS gives a managed policy one id in every account; derived from its name, it is one in every database."""
        digest = base64.b32encode(hashlib.sha256(self.name.encode()).digest()).decode()
        return identifiers.POLICY_PREFIX + digest[:17]


def _read(file: Path) -> AwsManagedPolicy:
    data = json.loads(file.read_text(encoding="utf-8"))
    return AwsManagedPolicy(
        name=data["PolicyName"],
        path=data["Path"],
        description=data["Description"],
        version=int(data["DefaultVersionId"].removeprefix("v")),
        document=json.dumps(data["Document"], indent=4),
    )


@cache
def library() -> tuple[AwsManagedPolicy, ...]:
    """Every policy in aws_managed/, in name order; read once a process."""
    return tuple(_read(file) for file in sorted(LIBRARY.glob("*.json")))


def install_library(using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps) -> None:
    """Create the library's policies missing from the database and bring changed ones up to date.

    A handful of queries whatever the library's size: this runs after every ``migrate`` and after every
    flush between transactional tests. ``apps`` holds the models as the migrations left them, as
    post_migrate hands them over (so no model method is called). Policies not in the library, such as a
    service-linked role's, are left alone.
    """
    managed_policy = apps.get_model("sandbox", "ManagedPolicy")
    policy_version = apps.get_model("sandbox", "PolicyVersion")
    wanted = {policy.name.lower(): policy for policy in library()}
    policies = managed_policy.objects.using(using)

    def stored_policies() -> dict:
        # AWS managed names are unique regardless of case, as the model's constraint says.
        return {row.name.lower(): row for row in policies.filter(account__isnull=True)}

    with transaction.atomic(using=using):
        stored = stored_policies()
        missing = [policy for key, policy in wanted.items() if key not in stored]
        if missing:
            policies.bulk_create(
                managed_policy(name=p.name, path=p.path, description=p.description, unique_id=p.unique_id)
                for p in missing
            )
            stored = stored_policies()
        changed = []
        for key, policy in wanted.items():
            row = stored[key]
            if (row.path, row.description) != (policy.path, policy.description):
                row.path, row.description = policy.path, policy.description
                changed.append(row)
        policies.bulk_update(changed, ["path", "description"])

        rows = {stored[key].pk: policy for key, policy in wanted.items()}
        versions = policy_version.objects.using(using)
        defaults = {version.policy_id: version for version in versions.filter(policy__in=rows.keys(), is_default=True)}
        new_versions, changed_versions = [], []
        for pk, policy in rows.items():
            version = defaults.get(pk)
            if version is None:
                new_versions.append(
                    policy_version(policy_id=pk, number=policy.version, document=policy.document, is_default=True)
                )
            elif (version.number, version.document) != (policy.version, policy.document):
                version.number, version.document = policy.version, policy.document
                changed_versions.append(version)
        versions.bulk_create(new_versions)
        versions.bulk_update(changed_versions, ["number", "document"])


def install_after_migrate(using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, **kwargs: object) -> None:
    """post_migrate's receiver; nothing to do when the sandbox's tables are gone (migrated back to zero)."""
    try:
        apps.get_model("sandbox", "PolicyVersion")
    except LookupError:
        return
    install_library(using, apps)
