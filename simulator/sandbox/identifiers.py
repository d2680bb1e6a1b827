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
TEMPORARY_ACCESS_KEY_PREFIX = "ASIA"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
# The sandbox simulates one Region: EC2 resources and service-linked resources live there.
REGION = "us-east-1"


def new_account_id() -> str:
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


def new_unique_id(prefix: str, length: int = 21) -> str:
    return prefix + "".join(secrets.choice(_UNIQUE_ID_ALPHABET) for _ in range(length - len(prefix)))


def new_access_key_id() -> str:
    """A long-term access key id: AKIA and 16 more characters, as in "IAM identifiers"."""
    return new_unique_id(ACCESS_KEY_PREFIX, 20)


def new_secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def new_temporary_access_key_id() -> str:
    """A temporary access key id from STS: ASIA and 16 more characters ("IAM identifiers")."""
    return new_unique_id(TEMPORARY_ACCESS_KEY_PREFIX, 20)


def new_session_token() -> str:
    """An opaque session token, as long as STS's usually are."""
    return "IQoJb3JpZ2luX2VjE" + "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(340))


def new_instance_id() -> str:
    """An EC2 instance id: ``i-`` and 17 hexadecimal digits."""
    return f"i-0{secrets.token_hex(8)}"


def new_association_id() -> str:
    """An instance profile association id, as AssociateIamInstanceProfile returns."""
    return f"iip-assoc-0{secrets.token_hex(8)}"
