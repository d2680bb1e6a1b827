"""The instance terminal: the shell's parsing, the AWS CLI's credential chain, and every call decided and logged."""

from __future__ import annotations

import json

import pytest

from simulator.sandbox import access_keys, buckets, clock, ec2, operations, role_operations
from simulator.sandbox.aws_cli import S3_FAILED, SERVICE_ERROR, UNABLE_TO_LOCATE, USAGE
from simulator.sandbox.models import DecisionRecord, Instance
from simulator.sandbox.terminal import NOT_FOUND, run_command
from tests.documents import EC2_TRUST

pytestmark = pytest.mark.django_db

READ_REPORTS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetObject"],
                "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
            }
        ],
    }
)
EVERYTHING_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


def _running(instance: Instance) -> Instance:
    clock.advance(instance.account.sandbox, 10)
    return ec2.settled(
        Instance.objects.select_related("account__sandbox", "instance_profile__role").get(pk=instance.pk)
    )


@pytest.fixture
def reports(root):
    bucket = buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "q3.csv", "region,total\neu,42\n")
    buckets.put_object(root, "reports", "2024/jan.txt", "january")
    return bucket


@pytest.fixture
def role(root):
    role = operations.create_role(root, "web", EC2_TRUST)
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "web")
    return role


@pytest.fixture
def instance(root, role) -> Instance:
    """A running instance whose profile holds the role "web" (no policies yet)."""
    return _running(ec2.run_instances(root, instance_profile_name="web")[0])


@pytest.fixture
def bare(root) -> Instance:
    """A running instance with no role and nothing on its disk."""
    return _running(ec2.run_instances(root)[0])


@pytest.fixture
def alice_key(root):
    operations.create_user(root, "alice")
    operations.put_user_policy(root, "alice", "s3", EVERYTHING_S3)
    return access_keys.create_access_key(root, "alice")


# --- The shell: words, quotes, unknown commands ---


@pytest.mark.parametrize(
    ("line", "output", "status"),
    [
        ("echo hello", ["hello"], 0),
        ("echo 'two  spaces'", ["two  spaces"], 0),
        ('echo "a b" c', ["a b c"], 0),
        ("echo it\\'s", ["it's"], 0),
        ("ls -la", ["bash: ls: command not found"], NOT_FOUND),
        ("rm -rf /", ["bash: rm: command not found"], NOT_FOUND),
        ("echo 'unclosed", ["bash: unexpected EOF while looking for matching quote"], 2),
        ("echo a |", ["bash: syntax error near unexpected token `|'"], 2),
        ("   ", [], 0),
        ("# a comment", [], 0),
        ("cat /etc/shadow", ["cat: /etc/shadow: No such file or directory"], 1),
        ("cat ~/.aws/credentials", ["cat: ~/.aws/credentials: No such file or directory"], 1),
        ("curl", ["curl: no URL specified!"], 2),
        ("curl --frobnicate http://169.254.169.254/", ["curl: option --frobnicate: is unknown"], 2),
        ("curl http://example.com/", ["curl: (6) Could not resolve host: example.com"], 6),
    ],
)
def test_the_shell_splits_words_as_bash_does(bare, line, output, status) -> None:
    result = run_command(bare, line)
    assert (result.output, result.status) == (output, status)


def test_help_lists_the_commands_and_clear_clears(bare) -> None:
    listed = "\n".join(run_command(bare, "help").output)
    for command in ("aws sts get-caller-identity", "aws s3 ls", "aws s3 cp", "aws s3 rm", "aws configure list", "curl"):
        assert command in listed
    assert run_command(bare, "clear").clear


