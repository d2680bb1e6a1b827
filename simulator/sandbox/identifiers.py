"""Identifiers in AWS's shapes: 12-digit account ids and the unique ids IAM gives entities."""

import secrets
import string

_UNIQUE_ID_ALPHABET = string.ascii_uppercase + string.digits

# "IAM identifiers": the prefix of a unique id says what kind of entity it names.
USER_PREFIX = "AIDA"
GROUP_PREFIX = "AGPA"
ROLE_PREFIX = "AROA"
POLICY_PREFIX = "ANPA"


def new_account_id() -> str:
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


def new_unique_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_UNIQUE_ID_ALPHABET) for _ in range(17))
