"""An IAM user's virtual MFA device: RFC 6238 time-based one-time passwords, and assigning or removing the device.

IAM User Guide, "Assign a virtual MFA device in the AWS Management Console": a device is assigned by
entering two consecutive codes it shows; IAM API Reference: CreateVirtualMFADevice, EnableMFADevice,
DeactivateMFADevice. The seed is stored base32-encoded, as AWS shows it (Base32StringSeed), so a learner
can add it to a real authenticator app.

Codes are computed on the REAL clock, never the sandbox clock: the device is in the learner's hand (their
phone, or the simulated authenticator on the page), not inside the sandbox, and a fast-forwarded sandbox
must not make the code on a phone wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from datetime import datetime
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone

from . import errors
from .authorization import Actor, allow
from .lookups import find_user, locked
from .models import IamUser

STEP_SECONDS = 30
DIGITS = 6
# A code from the step before or after is accepted too: clocks drift and people type slowly (RFC 6238, 5.2).
ACCEPTED_STEPS = (-1, 0, 1)
_SEED_BYTES = 20
_CODE = re.compile(r"\d{6}")
_BASE32 = re.compile(r"[A-Z2-7]+=*")


def new_seed() -> str:
    """A fresh random seed, base32-encoded (160 bits, as RFC 4226 recommends)."""
    return base64.b32encode(secrets.token_bytes(_SEED_BYTES)).decode("ascii")


def _code_at_step(key: bytes, step: int) -> str:
    """RFC 4226's HOTP value for counter ``step``: HMAC-SHA1, dynamic truncation, six decimal digits."""
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def _step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def totp(seed: str, at: datetime) -> str:
    """The code the device shows at (real) time ``at``."""
    return _code_at_step(base64.b32decode(seed), _step(at))


def verify(seed: str, code: str, at: datetime) -> bool:
    """Whether ``code`` is the device's code at ``at``, or one step either side of it."""
    if not seed or not _CODE.fullmatch(code or ""):
        return False
    key = base64.b32decode(seed)
    step = _step(at)
    return any(hmac.compare_digest(_code_at_step(key, step + delta), code) for delta in ACCEPTED_STEPS)


def seconds_to_next_code(at: datetime) -> int:
    """How long the current code stays on the device's screen."""
    return STEP_SECONDS - int(at.timestamp()) % STEP_SECONDS


def serial_number(user: IamUser) -> str:
    """A virtual device's serial number is its ARN, named after the user here (``arn:aws:iam::ACCT:mfa/NAME``)."""
    return f"arn:aws:iam::{user.account.account_id}:mfa/{user.name}"


def otpauth_uri(user: IamUser, seed: str) -> str:
    """The otpauth:// URI an authenticator app reads (what AWS's QR code holds)."""
    label = quote(f"Amazon Web Services:{user.name}@{user.account.account_id}")
    return f"otpauth://totp/{label}?secret={seed}&issuer=Amazon%20Web%20Services"


def _code_problems(code1: str, code2: str) -> list[str]:
    rule = "Member must satisfy regular expression pattern: [\\d]+ (6 digits)"
    return [
        errors.constraint(code, where, rule)
        for code, where in ((code1, "authenticationCode1"), (code2, "authenticationCode2"))
        if not _CODE.fullmatch(code or "")
    ]


def _consecutive(seed: str, code1: str, code2: str, now: datetime) -> bool:
    """Two consecutive codes, the second the later one, around ``now`` (EnableMFADevice asks for both)."""
    key = base64.b32decode(seed)
    step = _step(now)
    return any(
        hmac.compare_digest(_code_at_step(key, first), code1)
        and hmac.compare_digest(_code_at_step(key, first + 1), code2)
        for first in (step - 2, step - 1, step)
    )


def enable_mfa_device(actor: Actor, user_name: str, code1: str, code2: str, seed: str) -> IamUser:
    """Create the user's virtual MFA device from ``seed`` and assign it: two consecutive codes prove the learner's
    authenticator holds the same seed. Decided as iam:CreateVirtualMFADevice and iam:EnableMFADevice."""
    problems = _code_problems(code1, code2)
    if not _BASE32.fullmatch(seed or ""):
        problems.append(errors.constraint("***", "base32StringSeed", "Member must be a base32-encoded seed"))
    if problems:
        raise errors.validation_failed(problems)
    user = find_user(actor, user_name)
    device = serial_number(user)
    allow(actor, "iam:CreateVirtualMFADevice", device)
    allow(actor, "iam:EnableMFADevice", user.arn)
    # The real clock, not the sandbox's: the codes come from the learner's device (see the module docstring).
    if not _consecutive(seed, code1, code2, timezone.now()):
        raise errors.AwsError("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)
    with transaction.atomic():
        user = locked(user)
        if user.mfa_seed:
            raise errors.AwsError("EntityAlreadyExists", f"MFA device {device} is already in use.", 409)
        user.mfa_seed = seed
        user.save(update_fields=["mfa_seed"])
    return user


def deactivate_mfa_device(actor: Actor, user_name: str) -> IamUser:
    """Remove the user's virtual MFA device (DeactivateMFADevice, then the device is deleted with it)."""
    user = find_user(actor, user_name)
    device = serial_number(user)
    allow(actor, "iam:DeactivateMFADevice", user.arn)
    with transaction.atomic():
        user = locked(user)
        if not user.mfa_seed:
            raise errors.AwsError("NoSuchEntity", f"MFA Device with serial number {device} does not exist.", 404)
        user.mfa_seed = ""
        user.save(update_fields=["mfa_seed"])
    return user