@pytest.mark.parametrize(
    ("line", "last_line"),
    [
        ("aws", "aws: error: the following arguments are required: command, operation"),
        (
            "aws ec2 describe-instances",
            "aws: error: argument command: Invalid choice, valid choices are: sts, s3, configure",
        ),
        (
            "aws sts get-session-token",
            "aws: error: argument operation: Invalid choice, valid choices are: get-caller-identity | assume-role",
        ),
        ("aws sts get-caller-identity --bogus", "Unknown options: --bogus"),
        (
            "aws sts assume-role --role-arn arn:aws:iam::123456789012:role/x",
            "aws: error: the following arguments are required: --role-session-name",
        ),
        ("aws sts assume-role --role-arn", "aws: error: argument --role-arn: expected one argument"),
        (
            "aws sts assume-role --role-arn a --role-session-name s --duration-seconds soon",
            "aws: error: argument --duration-seconds: invalid int value: 'soon'",
        ),
        ("aws s3 rm", "aws: error: the following arguments are required: s3://BUCKET/KEY"),
        ("aws s3 ls s3://a s3://b", "Unknown options: s3://b"),
    ],
)
def test_bad_aws_command_lines_answer_as_the_cli_does(bare, line, last_line) -> None:
    """ "Return codes in the AWS CLI": 252 when the command line cannot be parsed; nothing is called."""
    before = DecisionRecord.objects.count()
    result = run_command(bare, line)
    assert (result.output[-1], result.status, result.calls) == (last_line, USAGE, [])
    assert DecisionRecord.objects.count() == before


def test_variables_hold_a_metadata_token_for_the_next_command(instance) -> None:
    """ "Use the Instance Metadata Service to access instance metadata": TOKEN=$(curl -X PUT ...) then the header."""
    variables: dict[str, str] = {}
    put = (
        "TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token"
        ' -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")'
    )
    assert run_command(instance, put, variables).output == []
    assert variables["TOKEN"]
    read = 'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/iam/security-credentials/'
    assert run_command(instance, read, variables).output == ["web"]
    assert run_command(instance, "echo '$TOKEN' ${TOKEN}", variables).output == [f"$TOKEN {variables['TOKEN']}"]


def test_imdsv2_refuses_a_read_without_a_token(instance) -> None:
    result = run_command(instance, "curl http://169.254.169.254/latest/meta-data/instance-id")
    assert any("401 - Unauthorized" in line for line in result.output)


def test_a_stopped_instance_runs_nothing(root, instance) -> None:
    ec2.stop_instances(root, [instance.instance_id])
    result = run_command(_running(instance), "aws s3 ls")
    assert result.status == 255
    assert "stopped" in result.output[0]
    assert result.calls == []


# --- The credential chain ---


def test_without_role_or_key_the_cli_finds_no_credentials(bare) -> None:
    """ "Configuration and credential file settings": nothing in the chain, nothing signed."""
    result = run_command(bare, "aws sts get-caller-identity")
    assert result.output == [UNABLE_TO_LOCATE]
    assert result.calls[0].credentials is None


def test_the_role_signs_when_nothing_else_is_there(instance, role) -> None:
    """ "Use an IAM role to grant permissions to applications running on Amazon EC2 instances"."""
    result = run_command(instance, "aws sts get-caller-identity")
    identity = json.loads("\n".join(result.output))
    assert identity["Arn"] == f"arn:aws:sts::{instance.account.account_id}:assumed-role/web/{instance.instance_id}"
    used = result.calls[0].credentials
    assert (used.kind, used.source, used.role_name, used.session_name) == (
        "temporary",
        "iam-role",
        "web",
        instance.instance_id,
    )
    assert used.access_key_id.startswith("ASIA") and used.expires_at is not None


def test_a_stored_key_comes_before_the_role(root, instance, alice_key) -> None:
    """ "Credential and configuration precedence": the shared credentials file is read before instance metadata."""
    ec2.store_access_key(root, instance.instance_id, alice_key.access_key_id, alice_key.secret)
    instance.refresh_from_db()
    result = run_command(instance, "aws sts get-caller-identity")
    assert json.loads("\n".join(result.output))["Arn"].endswith(":user/alice")
    used = result.calls[0].credentials
    assert (used.kind, used.source, used.access_key_id) == (
        "long-term",
        "shared-credentials-file",
        alice_key.access_key_id,
    )
    listed = run_command(instance, "aws configure list").output
    assert any(line.split()[:1] == ["access_key"] and "shared-credentials-file" in line for line in listed)
    assert run_command(instance, "cat ~/.aws/credentials").output[1] == f"aws_access_key_id = {alice_key.access_key_id}"


def test_environment_variables_come_first(root, instance, alice_key) -> None:
    variables: dict[str, str] = {}
    run_command(instance, f"export AWS_ACCESS_KEY_ID={alice_key.access_key_id}", variables)
    run_command(instance, f"export AWS_SECRET_ACCESS_KEY={alice_key.secret}", variables)
    result = run_command(instance, "aws sts get-caller-identity", variables)
    assert result.calls[0].credentials.source == "env"
    assert json.loads("\n".join(result.output))["Arn"].endswith(":user/alice")


