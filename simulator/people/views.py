import math

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from simulator.people import demo, throttle
from simulator.people.forms import SignInForm, SignUpForm


def _safe_next(request: HttpRequest) -> str:
    """The ?next= address if it stays on this site, else "": never an open redirect."""
    candidate = request.POST.get("next") or request.GET.get("next", "")
    on_this_site = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if on_this_site else ""


def _signed_in(request: HttpRequest) -> HttpResponse:
    return redirect(_safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))


def _client_address(request: HttpRequest) -> str:
    """The peer's address. Behind a reverse proxy this is the proxy's, so every client would share one limit:
    configure the proxy to pass REMOTE_ADDR through before relying on the per-address limit."""
    return request.META.get("REMOTE_ADDR", "")


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST) if request.method == "POST" else SignUpForm()
    if form.is_valid():
        login(request, form.save())
        return _signed_in(request)
    return render(request, "people/sign_up.html", {"form": form, "next": _safe_next(request)})


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST) if request.method == "POST" else SignInForm()
    status, retry_minutes = 200, 0
    if request.method == "POST":
        username, address = request.POST.get("username", ""), _client_address(request)
        if wait := throttle.retry_after(username, address):
            # Refused before the password is even checked, so guessing gets no answer at all.
            form = SignInForm(initial={"username": username})
            status, retry_minutes = 429, math.ceil(wait / 60)
        elif form.is_valid():
            throttle.forget_username(username)
            login(request, form.get_user())
            return _signed_in(request)
        elif form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            throttle.record_failure(username, address)
    context = {
        "form": form,
        "next": _safe_next(request),
        "retry_minutes": retry_minutes,
        "demo_people": demo.PEOPLE if settings.DEMO_MODE else (),
        "demo_password": demo.PASSWORD,
    }
    return render(request, "people/sign_in.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")
