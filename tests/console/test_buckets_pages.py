"""The bucket pages. Error codes: Amazon S3 API Reference, CreateBucket, DeleteBucket, PutBucketPolicy,
GetBucketPolicy, PutObject, GetObject, ListObjectsV2 ("Errors") and "Error responses"; finding codes: IAM User
Guide, "IAM policy validation check reference"."""

import json

import pytest
from django.test import Client
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.console.acting import SESSION_KEY
from simulator.sandbox import buckets as s3
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Account, Bucket, BucketObject, Sandbox

from .conftest import HTMX, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
PUBLIC_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
        ],
    }
)


def buckets_url(sandbox) -> str:
    return f"/console/{sandbox.id}/buckets/"


@pytest.fixture
def bucket(root) -> Bucket:
    return s3.create_bucket(root, "reports")


@pytest.fixture
def bucket_url(sandbox, bucket) -> str:
    return f"{buckets_url(sandbox)}{bucket.id}/"


@pytest.fixture
def routes(sandbox, bucket, bucket_url) -> list[tuple[str, str, dict]]:
    return [
        ("get", buckets_url(sandbox), {}),
        ("post", buckets_url(sandbox), {"name": "intruder"}),
        ("get", bucket_url, {}),
        ("get", bucket_url + "policy/editor/", {"template": "public-read"}),
        ("post", bucket_url + "delete/", {}),
        ("post", bucket_url + "objects/", {"key": "intruder.txt", "body": "x", "content_type": "text/plain"}),
        ("post", bucket_url + "objects/delete/", {"key": "a.txt"}),
        ("post", bucket_url + "policy/", {"document": PUBLIC_READ}),
        ("post", bucket_url + "policy/delete/", {}),
        ("post", bucket_url + "policy/validate/", {"document": PUBLIC_READ}),
    ]


def act_as_user(client: Client, sandbox: Sandbox, account: Account, user_name: str) -> None:
    session = client.session
    session[SESSION_KEY] = {str(sandbox.pk): {"account": account.account_id, "user": user_name}}
    session.save()


def test_it_lists_the_sandboxs_buckets_with_owner_policy_and_object_count(learner_client, sandbox, root, bucket):
    s3.put_bucket_policy(root, "reports", PUBLIC_READ)
    s3.put_object(root, "reports", "a.txt", "a")
    s3.put_object(root, "reports", "b.txt", "b")
    second = Account.objects.create(sandbox=sandbox)
    s3.create_bucket(Actor(second), "theirs")
    response = learner_client.get(buckets_url(sandbox))
    rows = [(b.name, b.account.account_id, b.has_policy, b.object_count) for b in response.context["buckets"]]
    assert rows == [("reports", root.account.account_id, True, 2), ("theirs", second.account_id, False, 0)]
    assertContains(response, f'href="{buckets_url(sandbox)}{bucket.id}/"')
    assertContains(response, '<span class="tag">This account</span>', count=1, html=True)
    assertContains(response, 'aria-current="page">Buckets</a>')


def test_the_list_takes_the_same_queries_for_ten_and_three_hundred_buckets(learner_client, sandbox, root):
    account = root.account

    def add_buckets(first: int, last: int) -> None:
        created = Bucket.objects.bulk_create(
            Bucket(sandbox=sandbox, account=account, name=f"bucket-{n}", policy=PUBLIC_READ if n % 2 else "")
            for n in range(first, last)
        )
        BucketObject.objects.bulk_create(BucketObject(bucket=b, key="k") for b in created[::3])

    assert_queries_do_not_grow(learner_client, buckets_url(sandbox), add_buckets)


def test_it_creates_a_bucket_and_redirects_without_js(learner_client, sandbox, root):
    assertRedirects(learner_client.post(buckets_url(sandbox), {"name": "reports"}), buckets_url(sandbox))
    assert Bucket.objects.get().account == root.account


