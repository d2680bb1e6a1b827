"""The learner's sandboxes: create, open, reset, delete, add an account, switch accounts, export, import.

Managing a sandbox is the learner's own business, not an IAM action inside it: nothing here asks
the policy engine, whoever the learner is acting as (see :mod:`simulator.sandbox.lifecycle` and
:mod:`simulator.sandbox.authorization_import`). Another learner's sandbox is a 404, for GET and POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from simulator.console.acting import act_as, acting_actor
from simulator.console.views import error_status, get_sandbox_for_user
from simulator.sandbox import lifecycle
from simulator.sandbox.authorization import Actor
from simulator.sandbox.authorization_details import exported_json
from simulator.sandbox.authorization_import import MAX_DUMP_BYTES, InvalidDump, Problem, import_account, parse_dump
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, Group, IamUser, ManagedPolicy, Role, Sandbox

FIRST_SANDBOX_NAME = "Playground"


def _count_in_account(model: type) -> Coalesce:
    """How many rows of ``model`` the outer account holds, as a subquery: joins would multiply rows."""
    rows = model.objects.filter(account=OuterRef("pk")).order_by().values("account").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")), 0)


def sandboxes_with_counts(user) -> QuerySet[Sandbox]:
    """The learner's sandboxes with their accounts and what each holds: two queries however many there are."""
    accounts = Account.objects.annotate(
        user_count=_count_in_account(IamUser),
        group_count=_count_in_account(Group),
        role_count=_count_in_account(Role),
        policy_count=_count_in_account(ManagedPolicy),
    )
    return Sandbox.objects.for_user(user).prefetch_related(Prefetch("accounts", queryset=accounts))


def _index_context(request: HttpRequest, **overrides) -> dict:
    sandboxes = list(sandboxes_with_counts(request.user))
    return {
        "sandboxes": sandboxes,
        "templates": Sandbox.Template.choices,
        "typed": {"name": "" if sandboxes else FIRST_SANDBOX_NAME, "template": Sandbox.Template.EMPTY},
        "error": None,
        "account_limit": lifecycle.ACCOUNTS_PER_SANDBOX,
        **overrides,
    }


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "console/index.html", _index_context(request))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def create_sandbox(request: HttpRequest) -> HttpResponse:
    """A new sandbox from a template; then its users page, where the learner starts."""
    typed = {"name": request.POST.get("name", ""), "template": request.POST.get("template", Sandbox.Template.EMPTY)}
    try:
        sandbox = lifecycle.create_sandbox(request.user, typed["name"], typed["template"])
    except AwsError as error:
        template = "console/index.html#create-region" if request.htmx else "console/index.html"
        context = _index_context(request, typed=typed, error=error)
        return render(request, template, context, status=error_status(request, error))
    users_url = reverse("console:users", args=[sandbox.id])
    return HttpResponseClientRedirect(users_url) if request.htmx else redirect(users_url)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def add_account(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """Another account in the sandbox; htmx redraws the sandbox's card, a plain form comes back to the list."""
    sandbox = get_sandbox_for_user(request, sandbox_id)
    alias = request.POST.get("alias", "").strip()
    error = None
    try:
        account = lifecycle.add_account(sandbox, alias)
    except AwsError as aws_error:
        error = aws_error
    else:
        if not request.htmx:
            messages.success(request, f"Added account {account.account_id} ({account.alias}) to {sandbox.name}.")
            return redirect("console:index")
    context = _index_context(request)
    card = next(s for s in context["sandboxes"] if s.pk == sandbox.pk)
    card.alias_error, card.alias_error_id = error, f"add-account-error-{card.pk}"
    card.typed_alias = alias if error else ""
    if request.htmx:
        return render(request, "console/index.html#sandbox-card", {**context, "sandbox": card})
    return render(request, "console/index.html", context, status=error_status(request, error))


def _next_url(request: HttpRequest, sandbox: Sandbox) -> str:
    """Back where the learner was, if that is on this site; else the sandbox's users page."""
    candidate = request.POST.get("next", "")
    here = {request.get_host()}
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts=here, require_https=request.is_secure()):
        return candidate
    return reverse("console:users", args=[sandbox.id])


