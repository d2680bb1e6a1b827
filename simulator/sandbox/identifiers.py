"""Identifiers in AWS's shapes: 12-digit account ids and the unique ids IAM gives entities."""

import secrets
import string

_UNIQUE_ID_ALPHABET = string.ascii_uppercase + string.digits

# "IAM identifiers": the prefix of a unique id says what kind of entity it names.
USER_PREFIX = "AIDA"
GROUP_PREFIX = "AGPA"
ROLE_PREFIX = "AROA"
POLICY_PREFIX = "ANPA"
INSTANCE_PROFILE_PREFIX = "AIPA"
ACCESS_KEY_PREFIX = "AKIA"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def new_account_id() -> str:
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


def new_unique_id(prefix: str, length: int = 21) -> str:
    return prefix + "".join(secrets.choice(_UNIQUE_ID_ALPHABET) for _ in range(length - len(prefix)))


def new_access_key_id() -> str:
    """A long-term access key id: AKIA and 16 more characters, as in "IAM identifiers"."""
    return new_unique_id(ACCESS_KEY_PREFIX, 20)


def new_secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
