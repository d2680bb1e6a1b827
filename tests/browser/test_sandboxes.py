import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox.demo import create_demo_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_adds_a_sandbox_and_an_account_switches_exports_and_resets(
    live_server: LiveServer, signed_in_page: Page, learner
) -> None:
    page = signed_in_page
    create_demo_sandbox(learner)
    page.goto(live_server.url + "/console/")
    expect(page.get_by_role("region", name="Playground")).to_contain_text("Demo account")

    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Create sandbox").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the sandbox a name.")
    page.get_by_label("Name", exact=True).fill("Second")
    page.get_by_label("Empty account").check()
    page.get_by_role("button", name="Create sandbox").click()
    expect(page.get_by_role("heading", name="IAM users")).to_be_visible()

    page.goto(live_server.url + "/console/")
    second = page.get_by_role("region", name="Second")
    second.get_by_label("New account alias").fill("Bad_Alias")
    second.get_by_role("button", name="Add account").click()
    expect(second.get_by_role("alert")).to_contain_text("ValidationError")
    second.get_by_label("New account alias").fill("staging")
    second.get_by_role("button", name="Add account").click()
    staging_row = second.get_by_role("row", name=re.compile("staging"))
    expect(staging_row).to_be_visible()
    staging_id = staging_row.locator("code").inner_text()

    second.get_by_role("link", name="Open", exact=True).click()
    page.get_by_label("Working in account").select_option(staging_id)
    page.get_by_role("button", name="Switch").click()
    expect(page.locator(".console-crumbs")).to_contain_text(staging_id)
    page.screenshot(path="/tmp/sandboxes-switcher.png", caret="initial")
    page.get_by_label("User name").fill("stager")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("region", name="Users").get_by_role("cell", name="stager")).to_be_visible()

    page.goto(live_server.url + "/console/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Export account {staging_id} as JSON").click()
    download = download_info.value
    assert download.suggested_filename == f"{staging_id}-authorization-details.json"
    exported = json.loads(Path(download.path()).read_text())
    assert [user["UserName"] for user in exported["UserDetailList"]] == ["stager"]

    page.get_by_role("link", name=f"Import into account {staging_id}").click()
    bad = {"UserDetailList": [{"UserName": "bad name", "GroupList": ["ghosts"]}]}
    page.get_by_label("JSON file").set_input_files(
        files=[{"name": "bad.json", "mimeType": "application/json", "buffer": json.dumps(bad).encode()}]
    )
    page.get_by_label("Replace the account's IAM entities").check()
    page.get_by_role("button", name="Import").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported: 2 problems to fix")
    expect(problems).to_contain_text("$.UserDetailList[0].GroupList[0]")
    page.screenshot(path="/tmp/sandboxes-import.png", full_page=True, caret="initial")
    page.get_by_label("JSON file").set_input_files(
        files=[{"name": "good.json", "mimeType": "application/json", "buffer": json.dumps(exported).encode()}]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 1 user, 0 groups, 0 roles")
    staging_row = page.get_by_role("region", name="Second").get_by_role("row", name=re.compile("staging"))
    expect(staging_row.get_by_role("cell").nth(1)).to_have_text("1")

    page.get_by_role("region", name="Second").get_by_role("link", name="Reset…").click()
    expect(page.get_by_role("heading", name="Reset Second")).to_be_visible()
    page.get_by_role("button", name="Reset sandbox").click()
    expect(page.get_by_role("status")).to_contain_text("Second is back to its empty account.")
    expect(page.get_by_role("region", name="Second").get_by_role("row", name=re.compile("staging"))).to_have_count(0)
    expect(page.get_by_role("region", name="Playground")).to_contain_text("Demo account")
    # Playwright hides the caret by injecting a <style>, which our CSP rightly blocks: keep the caret.
    page.screenshot(path="/tmp/sandboxes.png", full_page=True, caret="initial")
