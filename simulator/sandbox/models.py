"""A sandbox is a learner's simulated AWS: one or more accounts and the IAM entities in them.

Names of IAM entities are unique within an account regardless of case, as in
IAM ("IAM object quotas": names are not distinguished by case), hence the
constraints on ``Lower("name")``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from . import identifiers


class SandboxQuerySet(models.QuerySet):
    def for_user(self, user) -> SandboxQuerySet:
        """Every query for sandboxes starts here: a learner sees only their own."""
        return self.filter(owner=user)

    def create_with_account(self, owner, name: str = "Playground") -> Sandbox:
        """A new sandbox holding one fresh account, written together or not at all."""
        with transaction.atomic():
            sandbox = self.create(owner=owner, name=name)
            Account.objects.create(sandbox=sandbox)
        return sandbox


class Sandbox(models.Model):
    """A learner's simulated AWS: one or more accounts, built from a template it can be reset to."""

    class Template(models.TextChoices):
        EMPTY = "empty", "Empty account"
        DEMO = "demo", "Demo account"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sandboxes")
    name = models.CharField(max_length=100)
    template = models.CharField(max_length=32, choices=Template, default=Template.EMPTY)
    created_at = models.DateTimeField(auto_now_add=True)
    # The sandbox clock (see clock.py): sandbox time was ``clock_base`` at real time ``clock_set_at`` and
    # runs ``clock_rate`` sandbox seconds per real second since. No base: the sandbox runs on real time.
    clock_base = models.DateTimeField(null=True, blank=True)
    clock_set_at = models.DateTimeField(null=True, blank=True)
    clock_rate = models.FloatField(default=1.0)

    objects = SandboxQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A simulated AWS account: its id, alias and root user."""

    sandbox = models.ForeignKey(Sandbox, on_delete=models.CASCADE, related_name="accounts")
    account_id = models.CharField(max_length=12, unique=True, default=identifiers.new_account_id)
    alias = models.CharField(max_length=63, blank=True)
    root_email = models.EmailField(blank=True)
    root_mfa_enabled = models.BooleanField(default=False)
    # GetAccountPasswordPolicy's fields (MinimumPasswordLength, RequireSymbols, ...); None: no policy set.
    password_policy = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.alias or self.account_id

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"


class Entity(models.Model):
    """What IAM users, groups and roles share: a name and path unique in their account, an ARN.

    Each subclass declares its own ``account`` foreign key, for its reverse name.
    """

    arn_kind = ""
    id_prefix = ""

    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    unique_id = models.CharField(max_length=21, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.unique_id:
            self.unique_id = identifiers.new_unique_id(self.id_prefix)
        super().save(*args, **kwargs)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account.account_id}:{self.arn_kind}{self.path}{self.name}"


def _unique_name_in_account(model: str) -> list[models.UniqueConstraint]:
    return [models.UniqueConstraint("account", Lower("name"), name=f"sandbox_{model}_unique_name")]


class ManagedPolicy(models.Model):
    """A managed policy: AWS managed when ``account`` is empty (read-only), else customer managed.

    Its document lives in its versions; exactly one is the default.
    """

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="policies")
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    description = models.CharField(max_length=1000, blank=True)
    unique_id = models.CharField(max_length=21, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="sandbox_policy_unique_name"),
            models.UniqueConstraint(
                Lower("name"), condition=models.Q(account__isnull=True), name="sandbox_aws_policy_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.unique_id:
            self.unique_id = identifiers.new_unique_id(identifiers.POLICY_PREFIX)
        super().save(*args, **kwargs)

    @property
    def aws_managed(self) -> bool:
        return self.account_id is None

    @property
    def arn(self) -> str:
        owner = "aws" if self.aws_managed else self.account.account_id
        return f"arn:aws:iam::{owner}:policy{self.path}{self.name}"


class PolicyVersion(models.Model):
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.TextField()
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint("policy", "number", name="sandbox_policy_version_unique_number"),
            models.UniqueConstraint(
                "policy", condition=models.Q(is_default=True), name="sandbox_policy_one_default_version"
            ),
        ]

    def __str__(self) -> str:
        return self.version_id

    @property
    def version_id(self) -> str:
        return f"v{self.number}"


class IamUser(Entity):
    arn_kind = "user"
    id_prefix = identifiers.USER_PREFIX

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="users")
    managed_policies = models.ManyToManyField(ManagedPolicy, blank=True, related_name="users")
    # RESTRICT, not PROTECT: deleting a whole account or learner takes the boundary policy and its users
    # together; deleting the policy alone is refused (DeletePolicy answers DeleteConflict before that).
    permissions_boundary = models.ForeignKey(
        ManagedPolicy, null=True, blank=True, on_delete=models.RESTRICT, related_name="bounded_users"
    )
    tags = models.JSONField(default=list, blank=True)
    # The console password (login profile), hashed; empty: the user cannot sign in to the console.
    password = models.CharField(max_length=128, blank=True)
    password_reset_required = models.BooleanField(default=False)
    password_last_used = models.DateTimeField(null=True, blank=True)
    # When the current password was set (for MaxPasswordAge), and the hashes of earlier ones, newest first
    # (for PasswordReusePrevention, which remembers up to 24).
    password_changed_at = models.DateTimeField(null=True, blank=True)
    password_history = models.JSONField(default=list, blank=True)
    # The base32 seed of the user's virtual MFA device (RFC 6238 codes); empty: no MFA device.
    mfa_seed = models.CharField(max_length=64, blank=True)

    class Meta(Entity.Meta):
        constraints = _unique_name_in_account("user")


class Group(Entity):
    arn_kind = "group"
    id_prefix = identifiers.GROUP_PREFIX

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="groups")
    members = models.ManyToManyField(IamUser, blank=True, related_name="groups")
    managed_policies = models.ManyToManyField(ManagedPolicy, blank=True, related_name="groups")

    class Meta(Entity.Meta):
        constraints = _unique_name_in_account("group")


class Role(Entity):
    arn_kind = "role"
    id_prefix = identifiers.ROLE_PREFIX

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="roles")
    trust_policy = models.TextField()
    description = models.CharField(max_length=1000, blank=True)
    max_session_duration = models.PositiveIntegerField(default=3600)
    managed_policies = models.ManyToManyField(ManagedPolicy, blank=True, related_name="roles")
    permissions_boundary = models.ForeignKey(
        ManagedPolicy, null=True, blank=True, on_delete=models.RESTRICT, related_name="bounded_roles"
    )
    tags = models.JSONField(default=list, blank=True)
    # A service-linked role names the service principal that owns it; its trust policy and permissions are fixed.
    service_linked = models.CharField(max_length=128, blank=True)
    # ARNs of the service's resources that use a service-linked role: while any remain it cannot be deleted.
    # None of those services runs in the sandbox, so learners add and remove them by hand.
    resources_in_use = models.JSONField(default=list, blank=True)

    class Meta(Entity.Meta):
        constraints = _unique_name_in_account("role")


class InstanceProfile(Entity):
    """A container for one role that EC2 instances are launched with (at most one role, as in IAM)."""

    arn_kind = "instance-profile"
    id_prefix = identifiers.INSTANCE_PROFILE_PREFIX

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="instance_profiles")
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.RESTRICT, related_name="instance_profiles")

    class Meta(Entity.Meta):
        constraints = _unique_name_in_account("instance_profile")


class AccessKey(models.Model):
    """A long-term access key of an IAM user, or of the root user when ``user`` is empty (bad practice)."""

    class Status(models.TextChoices):
        ACTIVE = "Active"
        INACTIVE = "Inactive"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="access_keys")
    user = models.ForeignKey(IamUser, null=True, blank=True, on_delete=models.CASCADE, related_name="access_keys")
    access_key_id = models.CharField(max_length=20, unique=True, default=identifiers.new_access_key_id)
    secret = models.CharField(max_length=40, default=identifiers.new_secret_access_key)
    status = models.CharField(max_length=8, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_service = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.access_key_id


class Bucket(models.Model):
    """An S3 bucket. Bucket names are global in S3, so here unique across the sandbox's accounts."""

    sandbox = models.ForeignKey(Sandbox, on_delete=models.CASCADE, related_name="buckets")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="buckets")
    name = models.CharField(max_length=63)
    # The bucket policy (a resource-based policy); empty: none.
    policy = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint("sandbox", "name", name="sandbox_bucket_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


class BucketObject(models.Model):
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="objects_stored")
    key = models.CharField(max_length=1024)
    body = models.TextField(blank=True)
    content_type = models.CharField(max_length=255, default="text/plain")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "id"]
        constraints = [models.UniqueConstraint("bucket", "key", name="sandbox_object_unique_key")]

    def __str__(self) -> str:
        return self.key

    @property
    def arn(self) -> str:
        return f"{self.bucket.arn}/{self.key}"


