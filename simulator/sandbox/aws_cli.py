"""The AWS CLI on a simulated instance: which credentials it finds, the calls it makes, and what it prints.

The credentials come from the CLI's provider chain ("Configuration and credential file settings", AWS CLI
User Guide: "Credential and configuration precedence"): environment variables first, then the shared
credentials file (~/.aws/credentials, where the anti-pattern stores an IAM user's long-term key), and only
then the instance's role through the instance metadata service. So a key stored on the disk silently wins
over the role. Each call is signed with those credentials (simulator.sandbox.sts), decided by the engine
inside the operation it calls, and logged with source "instance". Errors print as the CLI prints them:
"An error occurred (AccessDenied) when calling the ListObjectsV2 operation: ...".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import buckets, errors, imds, sts
from .authorization import Actor, allow, decisions_logged
from .models import Bucket, BucketObject, DecisionRecord, Instance, TemporaryCredential

# Exit statuses of the AWS CLI v2 ("Return codes", AWS CLI User Guide).
S3_FAILED, USAGE, NO_CREDENTIALS, SERVICE_ERROR = 1, 252, 253, 254
USAGE_LINES = (
    "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]",
    "To see help text, you can run:",
    "",
    "  aws help",
    "  aws <command> help",
    "  aws <command> <subcommand> help",
    "",
)
UNABLE_TO_LOCATE = 'Unable to locate credentials. You can configure credentials by running "aws configure".'
COMMANDS = {"sts": ("get-caller-identity", "assume-role"), "s3": ("ls", "cp", "rm"), "configure": ("list",)}


@dataclass(frozen=True)
class CredentialsUsed:
    """The credentials one call was signed with, for the page to show under it."""

    kind: str  # DecisionRecord.Credentials: "long-term" or "temporary"
    source: str  # as `aws configure list` names it: "env", "shared-credentials-file" or "iam-role"
    access_key_id: str
    arn: str = ""  # the identity they act as; empty when AWS refused them
    role_id: int | None = None
    role_name: str = ""
    session_name: str = ""
    expires_at: datetime | None = None


@dataclass
class Call:
    """One AWS API call a command made: its operation, the credentials it was signed with, the decisions it
    caused (ids in the decision log, EC2's fetch of the role's credentials included) and its error, if any."""

    operation: str
    credentials: CredentialsUsed | None
    decision_ids: list[int] = field(default_factory=list)
    error: errors.AwsError | None = None
    note: str = ""


@dataclass
class Output:
    """What a command printed and its exit status; ``calls`` the AWS calls it made."""

    lines: list[str] = field(default_factory=list)
    status: int = 0
    calls: list[Call] = field(default_factory=list)
    clear: bool = False


class _Usage(Exception):
    def __init__(self, *lines: str) -> None:
        super().__init__(lines[-1])
        self.lines = list(lines)


@dataclass(frozen=True)
class _Located:
    source: str
    access_key_id: str
    secret: str
    token: str = ""
    credential: TemporaryCredential | None = None


def locate_credentials(instance: Instance, variables: dict[str, str]) -> _Located | None:
    """The credentials the CLI finds first: environment variables, ~/.aws/credentials, the instance role.

    Fetching the role's credentials from IMDS is itself a decision (EC2 assuming the role); a trust policy
    that keeps EC2 out leaves the CLI with no credentials, as a missing role does.
    """
    if variables.get("AWS_ACCESS_KEY_ID") and variables.get("AWS_SECRET_ACCESS_KEY"):
        token = variables.get("AWS_SESSION_TOKEN", "")
        return _Located("env", variables["AWS_ACCESS_KEY_ID"], variables["AWS_SECRET_ACCESS_KEY"], token)
    if instance.stored_access_key_id:
        return _Located("shared-credentials-file", instance.stored_access_key_id, instance.stored_secret_access_key)
    if not instance.metadata_enabled:
        return None
    try:
        credential = imds.instance_credentials(instance)
    except (imds.NoRole, imds.AssumeRoleFailed):
        return None
    return _Located("iam-role", credential.access_key_id, credential.secret, credential.session_token, credential)


def _signed(instance: Instance, located: _Located, service: str) -> Actor:
    """Who the credentials act as; a long-term key's last use is stamped for ``service``."""
    if located.credential is not None:
        return Actor.signed_with(located.credential, via=DecisionRecord.Source.INSTANCE)
    sandbox = instance.account.sandbox
    via = DecisionRecord.Source.INSTANCE
    return sts.signed_actor(sandbox, located.access_key_id, located.secret, located.token, via=via, service=service)


