"""The console's S3 pages: the sandbox's buckets, and one bucket's objects and bucket policy.

Every S3 request on these pages, reads included (listing objects, reading the bucket policy), goes
through simulator.sandbox.buckets as the acting identity, so a denied one shows its AccessDenied in
place, as the AWS console would. Buckets are looked up in the learner's sandbox: any account of it,
since a bucket of another account is what cross-account access is about; another learner's is a 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console import documents
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.policy.findings import Finding, validate
from simulator.policy.model import PolicyType
from simulator.sandbox import buckets as s3
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Bucket, Sandbox

PAGE = "console/buckets.html"
DETAIL = "console/bucket.html"
BLANK_OBJECT = {"key": "", "content_type": "text/plain", "body": ""}
# The AWS documentation's example account, for the template when the sandbox has no second account.
EXAMPLE_ACCOUNT = "111122223333"


@dataclass(frozen=True)
class PolicyTemplate:
    slug: str
    title: str
    help: str
    statements: Callable[[str, str], list[dict]]

    def document(self, bucket_arn: str, other_account: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": self.statements(bucket_arn, other_account)}, indent=4)


TEMPLATES = (
    PolicyTemplate(
        "public-read",
        "Public read",
        "Anyone may read the objects. In AWS, Block Public Access (on by default) refuses such a policy until "
        "it is turned off; the sandbox does not model it.",
        lambda arn, _: [
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}
        ],
    ),
    PolicyTemplate(
        "another-account",
        "Allow another account",
        "The other account may list and read; its own identity-based policies must still allow its users and roles.",
        lambda arn, account: [
            {
                "Sid": "AllowAnotherAccount",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": ["s3:ListBucket", "s3:GetObject"],
                "Resource": [arn, f"{arn}/*"],
            }
        ],
    ),
    PolicyTemplate(
        "deny-insecure-transport",
        "Deny insecure transport",
        "Refuses every request not made over HTTPS, whoever makes it: an explicit Deny beats any Allow.",
        lambda arn, _: [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    ),
)


def _template(slug: str) -> PolicyTemplate | None:
    return next((t for t in TEMPLATES if t.slug == slug), None)


def _template_document(bucket: Bucket, template: PolicyTemplate) -> str:
    """The template for this bucket; "another account" is the sandbox's next account when it has one."""
    other = bucket.sandbox.accounts.exclude(pk=bucket.account_id).values_list("account_id", flat=True).first()
    return template.document(bucket.arn, other or EXAMPLE_ACCOUNT)


def _try(operation: Callable[..., Any], *args: Any) -> tuple[Any, AwsError | None]:
    try:
        return operation(*args), None
    except AwsError as error:
        return None, error


