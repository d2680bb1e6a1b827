"""Comparing GetAccountAuthorizationDetails exports of different accounts or moments."""

import re
from typing import Any

_ACCOUNT_ID = re.compile(r"(?<=:)\d{12}(?=:)")
IDS = {"UserId", "GroupId", "RoleId", "PolicyId", "InstanceProfileId"}
DATES = {"CreateDate", "UpdateDate"}


def without_dates(export: Any, drop: frozenset[str] = frozenset(DATES)) -> Any:
    """The export with its dates left out and every account id in an ARN written as 000000000000."""
    if isinstance(export, dict):
        return {key: without_dates(value, drop) for key, value in export.items() if key not in drop}
    if isinstance(export, list):
        return [without_dates(item, drop) for item in export]
    if isinstance(export, str):
        return _ACCOUNT_ID.sub("000000000000", export)
    return export


def without_ids_and_dates(export: Any) -> Any:
    """Also without the unique ids, which differ between two accounts built alike."""
    return without_dates(export, frozenset(DATES | IDS))