class InlinePolicy(models.Model):
    """A policy embedded in exactly one user, group or role."""

    name = models.CharField(max_length=128)
    document = models.TextField()

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class UserPolicy(InlinePolicy):
    user = models.ForeignKey(IamUser, on_delete=models.CASCADE, related_name="inline_policies")

    class Meta(InlinePolicy.Meta):
        constraints = [models.UniqueConstraint("user", "name", name="sandbox_user_policy_unique_name")]


class GroupPolicy(InlinePolicy):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="inline_policies")

    class Meta(InlinePolicy.Meta):
        constraints = [models.UniqueConstraint("group", "name", name="sandbox_group_policy_unique_name")]


class RolePolicy(InlinePolicy):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="inline_policies")

    class Meta(InlinePolicy.Meta):
        constraints = [models.UniqueConstraint("role", "name", name="sandbox_role_policy_unique_name")]


class Instance(models.Model):
    """A simulated EC2 instance. It gets permissions only through the role of its instance profile."""

    class State(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        STOPPING = "stopping"
        STOPPED = "stopped"
        SHUTTING_DOWN = "shutting-down"
        TERMINATED = "terminated"

    class HttpTokens(models.TextChoices):
        """IMDSv2 only ("required") or IMDSv1 allowed too ("optional"), as ModifyInstanceMetadataOptions."""

        REQUIRED = "required"
        OPTIONAL = "optional"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="instances")
    instance_id = models.CharField(max_length=19, unique=True, default=identifiers.new_instance_id)
    instance_type = models.CharField(max_length=32, default="t3.micro")
    image_id = models.CharField(max_length=21, default="ami-0abcdef1234567890")
    state = models.CharField(max_length=16, choices=State, default=State.PENDING)
    # Sandbox time of the last state change: pending, stopping and shutting-down settle after a while.
    state_changed_at = models.DateTimeField()
    launched_at = models.DateTimeField()
    tags = models.JSONField(default=list, blank=True)
    # Spot instances are launched and interrupted by EC2 through its service-linked role.
    spot = models.BooleanField(default=False)
    # RESTRICT: an instance profile in use by an instance cannot be deleted alone (DeleteInstanceProfile
    # answers DeleteConflict first), but goes with its account, instances and all.
    instance_profile = models.ForeignKey(
        InstanceProfile, null=True, blank=True, on_delete=models.RESTRICT, related_name="instances"
    )
    association_id = models.CharField(max_length=32, blank=True)
    metadata_http_tokens = models.CharField(max_length=8, choices=HttpTokens, default=HttpTokens.REQUIRED)
    metadata_enabled = models.BooleanField(default=True)
    # The anti-pattern: an IAM user's long-term access key written into the instance's ~/.aws/credentials.
    # Kept as text, as on a disk: deleting the key in IAM does not remove it, it just stops working.
    stored_access_key_id = models.CharField(max_length=20, blank=True)
    stored_secret_access_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.instance_id

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{identifiers.REGION}:{self.account.account_id}:instance/{self.instance_id}"