def buckets_with_counts(sandbox: Sandbox) -> QuerySet[Bucket]:
    """The sandbox's buckets, owner and object count, in one query; policy texts stay in the database."""
    return (
        sandbox.buckets.select_related("account")
        .defer("policy")
        .annotate(
            object_count=Count("objects_stored"),
            has_policy=ExpressionWrapper(~Q(policy=""), output_field=BooleanField()),
        )
        # A query with GROUP BY ignores Meta.ordering (Django 3.1+): without this, PostgreSQL picks any order.
        .order_by("name", "id")
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def buckets(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    typed, error = "", None
    if request.method == "POST":
        typed = request.POST.get("name", "")
        _, error = _try(s3.create_bucket, actor, typed)
        if error is None:
            if not request.htmx:
                return redirect("console:buckets", sandbox.id)
            typed = ""
    context = {
        "sandbox": sandbox,
        "account": actor.account,
        "buckets": buckets_with_counts(sandbox),
        "typed": typed,
        "error": error,
    }
    template = f"{PAGE}#buckets-region" if request.htmx else PAGE
    return render(request, template, context, status=error_status(request, error))


def _bucket_for(request: HttpRequest, sandbox_id: int, bucket_id: int) -> tuple[Sandbox, Actor, Bucket]:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    bucket = get_object_or_404(sandbox.buckets.select_related("account", "sandbox"), pk=bucket_id)
    return sandbox, actor, bucket


def _findings(document: str) -> tuple[Finding, ...]:
    return validate(document, PolicyType.RESOURCE) if document.strip() else ()


def _objects_context(actor: Actor, bucket: Bucket, shown_key: str = "", **overrides: Any) -> dict:
    """The objects region: the listing and the object being viewed, each fetched as the acting identity."""
    objects, objects_error = _try(s3.list_objects, actor, bucket.name)
    shown, shown_error = _try(s3.get_object, actor, bucket.name, shown_key) if shown_key else (None, None)
    return {
        "objects": objects or [],
        "objects_error": objects_error,
        "shown_key": shown_key,
        "shown": shown,
        "shown_error": shown_error,
        "typed_object": BLANK_OBJECT,
        "upload_error": None,
        "delete_object_error": None,
        **overrides,
    }


def _editor_context(document: str, chosen_template: PolicyTemplate | None = None, **overrides: Any) -> dict:
    return {
        "document": document,
        "chosen_template": chosen_template,
        "findings": _findings(document),
        "checked": bool(document.strip()),
        "templates": TEMPLATES,
        **overrides,
    }


def _policy_context(
    actor: Actor,
    bucket: Bucket,
    document: str | None = None,
    chosen_template: PolicyTemplate | None = None,
    **overrides: Any,
) -> dict:
    """The policy region: the bucket policy as the acting identity may read it, and the editor."""
    current, policy_error = _try(s3.get_bucket_policy, actor, bucket.name)
    if policy_error is not None and policy_error.code == "NoSuchBucketPolicy":
        policy_error = None
    current = current or ""
    return {
        "current_policy": current,
        "highlighted": documents.highlight(current),
        "policy_error": policy_error,
        "policy_change_error": None,
        **_editor_context(current if document is None else document, chosen_template),
        **overrides,
    }


def _page_context(sandbox: Sandbox, actor: Actor, bucket: Bucket, **regions: dict) -> dict:
    return {
        "sandbox": sandbox,
        "account": actor.account,
        "actor": actor,
        "bucket": bucket,
        "cross_account": actor.account.pk != bucket.account_id,
        "delete_error": None,
        **{key: value for region in regions.values() for key, value in region.items()},
    }


def _bucket_url(sandbox_id: int, bucket_id: int, **query: str) -> str:
    url = reverse("console:bucket", args=[sandbox_id, bucket_id])
    return f"{url}?{urlencode(query)}" if query else url


@login_required
@vary_on_headers("HX-Request")
@require_safe
def bucket_detail(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    """The bucket page; ``?key=`` shows one object, ``?template=`` starts the editor from a template.

    An htmx request (viewing an object) gets the objects region only.
    """
    sandbox, actor, bucket = _bucket_for(request, sandbox_id, bucket_id)
    objects = _objects_context(actor, bucket, request.GET.get("key", ""))
    if request.htmx:
        return render(request, f"{DETAIL}#objects-region", _page_context(sandbox, actor, bucket, objects=objects))
    template = _template(request.GET.get("template", ""))
    document = _template_document(bucket, template) if template else None
    policy = _policy_context(actor, bucket, document, template)
    return render(request, DETAIL, _page_context(sandbox, actor, bucket, objects=objects, policy=policy))


@login_required
@require_POST
def delete_bucket(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    sandbox, actor, bucket = _bucket_for(request, sandbox_id, bucket_id)
    _, error = _try(s3.delete_bucket, actor, bucket.name)
    if error is None:
        return redirect("console:buckets", sandbox.id)
    regions = {"objects": _objects_context(actor, bucket), "policy": _policy_context(actor, bucket)}
    context = {**_page_context(sandbox, actor, bucket, **regions), "delete_error": error}
    return render(request, DETAIL, context, status=error.status)


def _after_change(
    request: HttpRequest,
    sandbox: Sandbox,
    actor: Actor,
    bucket: Bucket,
    error: AwsError | None,
    back: str,
    *,
    objects: dict | None = None,
    policy: dict | None = None,
) -> HttpResponse:
    """After a change to the objects or the policy: that region for htmx; without JavaScript, a redirect to
    ``back`` when it worked, else the whole page with the error in place. ``objects`` or ``policy`` holds what
    the changed region shows beyond its defaults."""
    if error is None and not request.htmx:
        return redirect(back)
    changed = "objects" if objects is not None else "policy"
    regions = {}
    if objects is not None or not request.htmx:
        regions["objects"] = _objects_context(actor, bucket, **(objects or {}))
    if policy is not None or not request.htmx:
        bucket.refresh_from_db(fields=["policy"])
        regions["policy"] = _policy_context(actor, bucket, **(policy or {}))
    template = f"{DETAIL}#{changed}-region" if request.htmx else DETAIL
    context = _page_context(sandbox, actor, bucket, **regions)
    return render(request, template, context, status=error_status(request, error))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def put_object(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    """Upload a text object; on success the page shows it."""
    sandbox, actor, bucket = _bucket_for(request, sandbox_id, bucket_id)
    typed = {field: request.POST.get(field, default) for field, default in BLANK_OBJECT.items()}
    _, error = _try(s3.put_object, actor, bucket.name, typed["key"], typed["body"], typed["content_type"])
    objects = {"typed_object": typed, "upload_error": error} if error is not None else {"shown_key": typed["key"]}
    back = _bucket_url(sandbox.id, bucket.id, key=typed["key"])
    return _after_change(request, sandbox, actor, bucket, error, back, objects=objects)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def delete_object(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    sandbox, actor, bucket = _bucket_for(request, sandbox_id, bucket_id)
    _, error = _try(s3.delete_object, actor, bucket.name, request.POST.get("key", ""))
    back = _bucket_url(sandbox.id, bucket.id)
    return _after_change(request, sandbox, actor, bucket, error, back, objects={"delete_object_error": error})


@login_required
@vary_on_headers("HX-Request")
@require_POST
def put_bucket_policy(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    sandbox, actor, bucket = _bucket_for(request, sandbox_id, bucket_id)
    document = request.POST.get("document", "")
    _, error = _try(s3.put_bucket_policy, actor, bucket.name, document)
    policy = {"document": document, "policy_change_error": error} if error is not None else {}
    return _after_change(request, sandbox, actor, bucket, error, _bucket_url(sandbox.id, bucket.id), policy=policy)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def delete_bucket_policy(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    sandbox, actor, bucket = _bucket_for(request, sandbox_id, bucket_id)
    _, error = _try(s3.delete_bucket_policy, actor, bucket.name)
    policy = {"policy_change_error": error}
    return _after_change(request, sandbox, actor, bucket, error, _bucket_url(sandbox.id, bucket.id), policy=policy)


@login_required
@require_POST
def validate_bucket_policy(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    """The findings for the bucket policy being typed, checked as a resource-based policy."""
    _bucket_for(request, sandbox_id, bucket_id)
    return render(request, "console/policies.html#findings", _editor_context(request.POST.get("document", "")))


@login_required
@vary_on_headers("HX-Request")
@require_safe
def bucket_policy_editor(request: HttpRequest, sandbox_id: int, bucket_id: int) -> HttpResponse:
    """The editor started from a template (htmx); without JavaScript, the bucket page does it."""
    sandbox, _, bucket = _bucket_for(request, sandbox_id, bucket_id)
    slug = request.GET.get("template", "")
    template = _template(slug)
    if not request.htmx or template is None:
        return redirect(_bucket_url(sandbox.id, bucket.id, template=slug))
    context = {"sandbox": sandbox, "bucket": bucket, **_editor_context(_template_document(bucket, template), template)}
    return render(request, f"{DETAIL}#policy-editor", context)