def _described(located: _Located, actor: Actor | None) -> CredentialsUsed:
    temporary = bool(located.token)
    kind = DecisionRecord.Credentials.TEMPORARY if temporary else DecisionRecord.Credentials.LONG_TERM
    if actor is None:
        return CredentialsUsed(kind, located.source, located.access_key_id)
    credential = actor.credential
    return CredentialsUsed(
        kind,
        located.source,
        located.access_key_id,
        arn=actor.principal.arn,
        role_id=actor.role.pk if actor.role is not None else None,
        role_name=actor.role.name if actor.role is not None else "",
        session_name=actor.session_name,
        expires_at=credential.expires_at if credential is not None else None,
    )


def _call(
    instance: Instance, variables: dict[str, str], operation: str, perform: Callable[[Actor], Any], service: str = "s3"
) -> tuple[Any, Call]:
    """Find credentials, sign with them and ``perform`` the operation as that identity: (its answer, the call)."""
    call = Call(operation, None)
    answer = None
    with decisions_logged() as logged:
        located = locate_credentials(instance, variables)
        if located is None:
            call.note = (
                "The CLI found no credentials: no environment variables, no ~/.aws/credentials, no instance role."
            )
        else:
            actor = None
            try:
                actor = _signed(instance, located, service)
                call.credentials = _described(located, actor)
                answer = perform(actor)
            except errors.AwsError as error:
                call.error = error
                call.credentials = call.credentials or _described(located, actor)
    call.decision_ids = logged
    return answer, call


def _error_line(error: errors.AwsError, operation: str, service: str) -> str:
    code, message = error.code, error.message
    if service == "s3" and code == "InvalidClientTokenId":
        # S3 names an unknown or inactive key in its own words ("Error responses", S3 API Reference).
        code, message = "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
    return f"An error occurred ({code}) when calling the {operation} operation: {message}"


def _failed(call: Call, service: str, prefix: str = "") -> Output:
    """A call that did not succeed, printed as the CLI prints it."""
    if call.error is None:
        return Output([UNABLE_TO_LOCATE], NO_CREDENTIALS, [call])
    line = prefix + _error_line(call.error, call.operation, service)
    return Output([line], S3_FAILED if prefix else SERVICE_ERROR, [call])


def run(instance: Instance, arguments: list[str], stdin: str | None, variables: dict[str, str]) -> Output:
    """``aws ARGUMENTS`` on the instance, ``stdin`` piped in (``echo ... | aws s3 cp - s3://...``)."""
    try:
        service, command, options = _command(arguments)
        if service == "configure":
            _options(options, {})
            return Output(_configure_list(instance, variables))
        if service == "sts":
            return _sts(instance, variables, command, options)
        return _s3(instance, variables, command, options, stdin)
    except _Usage as usage:
        return Output(usage.lines, USAGE)


def _command(arguments: list[str]) -> tuple[str, str, list[str]]:
    if len(arguments) < 2:
        raise _Usage(*USAGE_LINES, "aws: error: the following arguments are required: command, operation")
    service, command, options = arguments[0], arguments[1], arguments[2:]
    if service not in COMMANDS:
        raise _Usage(
            *USAGE_LINES, f"aws: error: argument command: Invalid choice, valid choices are: {', '.join(COMMANDS)}"
        )
    if command not in COMMANDS[service]:
        choices = " | ".join(COMMANDS[service])
        raise _Usage(*USAGE_LINES, f"aws: error: argument operation: Invalid choice, valid choices are: {choices}")
    return service, command, options


