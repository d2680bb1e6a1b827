import pytest
from django.test import Client
from pytest_django.asserts import assertContains


@pytest.mark.django_db
def test_home_page_names_the_product_and_the_roadmap(client: Client) -> None:
    response = client.get("/")
    assertContains(response, '<h1 id="page-title">IAM Sandbox</h1>', html=True)
    assertContains(response, "What's coming")


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_htmx_posts_carry_the_csrf_token(client: Client) -> None:
    content = client.get("/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in content
    assert 'hx-headers=\'{"X-CSRFToken": "' in content
    assert "/static/django_htmx/htmx-2.min.js" in content


def test_healthz_says_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok", "text/plain")


@pytest.mark.django_db
def test_only_healthz_is_exempt_from_the_https_redirect(client: Client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_home_page_example_is_decided_by_the_engine(client: Client) -> None:
    assertContains(
        client.get("/"),
        "User: arn:aws:iam::123456789012:user/ana is not authorized to perform: s3:DeleteObject on resource: "
        "arn:aws:s3:::reports/q3.csv because no identity-based policy allows the s3:DeleteObject action.",
    )