def test_htmx_create_returns_the_region_with_a_blank_form(learner_client, sandbox):
    response = learner_client.post(buckets_url(sandbox), {"name": "reports"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="buckets-region"')
    assertContains(response, "<strong>reports</strong>", html=True)
    assertContains(response, 'name="name" value=""')
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [("Bad_Name", 400, "InvalidBucketName"), ("reports", 409, "BucketAlreadyOwnedByYou")],
)
def test_create_errors_are_shown_in_place(learner_client, sandbox, bucket, name, status, code):
    for headers, expected_status in (({}, status), (HTMX, 200)):
        response = learner_client.post(buckets_url(sandbox), {"name": name}, headers=headers)
        assertContains(response, f'<code class="aws-error-code">{code}</code>', html=True, status_code=expected_status)
        assertContains(response, f'value="{name}"', status_code=expected_status)
    assert Bucket.objects.count() == 1


def test_the_bucket_page_shows_objects_the_policy_highlighted_and_the_explainer(learner_client, root, bucket_url):
    s3.put_bucket_policy(root, "reports", PUBLIC_READ)
    s3.put_object(root, "reports", "notes/a.txt", "hello")
    response = learner_client.get(bucket_url)
    assertContains(response, "<strong>notes/a.txt</strong>", html=True)
    assertContains(response, '<span class="json-key">&quot;Principal&quot;</span>')
    assertContains(response, "Two sides of every request")
    assertContains(response, "<strong>either</strong> side may allow")
    assertContains(response, 'aria-current="page">Buckets</a>')


def test_viewing_an_object_shows_its_body_and_htmx_gets_the_objects_region(learner_client, root, bucket_url):
    s3.put_object(root, "reports", "a b.txt", "line one\nline two")
    response = learner_client.get(bucket_url, {"key": "a b.txt"})
    assertContains(response, '<pre class="object-body" tabindex="0">line one\nline two</pre>', html=True)
    assertContains(response, 'href="' + bucket_url + '?key=a%20b.txt#object-title"')
    response = learner_client.get(bucket_url, {"key": "a b.txt"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="objects-region"')


def test_a_missing_object_shows_no_such_key_in_place(learner_client, bucket_url):
    response = learner_client.get(bucket_url, {"key": "missing"})
    assertContains(response, '<code class="aws-error-code">NoSuchKey</code>', html=True)


def test_uploading_redirects_to_the_object_or_returns_the_region(learner_client, sandbox, bucket, bucket_url):
    data = {"key": "a.txt", "body": "hello", "content_type": "text/plain"}
    assertRedirects(learner_client.post(bucket_url + "objects/", data), bucket_url + "?key=a.txt")
    response = learner_client.post(bucket_url + "objects/", {**data, "body": "again"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="objects-region"')
    assertContains(response, ">again</pre>")
    assert BucketObject.objects.get().body == "again"


def test_upload_errors_keep_what_was_typed(learner_client, bucket_url):
    data = {"key": "k" * 1025, "body": "kept body", "content_type": "text/csv"}
    response = learner_client.post(bucket_url + "objects/", data)
    assertContains(response, '<code class="aws-error-code">KeyTooLongError</code>', html=True, status_code=400)
    assertContains(response, ">kept body</textarea>", status_code=400)
    assertContains(response, 'value="text/csv"', status_code=400)


def test_deleting_an_object(learner_client, root, bucket_url):
    s3.put_object(root, "reports", "a.txt", "hello")
    assertRedirects(learner_client.post(bucket_url + "objects/delete/", {"key": "a.txt"}), bucket_url)
    assert not BucketObject.objects.exists()


def test_object_keys_and_bodies_are_escaped(learner_client, root, bucket_url):
    s3.put_object(root, "reports", SCRIPT, SCRIPT)
    for response in (learner_client.get(bucket_url, {"key": SCRIPT}), learner_client.get(bucket_url)):
        assertNotContains(response, "<script>alert")
        assertContains(response, escape(SCRIPT))
    response = learner_client.post(bucket_url + "objects/", {"key": "", "body": SCRIPT, "content_type": SCRIPT})
    assertNotContains(response, "<script>alert", status_code=400)


def test_saving_a_policy_redirects_and_errors_are_shown_in_place(learner_client, bucket, bucket_url):
    assertRedirects(learner_client.post(bucket_url + "policy/", {"document": PUBLIC_READ}), bucket_url)
    bucket.refresh_from_db()
    assert bucket.policy == PUBLIC_READ
    wrong = PUBLIC_READ.replace("reports/*", "other/*")
    for headers, status in (({}, 400), (HTMX, 200)):
        response = learner_client.post(bucket_url + "policy/", {"document": wrong}, headers=headers)
        assertContains(response, '<code class="aws-error-code">MalformedPolicy</code>', html=True, status_code=status)
        assertContains(response, "Policy has invalid resource", status_code=status)
        assertContains(response, escape(wrong), status_code=status)
    assert response.content.decode().lstrip().startswith('<div id="policy-region"')
    bucket.refresh_from_db()
    assert bucket.policy == PUBLIC_READ


def test_deleting_the_policy(learner_client, root, bucket, bucket_url):
    s3.put_bucket_policy(root, "reports", PUBLIC_READ)
    response = learner_client.post(bucket_url + "policy/delete/", headers=HTMX)
    assertContains(response, "No bucket policy.")
    bucket.refresh_from_db()
    assert bucket.policy == ""


def test_the_editor_validates_as_a_resource_based_policy(learner_client, bucket_url):
    identity_style = PUBLIC_READ.replace('"Principal": "*", ', "")
    response = learner_client.post(bucket_url + "policy/validate/", {"document": identity_style}, headers=HTMX)
    assertContains(response, "Missing required field Principal")
    assertContains(response, '<span class="finding-badge finding-error">ERROR</span>', html=True)
    response = learner_client.post(bucket_url + "policy/validate/", {"document": SCRIPT}, headers=HTMX)
    assertNotContains(response, "<script>alert")


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("public-read", "&quot;Principal&quot;: &quot;*&quot;"),
        ("another-account", "arn:aws:iam::111122223333:root"),
        ("deny-insecure-transport", "aws:SecureTransport"),
    ],
)
def test_templates_fill_the_editor_for_this_bucket(learner_client, bucket_url, template, says):
    response = learner_client.get(bucket_url + "policy/editor/", {"template": template}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="policy-editor"')
    assertContains(response, "arn:aws:s3:::reports")
    assertContains(response, says)
    assertRedirects(
        learner_client.get(bucket_url + "policy/editor/", {"template": template}), f"{bucket_url}?template={template}"
    )
    assertContains(learner_client.get(bucket_url, {"template": template}), says)


def test_the_another_account_template_names_the_sandboxs_second_account(learner_client, sandbox, bucket_url):
    second = Account.objects.create(sandbox=sandbox)
    response = learner_client.get(bucket_url, {"template": "another-account"})
    assertContains(response, f"arn:aws:iam::{second.account_id}:root")


def test_a_bucket_with_objects_cannot_be_deleted_and_says_so(learner_client, sandbox, root, bucket_url):
    s3.put_object(root, "reports", "a.txt", "a")
    response = learner_client.post(bucket_url + "delete/")
    assertContains(response, '<code class="aws-error-code">BucketNotEmpty</code>', html=True, status_code=409)
    s3.delete_object(root, "reports", "a.txt")
    assertRedirects(learner_client.post(bucket_url + "delete/"), buckets_url(sandbox))
    assert not Bucket.objects.exists()


def test_an_identity_without_permission_sees_access_denied_in_place(learner_client, sandbox, root, bucket_url, alice):
    s3.put_object(root, "reports", "a.txt", "hello")
    act_as_user(learner_client, sandbox, root.account, "alice")
    response = learner_client.get(bucket_url, {"key": "a.txt"})
    assertContains(response, "is not authorized to perform: s3:ListBucket")
    assertContains(response, "is not authorized to perform: s3:GetObject")
    assertContains(response, "is not authorized to perform: s3:GetBucketPolicy")
    assertNotContains(response, ">hello</pre>")
    response = learner_client.post(bucket_url + "objects/", {"key": "b.txt", "body": "x"}, headers=HTMX)
    assertContains(response, "is not authorized to perform: s3:PutObject")
    assert BucketObject.objects.count() == 1


def test_another_accounts_bucket_is_reached_cross_account(learner_client, sandbox, root, bucket_url):
    second = Account.objects.create(sandbox=sandbox)
    Bucket.objects.filter(name="reports").update(account=second)
    response = learner_client.get(bucket_url)
    assertContains(response, "this is cross-account access")
    assertContains(response, "no resource-based policy allows the s3:ListBucket action")


def test_another_learner_gets_404_on_every_route(other_client, routes, root):
    for method, url, data in routes:
        assert getattr(other_client, method)(url, data).status_code == 404, url
    assert list(Bucket.objects.values_list("name", "policy")) == [("reports", "")]
    assert not BucketObject.objects.exists()


def test_a_bucket_of_another_learner_is_404_from_ones_own_sandbox(learner_client, sandbox, other_learner):
    theirs = Sandbox.objects.create_with_account(other_learner)
    their_bucket = s3.create_bucket(Actor(theirs.accounts.get()), "theirs")
    url = f"{buckets_url(sandbox)}{their_bucket.id}/"
    assert learner_client.get(url).status_code == 404
    for suffix in ("delete/", "objects/", "objects/delete/", "policy/", "policy/delete/", "policy/validate/"):
        assert learner_client.post(url + suffix, {"key": "x", "body": "x", "document": PUBLIC_READ}).status_code == 404
    assert Bucket.objects.filter(name="theirs", policy="").exists()


def test_posts_without_the_csrf_token_are_refused(learner, routes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    for method, url, data in routes:
        if method == "post":
            assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert list(Bucket.objects.values_list("name", "policy")) == [("reports", "")]


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, routes):
    for method, url, data in routes:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