def _options(words: list[str], known: dict[str, bool], required: tuple[str, ...] = ()) -> tuple[dict, list[str]]:
    """``--name value`` options (``known`` maps each name to whether it is required) and the positional words."""
    options: dict[str, str] = {}
    positional: list[str] = []
    unknown: list[str] = []
    remaining = list(words)
    while remaining:
        word = remaining.pop(0)
        name, equals, value = word.partition("=")
        if not word.startswith("--") or word == "-":
            positional.append(word)
        elif name not in known:
            unknown.append(word)
        elif equals:
            options[name] = value
        elif remaining:
            options[name] = remaining.pop(0)
        else:
            raise _Usage(*USAGE_LINES, f"aws: error: argument {name}: expected one argument")
    if unknown:
        raise _Usage(*USAGE_LINES, f"Unknown options: {', '.join(unknown)}")
    missing = [name for name, needed in known.items() if needed and name not in options]
    if missing:
        raise _Usage(*USAGE_LINES, f"aws: error: the following arguments are required: {', '.join(missing)}")
    return options, positional


def _json(document: dict) -> list[str]:
    return json.dumps(document, indent=4).splitlines()


def _sts(instance: Instance, variables: dict[str, str], command: str, words: list[str]) -> Output:
    if command == "get-caller-identity":
        _options(words, {})
        identity, call = _call(instance, variables, "GetCallerIdentity", sts.get_caller_identity, "sts")
        if call.error is None and identity is not None:
            return Output(_json(identity), calls=[call])
        return _failed(call, "sts")
    options, _ = _options(
        words, {"--role-arn": True, "--role-session-name": True, "--duration-seconds": False, "--external-id": False}
    )
    duration = options.get("--duration-seconds")
    if duration is not None and not duration.isdigit():
        raise _Usage(f"aws: error: argument --duration-seconds: invalid int value: '{duration}'")
    credential, call = _call(
        instance,
        variables,
        "AssumeRole",
        lambda actor: sts.assume_role(
            actor,
            options["--role-arn"],
            options["--role-session-name"],
            duration_seconds=int(duration) if duration is not None else None,
            external_id=options.get("--external-id"),
        ),
        "sts",
    )
    if credential is None:
        return _failed(call, "sts")
    return Output(_json(_assumed(credential)), calls=[call])


def _assumed(credential: TemporaryCredential) -> dict:
    """AssumeRole's answer as the CLI prints it (Expiration in ISO 8601 with the UTC offset)."""
    return {
        "Credentials": {
            "AccessKeyId": credential.access_key_id,
            "SecretAccessKey": credential.secret,
            "SessionToken": credential.session_token,
            "Expiration": credential.expires_at.astimezone(UTC).isoformat(timespec="seconds"),
        },
        "AssumedRoleUser": {
            "AssumedRoleId": f"{credential.role.unique_id}:{credential.session_name}",
            "Arn": credential.arn,
        },
    }


def _s3_path(word: str) -> tuple[str, str] | None:
    if not word.startswith("s3://"):
        return None
    bucket, _, key = word[len("s3://") :].partition("/")
    return bucket, key


def _s3(instance: Instance, variables: dict[str, str], command: str, words: list[str], stdin: str | None) -> Output:
    _, paths = _options(words, {})
    if command == "ls":
        if len(paths) > 1:
            raise _Usage(*USAGE_LINES, f"Unknown options: {', '.join(paths[1:])}")
        if not paths:
            return _list_buckets(instance, variables)
        location = _s3_path(paths[0]) or _s3_path(f"s3://{paths[0]}")
        return _list_objects(instance, variables, *location)
    if command == "rm":
        target = _s3_path(paths[0]) if len(paths) == 1 else None
        if target is None or not target[1]:
            raise _Usage(*USAGE_LINES, "aws: error: the following arguments are required: s3://BUCKET/KEY")
        _, call = _call(instance, variables, "DeleteObject", lambda actor: buckets.delete_object(actor, *target))
        if call.error is not None or call.credentials is None:
            return _failed(call, "s3", f"delete failed: {paths[0]} ")
        return Output([f"delete: {paths[0]}"], calls=[call])
    if len(paths) != 2:
        raise _Usage(*USAGE_LINES, "aws: error: the following arguments are required: paths")
    source, destination = paths
    if _s3_path(source) and destination == "-":
        return _download(instance, variables, source)
    if source == "-" and _s3_path(destination):
        return _upload(instance, variables, destination, stdin)
    return Output(
        [
            "This instance has no files to copy: print an object with `aws s3 cp s3://BUCKET/KEY -`, or upload "
            "text with `echo TEXT | aws s3 cp - s3://BUCKET/KEY`."
        ],
        S3_FAILED,
    )