@login_required
@require_POST
def switch_account(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """Work in another of the sandbox's accounts, as its root user (the act-as picker then chooses within it)."""
    sandbox = get_sandbox_for_user(request, sandbox_id)
    account = get_object_or_404(sandbox.accounts, account_id=request.POST.get("account", ""))
    act_as(request, sandbox, Actor(account))
    return redirect(_next_url(request, sandbox))


def _contents(sandbox: Sandbox) -> dict:
    """What a reset or a delete throws away, for the confirmation page."""
    accounts = sandbox.accounts.all()
    return {
        "accounts": accounts.count(),
        "users": IamUser.objects.filter(account__in=accounts).count(),
        "roles": Role.objects.filter(account__in=accounts).count(),
        "buckets": sandbox.buckets.count(),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reset_sandbox(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """GET asks for confirmation; POST puts the sandbox back to its template."""
    sandbox = get_sandbox_for_user(request, sandbox_id)
    if request.method == "POST":
        lifecycle.reset_sandbox(sandbox)
        messages.success(request, f"{sandbox.name} is back to its {sandbox.get_template_display().lower()}.")
        return redirect("console:index")
    first = sandbox.accounts.first()
    context = {"sandbox": sandbox, "contents": _contents(sandbox), "kept_account": first}
    return render(request, "console/sandbox_reset.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_sandbox(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """GET asks the learner to type the sandbox's name; POST with it typed deletes the sandbox."""
    sandbox = get_sandbox_for_user(request, sandbox_id)
    typed, error = "", None
    if request.method == "POST":
        typed = request.POST.get("confirm_name", "")
        try:
            lifecycle.delete_sandbox(sandbox, typed)
        except AwsError as aws_error:
            error = aws_error
        else:
            messages.success(request, f"Deleted {sandbox.name} and everything in it.")
            return redirect("console:index")
    context = {"sandbox": sandbox, "contents": _contents(sandbox), "typed": typed, "error": error}
    return render(request, "console/sandbox_delete.html", context, status=error_status(request, error))


def _chosen_account(request: HttpRequest, sandbox: Sandbox, account_id: str) -> Account:
    """The account named in the request, else the one the learner is working in."""
    if account_id:
        return get_object_or_404(sandbox.accounts, account_id=account_id)
    return acting_actor(request, sandbox).account


@login_required
@require_safe
def export_sandbox(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """An account's IAM configuration as a JSON file, as `aws iam get-account-authorization-details` prints it."""
    sandbox = get_sandbox_for_user(request, sandbox_id)
    account = _chosen_account(request, sandbox, request.GET.get("account", ""))
    response = HttpResponse(exported_json(account), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{account.account_id}-authorization-details.json"'
    return response


def _import(request: HttpRequest, account: Account) -> str:
    """Import the uploaded file into ``account``; what was imported, or InvalidDump."""
    upload = request.FILES.get("dump")
    if upload is None:
        raise InvalidDump([Problem("$", "ValidationError", "Choose a JSON file to import.")])
    # One byte past the limit is enough to know the file is too big; the rest is never read.
    data = parse_dump(upload.read(MAX_DUMP_BYTES + 1))
    summary = import_account(account, data, replace=request.POST.get("replace") == "on")
    return f"Imported {summary} into account {account.account_id}."


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def import_sandbox(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """Load a get-account-authorization-details dump into one of the sandbox's accounts, all or nothing."""
    sandbox = get_sandbox_for_user(request, sandbox_id)
    account = _chosen_account(request, sandbox, request.POST.get("account") or request.GET.get("account", ""))
    problems = []
    if request.method == "POST":
        try:
            done = _import(request, account)
        except InvalidDump as invalid:
            problems = invalid.problems
        else:
            messages.success(request, done)
            index_url = reverse("console:index")
            return HttpResponseClientRedirect(index_url) if request.htmx else redirect(index_url)
    context = {
        "sandbox": sandbox,
        "accounts": sandbox.accounts.all(),
        "chosen": account,
        "replace": request.POST.get("replace") == "on",
        "problems": problems,
        "limit_mb": MAX_DUMP_BYTES // (1024 * 1024),
    }
    template = "console/sandbox_import.html#import-region" if request.htmx else "console/sandbox_import.html"
    status = 400 if problems and not request.htmx else 200
    return render(request, template, context, status=status)
