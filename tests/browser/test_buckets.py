import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox.models import Account, Bucket, Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_creates_a_bucket_uploads_an_object_and_adds_a_bucket_policy(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox
) -> None:
    page = signed_in_page
    partner = Account.objects.create(sandbox=sandbox)
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Buckets").click()
    expect(page.get_by_role("heading", name="S3 buckets")).to_be_visible()

    page.get_by_label("Bucket name").fill("Quarterly_Reports")
    page.get_by_role("button", name="Create bucket").click()
    expect(page.get_by_role("alert")).to_contain_text("InvalidBucketName")
    page.get_by_label("Bucket name").fill("quarterly-reports")
    page.get_by_role("button", name="Create bucket").click()
    listing = page.get_by_role("region", name="Buckets")
    expect(listing.get_by_role("row", name="quarterly-reports")).to_contain_text("This account")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.screenshot(path="/tmp/buckets-list.png", full_page=True, caret="initial")

    listing.get_by_role("link", name="quarterly-reports").click()
    expect(page.get_by_role("heading", name="quarterly-reports", exact=True)).to_be_visible()
    page.get_by_label("Key").fill("2024/q1.txt")
    page.get_by_label("Body").fill("Revenue up <b>12%</b>")
    page.get_by_role("button", name="Upload object").click()
    objects = page.get_by_role("region", name="Objects")
    expect(objects.get_by_role("link", name="2024/q1.txt")).to_be_visible()
    expect(objects.locator(".object-body")).to_have_text("Revenue up <b>12%</b>")

    page.get_by_role("link", name="Allow another account").click()
    editor = page.get_by_label("Bucket policy document (JSON)")
    expect(editor).to_have_value(re.compile(r'"Sid": "AllowAnotherAccount"'))
    expect(editor).to_have_value(re.compile(f'"AWS": "arn:aws:iam::{partner.account_id}:root"'))
    expect(editor).to_have_value(re.compile(r'"arn:aws:s3:::quarterly-reports/\*"'))
    expect(page.locator(".template-note")).to_contain_text("its own identity-based policies must still allow")
    findings = page.locator("#bucket-policy-findings")
    editor.press("End")
    editor.press_sequentially(" ")
    expect(findings).to_contain_text("No findings")
    page.get_by_role("button", name="Save bucket policy").click()
    policy = page.get_by_role("region", name="Bucket policy")
    expect(policy.get_by_label("Current bucket policy")).to_contain_text(f"arn:aws:iam::{partner.account_id}:root")
    expect(policy.get_by_role("button", name="Delete bucket policy")).to_be_visible()
    assert partner.account_id in Bucket.objects.get().policy
    page.screenshot(path="/tmp/buckets.png", full_page=True, caret="initial")