def _list_buckets(instance: Instance, variables: dict[str, str]) -> Output:
    """ListBuckets answers the buckets the caller's account owns; it needs s3:ListAllMyBuckets on "*"."""

    def list_buckets(actor: Actor) -> list[Bucket]:
        allow(actor, "s3:ListAllMyBuckets", "*")
        return list(Bucket.objects.filter(account=actor.account).defer("policy"))

    found, call = _call(instance, variables, "ListBuckets", list_buckets)
    if found is None:
        return _failed(call, "s3")
    return Output([f"{_when(bucket.created_at)} {bucket.name}" for bucket in found], calls=[call])


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _list_objects(instance: Instance, variables: dict[str, str], bucket: str, prefix: str) -> Output:
    """ListObjectsV2 with "/" as the delimiter: the keys one level under ``prefix``, deeper ones as PRE lines,
    names shown from the prefix's last "/" on, as `aws s3 ls` shows them."""
    found, call = _call(instance, variables, "ListObjectsV2", lambda actor: buckets.list_objects(actor, bucket, prefix))
    if found is None:
        return _failed(call, "s3")
    folder = prefix[: prefix.rfind("/") + 1]
    # The listing leaves bodies out; their sizes come in one query.
    sizes = dict(BucketObject.objects.filter(pk__in=[stored.pk for stored in found]).values_list("pk", "body"))
    common: list[str] = []
    lines: list[str] = []
    for stored in found:
        below = stored.key[len(prefix) :]
        if "/" in below:
            directory = stored.key[len(folder) : len(prefix) + below.index("/") + 1]
            if directory not in common:
                common.append(directory)
        else:
            size = len(sizes[stored.pk].encode())
            lines.append(f"{_when(stored.updated_at)} {size:>10} {stored.key[len(folder) :]}")
    return Output([f"{'PRE':>30} {directory}" for directory in common] + lines, calls=[call])


def _download(instance: Instance, variables: dict[str, str], source: str) -> Output:
    bucket, key = _s3_path(source)
    found, call = _call(instance, variables, "GetObject", lambda actor: buckets.get_object(actor, bucket, key))
    if found is None:
        return _failed(call, "s3", f"download failed: {source} to - ")
    return Output(found.body.splitlines(), calls=[call])


def _upload(instance: Instance, variables: dict[str, str], destination: str, stdin: str | None) -> Output:
    if stdin is None:
        return Output(
            [f"upload failed: - to {destination} Nothing was piped in: try `echo TEXT | aws s3 cp - {destination}`."],
            S3_FAILED,
        )
    bucket, key = _s3_path(destination)
    stored, call = _call(instance, variables, "PutObject", lambda actor: buckets.put_object(actor, bucket, key, stdin))
    if stored is None:
        return _failed(call, "s3", f"upload failed: - to {destination} ")
    return Output([], calls=[call])


def _masked(value: str) -> str:
    return "*" * 16 + value[-4:]


def _configure_list(instance: Instance, variables: dict[str, str]) -> list[str]:
    """`aws configure list`: where each setting comes from, the credentials the chain picked included."""
    located = locate_credentials(instance, variables)
    rows = [("Name", "Value", "Type", "Location"), ("----", "-----", "----", "--------")]
    rows.append(("profile", "<not set>", "None", "None"))
    if located is None:
        rows += [("access_key", "<not set>", "None", "None"), ("secret_key", "<not set>", "None", "None")]
    else:
        # The CLI names where credentials came from by their provider's method only, with no location.
        rows.append(("access_key", _masked(located.access_key_id), located.source, ""))
        rows.append(("secret_key", _masked(located.secret), located.source, ""))
    rows.append(("region", "us-east-1", "imds", ""))
    return [f"{name:>10} {value:>24} {kind:>16}    {where}".rstrip() for name, value, kind, where in rows]


def credentials_file(instance: Instance) -> list[str]:
    """~/.aws/credentials as `aws configure` writes it, holding the key stored on the instance."""
    return [
        "[default]",
        f"aws_access_key_id = {instance.stored_access_key_id}",
        f"aws_secret_access_key = {instance.stored_secret_access_key}",
    ]