def test_configure_list_names_the_role_as_iam_role(instance) -> None:
    access_key = [
        line for line in run_command(instance, "aws configure list").output if line.lstrip().startswith("access_key")
    ]
    assert access_key[0].split()[-1] == "iam-role"


def test_a_deleted_stored_key_is_an_invalid_client_token(root, instance, alice_key) -> None:
    """ "Troubleshoot IAM": a deleted key answers InvalidClientTokenId (S3: InvalidAccessKeyId), and the role
    behind it is not tried: the CLI stops at the first credentials it finds."""
    ec2.store_access_key(root, instance.instance_id, alice_key.access_key_id, alice_key.secret)
    access_keys.delete_access_key(root, "alice", alice_key.access_key_id)
    instance.refresh_from_db()
    result = run_command(instance, "aws sts get-caller-identity")
    assert result.output == [
        "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: "
        "The security token included in the request is invalid."
    ]
    assert result.status == SERVICE_ERROR
    assert result.calls[0].credentials.arn == ""
    assert "(InvalidAccessKeyId) when calling the ListBuckets operation" in run_command(instance, "aws s3 ls").output[0]


# --- Every call decided by the engine and logged with source "instance" ---


def _logged(call) -> list[DecisionRecord]:
    return list(DecisionRecord.objects.filter(pk__in=call.decision_ids).order_by("pk"))


def test_a_denied_listing_prints_as_the_cli_and_is_logged_from_the_instance(instance, reports) -> None:
    result = run_command(instance, "aws s3 ls s3://reports")
    assert result.output[0].startswith("An error occurred (AccessDenied) when calling the ListObjectsV2 operation: ")
    assert result.status == SERVICE_ERROR
    records = _logged(result.calls[0])
    denied = records[-1]
    assert (denied.source, denied.action, denied.result, denied.credentials) == (
        "instance",
        "s3:ListBucket",
        "implicitDeny",
        "temporary",
    )
    assert denied.principal_arn.endswith(f":assumed-role/web/{instance.instance_id}")
    # The credentials came from IMDS first: EC2 assuming the role is a decision of its own.
    assert records[0].source == DecisionRecord.Source.METADATA


def test_the_next_command_is_decided_by_the_policy_changed_in_between(root, instance, reports) -> None:
    """Policies are read per call ("Policy evaluation logic"): no restart, no new credentials needed."""
    assert run_command(instance, "aws s3 cp s3://reports/q3.csv -").status == S3_FAILED
    operations.put_role_policy(root, "web", "read-reports", READ_REPORTS)
    result = run_command(instance, "aws s3 cp s3://reports/q3.csv -")
    assert result.output == ["region,total", "eu,42"]
    assert [(r.action, r.result) for r in _logged(result.calls[0]) if r.source == "instance"] == [
        ("s3:GetObject", "allowed")
    ]


def test_listing_shows_folders_and_sizes_as_aws_s3_ls(root, instance, reports) -> None:
    operations.put_role_policy(root, "web", "read-reports", READ_REPORTS)
    lines = run_command(instance, "aws s3 ls s3://reports/").output
    assert lines[0].split() == ["PRE", "2024/"]
    assert lines[1].split()[-2:] == ["19", "q3.csv"]
    assert run_command(instance, "aws s3 ls s3://reports/2024/").output[0].split()[-2:] == ["7", "jan.txt"]


@pytest.mark.parametrize(
    ("line", "action", "printed"),
    [
        ("aws s3 ls", "s3:ListAllMyBuckets", None),
        ("echo 'new text' | aws s3 cp - s3://reports/new.txt", "s3:PutObject", []),
        ("aws s3 rm s3://reports/q3.csv", "s3:DeleteObject", ["delete: s3://reports/q3.csv"]),
    ],
)
def test_each_s3_command_is_one_logged_decision(root, instance, reports, line, action, printed) -> None:
    operations.put_role_policy(root, "web", "all", EVERYTHING_S3)
    result = run_command(instance, line)
    assert result.status == 0
    if printed is not None:
        assert result.output == printed
    decided = [(r.action, r.result, r.source) for r in _logged(result.calls[0]) if r.source == "instance"]
    assert decided == [(action, "allowed", "instance")]