class TemporaryCredential(models.Model):
    """Temporary security credentials from STS: a role session (AssumeRole, or EC2 for an instance's
    role) or a user's session token (GetSessionToken; ``user`` empty and ``role`` empty: the root user's).

    Times are sandbox times. Session policies and tags are copied in at issue, as STS packs them into
    the session token: later changes to a managed session policy do not reach a live session.
    """

    class Operation(models.TextChoices):
        ASSUME_ROLE = "AssumeRole"
        GET_SESSION_TOKEN = "GetSessionToken"
        INSTANCE_ROLE = "InstanceRole", "EC2 instance role"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="temporary_credentials")
    operation = models.CharField(max_length=32, choices=Operation)
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")
    user = models.ForeignKey(IamUser, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")
    instance = models.ForeignKey(Instance, null=True, blank=True, on_delete=models.CASCADE, related_name="credentials")
    session_name = models.CharField(max_length=64, blank=True)
    access_key_id = models.CharField(max_length=20, unique=True, default=identifiers.new_temporary_access_key_id)
    secret = models.CharField(max_length=40, default=identifiers.new_secret_access_key)
    session_token = models.TextField(default=identifiers.new_session_token)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The ARN of whoever asked for the credentials (a user, a role session, ec2.amazonaws.com, ...).
    issued_to = models.CharField(max_length=2048, blank=True)
    chained = models.BooleanField(default=False)
    source_identity = models.CharField(max_length=64, blank=True)
    # Session tags as [{"Key", "Value"}]; the keys that pass on to a chained session.
    tags = models.JSONField(default=list, blank=True)
    transitive_tag_keys = models.JSONField(default=list, blank=True)
    # Session policies as [{"Id": policy ARN or "inline", "Document": text}].
    session_policies = models.JSONField(default=list, blank=True)
    mfa_authenticated = models.BooleanField(default=False)
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["account", "-expires_at"])]

    def __str__(self) -> str:
        return self.access_key_id

    @property
    def arn(self) -> str:
        """The identity the credentials act as ("IAM identifiers": assumed-role ARNs carry no path)."""
        account_id = self.account.account_id
        if self.role_id is not None:
            return f"arn:aws:sts::{account_id}:assumed-role/{self.role.name}/{self.session_name}"
        if self.user_id is not None:
            return self.user.arn
        return self.account.root_arn


