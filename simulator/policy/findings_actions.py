"""Checks of one statement's actions and resources, against the catalog of what AWS defines.

Access Analyzer's invalid action and service, redundant action and
resource, and its iam:PassRole and iam:CreateServiceLinkedRole checks, with
the module's own resource mismatch and overly broad allows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from . import catalog
from .findings_model import Finding, FindingType, Where, did_you_mean, finding
from .model import Statement
from .wildcards import has_wildcard, pattern_regex

_FIELDS = {"Action": "actions", "NotAction": "not_actions", "Resource": "resources", "NotResource": "not_resources"}


def _values(statement: Statement, element: str) -> tuple[str, ...]:
    return getattr(statement, _FIELDS[element]) or ()


def known_actions(statement: Statement) -> tuple[catalog.Action, ...]:
    """The catalog's actions that the statement's Action element names, each once."""
    found = {a: None for pattern in statement.actions or () for a in catalog.actions_matching(pattern)}
    return tuple(found)


def covers(general: str, specific: str, ignore_case: bool) -> bool:
    """Whether every string ``specific`` matches also matches ``general`` (answered only when it is plain)."""
    fold = str.casefold if ignore_case else str
    if general == "*" or fold(general) == fold(specific):
        return True
    if not has_wildcard(specific):
        return pattern_regex(general, ignore_case).fullmatch(specific) is not None
    stems = general[:-1], specific[:-1]
    trailing_stars_only = all(p.endswith("*") and not has_wildcard(p[:-1]) for p in (general, specific))
    return trailing_stars_only and fold(stems[1]).startswith(fold(stems[0]))


def names_action(pattern: str, action: str) -> bool:
    """Whether an Action pattern names ``action`` (case-insensitive)."""
    return pattern_regex(pattern, ignore_case=True).fullmatch(action) is not None


def _formats(actions: Sequence[catalog.Action], limit: int = 3) -> str:
    formats = list(dict.fromkeys(rt.arn_format for a in actions for rt in catalog.resource_types_for(a)))
    shown = " or ".join(formats[:limit])
    return shown + (f" (or {len(formats) - limit} other formats)" if len(formats) > limit else "")


def unknown_actions(where: Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        for element in ("Action", "NotAction"):
            for index, pattern in enumerate(_values(s, element)):
                if pattern == "*" or catalog.actions_matching(pattern):
                    continue
                at = where.item(s, element, index)
                prefix = pattern.partition(":")[0]
                if catalog.service(prefix) is None:
                    guess = (
                        None if has_wildcard(pattern) else catalog.suggest_action(pattern)
                    ) or catalog.suggest_service(prefix)
                    yield finding(
                        FindingType.ERROR,
                        "INVALID_SERVICE_IN_ACTION",
                        f"The service {prefix} in {pattern} does not exist.{did_you_mean(guess)}",
                        at,
                    )
                elif has_wildcard(pattern):
                    yield finding(
                        FindingType.ERROR,
                        "INVALID_ACTION",
                        f"The action pattern {pattern} matches no action of {prefix}.",
                        at,
                    )
                else:
                    yield finding(
                        FindingType.ERROR,
                        "INVALID_ACTION",
                        f"The action {pattern} does not exist.{did_you_mean(catalog.suggest_action(pattern))}",
                        at,
                    )


def redundant_entries(where: Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        for element, code in (
            ("Action", "REDUNDANT_ACTION"),
            ("NotAction", "REDUNDANT_ACTION"),
            ("Resource", "REDUNDANT_RESOURCE"),
            ("NotResource", "REDUNDANT_RESOURCE"),
        ):
            values = _values(s, element)
            ignore_case = "Action" in element
            for i, value in enumerate(values):
                cover = next(
                    (
                        other
                        for j, other in enumerate(values)
                        if j != i
                        and covers(other, value, ignore_case)
                        and (j < i or not covers(value, other, ignore_case))
                    ),
                    None,
                )
                if cover is not None:
                    yield finding(
                        FindingType.SUGGESTION,
                        code,
                        f"{value} is redundant: {cover} in the same {element} already covers it.",
                        where.item(s, element, i),
                    )


def resource_mismatch(where: Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        actions = known_actions(s)
        if not actions or not s.resources or "*" in s.resources:
            continue
        fitting = {r: catalog.resource_types_fitting(r, actions) for r in s.resources}
        link = catalog.service(actions[0].service).authorization_url  # type: ignore[union-attr]
        for index, resource in enumerate(s.resources):
            if fitting[resource]:
                continue
            if len(actions) == 1 and not catalog.resource_types_for(actions[0]):
                message = f'{actions[0].full_name} supports only "Resource": "*"; it cannot be limited to {resource}.'
            elif len(actions) == 1:
                message = (
                    f"{resource} cannot name a resource that {actions[0].full_name} acts on: it expects "
                    f"{_formats(actions)}."
                )
            else:
                field = resource.split(":")[2]
                same = [a for a in actions if a.service == field]
                message = (
                    f"{resource} cannot name a resource that any action of this statement acts on, such as "
                    f"{_formats(same)}."
                    if same
                    else f"{resource} is a {field} resource, and no action of this statement acts on one."
                )
            yield finding(
                FindingType.WARNING, "RESOURCE_MISMATCH", message, where.item(s, "Resource", index), link=link
            )
        if not any(fitting.values()):
            continue  # every resource is already reported
        for index, pattern in enumerate(s.actions or ()):
            found = catalog.action(pattern)
            if found is None or any(rt in fitting[r] for r in s.resources for rt in catalog.resource_types_for(found)):
                continue
            expects = _formats([found])
            message = (
                f"None of this statement's resources is one {found.full_name} acts on, so it grants "
                f"{found.full_name} on nothing; add "
                + (f"a resource such as {expects}." if expects else 'a statement with "Resource": "*".')
            )
            yield finding(
                FindingType.WARNING,
                "RESOURCE_MISMATCH",
                message,
                where.item(s, "Action", index),
                link=catalog.service(found.service).authorization_url,
            )  # type: ignore[union-attr]


def broad_allows(where: Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        if s.effect != "Allow":
            continue
        any_resource = s.resources is not None and "*" in s.resources
        if s.actions and "*" in s.actions and any_resource:
            yield finding(
                FindingType.SECURITY_WARNING,
                "FULL_ADMIN_ACCESS",
                'Allow with "Action": "*" and '
                '"Resource": "*" grants every action on every resource: full administrator access. '
                "Grant only the actions and resources the task needs.",
                where.item(s, "Action", s.actions.index("*")),
                where.item(s, "Resource", s.resources.index("*")),
            )  # type: ignore[union-attr]
        if s.not_actions is not None:
            broad = any_resource or s.not_resources is not None
            yield finding(
                FindingType.SECURITY_WARNING if broad else FindingType.WARNING,
                "ALLOW_WITH_NOT_ACTION",
                "Allow with NotAction grants every action it does not list, in every service, including "
                "actions AWS adds later. List the actions to allow in Action instead, or use NotAction "
                "with Deny.",
                where.key(s, "NotAction"),
            )
        if s.not_resources is not None:
            yield finding(
                FindingType.WARNING,
                "ALLOW_WITH_NOT_RESOURCE",
                "Allow with NotResource grants the "
                "actions on every resource it does not list, including resources created later. List the "
                "resources to allow in Resource instead.",
                where.key(s, "NotResource"),
            )


@dataclass(frozen=True, slots=True)
class _RiskyAction:
    action: str
    code_prefix: str
    finding_type: FindingType
    narrowing_key: str
    risk: str


_RISKY_ACTIONS = (
    _RiskyAction(
        "iam:PassRole",
        "PASS_ROLE",
        FindingType.SECURITY_WARNING,
        "iam:PassedToService",
        "whoever holds it can hand any of those roles, with all their permissions, to an AWS service",
    ),
    _RiskyAction(
        "iam:CreateServiceLinkedRole",
        "CREATE_SLR",
        FindingType.WARNING,
        "iam:AWSServiceName",
        "whoever holds it can create service-linked roles for services you did not intend",
    ),
)
_RISK_CODES = {
    ("action", "star"): "WITH_STAR_IN_RESOURCE",
    ("star", "star"): "WITH_STAR_IN_ACTION_AND_RESOURCE",
    ("not", "star"): "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    ("action", "not"): "WITH_NOT_RESOURCE",
    ("star", "not"): "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    ("not", "not"): "WITH_NOT_ACTION_AND_NOT_RESOURCE",
}


def risky_actions(where: Where) -> Iterator[Finding]:
    """Access Analyzer's iam:PassRole and iam:CreateServiceLinkedRole checks."""
    for s in where.policy.statements:
        for risky in _RISKY_ACTIONS if s.effect == "Allow" else ():
            hits = [i for i, p in enumerate(s.actions or ()) if names_action(p, risky.action)]
            if hits:
                index = next((i for i in hits if not has_wildcard(s.actions[i])), hits[0])  # type: ignore[index]
                action_side, action_at = (
                    "star" if has_wildcard(s.actions[index]) else "action",  # type: ignore
                    where.item(s, "Action", index),
                )
            elif s.not_actions is not None and not any(names_action(p, risky.action) for p in s.not_actions):
                action_side, action_at = "not", where.key(s, "NotAction")
            else:
                continue
            target = catalog.action(risky.action)
            stars = [
                i
                for i, r in enumerate(s.resources or ())
                if "*" in r and catalog.resource_types_fitting(r, [target] if target else [])
            ]
            narrowed = any(c.key.lower() == risky.narrowing_key.lower() for c in s.conditions)
            if stars and not narrowed:
                resource_side, resource_at = "star", where.item(s, "Resource", stars[0])
                advice = f"Name the roles in Resource, or add a condition on {risky.narrowing_key}."
            elif s.not_resources is not None:
                resource_side, resource_at = "not", where.key(s, "NotResource")
                advice = "Name the roles in Resource instead."
            else:
                continue
            code = f"{risky.code_prefix}_{_RISK_CODES[(action_side, resource_side)]}"
            yield finding(
                risky.finding_type,
                code,
                f"This statement allows {risky.action} on roles named by "
                f"wildcards or by exclusion: {risky.risk}. {advice}",
                action_at,
                resource_at,
            )