def test_an_upload_stores_what_was_piped_in(root, instance, reports) -> None:
    operations.put_role_policy(root, "web", "all", EVERYTHING_S3)
    run_command(instance, 'echo "hello from $HOSTNAME" | aws s3 cp - s3://reports/hello.txt')
    assert reports.objects_stored.get(key="hello.txt").body == "hello from \n"


def test_an_upload_denied_prints_upload_failed(instance, reports) -> None:
    result = run_command(instance, "echo x | aws s3 cp - s3://reports/x.txt")
    assert result.output[0].startswith("upload failed: - to s3://reports/x.txt An error occurred (AccessDenied)")
    assert not reports.objects_stored.filter(key="x.txt").exists()


def test_assume_role_chains_from_the_instance_role(root, role, instance) -> None:
    """ "Methods to assume a role": role chaining from the instance role, printed as the CLI prints AssumeRole.
    The trust policy trusts the account, so the instance role's own policies must allow sts:AssumeRole too."""
    trust_web = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": root.account.root_arn}, "Action": "sts:AssumeRole"}],
        }
    )
    auditor = operations.create_role(root, "auditor", trust_web)
    line = f"aws sts assume-role --role-arn {auditor.arn} --role-session-name audit"
    denied = run_command(instance, line)
    assert denied.output[0].startswith("An error occurred (AccessDenied) when calling the AssumeRole operation: ")
    operations.put_role_policy(
        root,
        "web",
        "assume",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": auditor.arn}],
            }
        ),
    )
    answer = json.loads("\n".join(run_command(instance, line).output))
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/auditor/audit")
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert answer["Credentials"]["Expiration"].endswith("+00:00")


def test_unset_and_export_manage_the_shells_variables(bare) -> None:
    variables: dict[str, str] = {}
    run_command(bare, "export REGION=us-east-1 NAME='a b'", variables)
    assert run_command(bare, "export", variables).output == ['declare -x NAME="a b"', 'declare -x REGION="us-east-1"']
    run_command(bare, "unset NAME", variables)
    assert variables == {"REGION": "us-east-1"}


def test_exported_session_credentials_stop_working_when_they_expire(root, role, instance) -> None:
    """ "Use temporary credentials with AWS resources": after Expiration, calls fail with ExpiredToken."""
    operations.put_role_policy(
        root,
        "web",
        "assume",
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
        ),
    )
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": root.account.root_arn}, "Action": "sts:AssumeRole"}],
        }
    )
    auditor = operations.create_role(root, "auditor", trust)
    answer = run_command(
        instance, f"aws sts assume-role --role-arn {auditor.arn} --role-session-name audit --duration-seconds 900"
    )
    issued = json.loads("\n".join(answer.output))["Credentials"]
    variables: dict[str, str] = {}
    exports = (
        f"export AWS_ACCESS_KEY_ID={issued['AccessKeyId']} AWS_SECRET_ACCESS_KEY={issued['SecretAccessKey']} "
        f"AWS_SESSION_TOKEN={issued['SessionToken']}"
    )
    run_command(instance, exports, variables)
    assert json.loads("\n".join(run_command(instance, "aws sts get-caller-identity", variables).output))[
        "Arn"
    ].endswith(":assumed-role/auditor/audit")
    clock.advance(instance.account.sandbox, 901)
    expired = run_command(instance, "aws sts get-caller-identity", variables)
    assert expired.output[0].startswith("An error occurred (ExpiredToken) when calling the GetCallerIdentity operation")
    run_command(instance, "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN", variables)
    assert run_command(instance, "aws sts get-caller-identity", variables).calls[0].credentials.source == "iam-role"


def test_the_role_credentials_rotate_on_the_sandbox_clock(instance) -> None:
    """ "Retrieve security credentials from instance metadata": new credentials well before the old expire."""
    first = run_command(instance, "aws sts get-caller-identity").calls[0].credentials.access_key_id
    assert run_command(instance, "aws sts get-caller-identity").calls[0].credentials.access_key_id == first
    clock.advance(instance.account.sandbox, 3601)
    assert run_command(instance, "aws sts get-caller-identity").calls[0].credentials.access_key_id != first