class DecisionRecord(models.Model):
    """One decision the sandbox made, kept with its whole explanation (the decision log)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="decisions")
    # Sandbox time (the sandbox clock), set by authorize().
    decided_at = models.DateTimeField(default=timezone.now)

    class Source(models.TextChoices):
        """The front door a decision came through."""

        CONSOLE = "console", "Console"
        API = "api", "API"
        ACCESS_TESTER = "access-tester", "Access tester"
        API_SIMULATION = "api-simulate", "API simulation"
        INSTANCE = "instance", "Instance terminal"
        METADATA = "imds", "Instance metadata service"
        SERVICE = "service", "AWS service"

    class Credentials(models.TextChoices):
        """What the request was signed with; empty: a console session (the learner acting in the console)."""

        CONSOLE = "", "Console session"
        LONG_TERM = "long-term", "Long-term access key"
        TEMPORARY = "temporary", "Temporary credentials"

    source = models.CharField(max_length=32, choices=Source, default=Source.CONSOLE)
    credentials = models.CharField(max_length=16, choices=Credentials, default=Credentials.CONSOLE, blank=True)
    access_key_id = models.CharField(max_length=20, blank=True)
    principal_arn = models.CharField(max_length=2048)
    action = models.CharField(max_length=128)
    resource = models.CharField(max_length=2048)
    result = models.CharField(max_length=16)
    sentence = models.TextField()
    trace = models.JSONField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["account", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.result}: {self.principal_arn} {self.action} {self.resource}"
