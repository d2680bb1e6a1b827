"""Latency of the console under 20 concurrent learners (run: python tests/benchmarks/console_load.py).

Serves the app the way production does — gunicorn, DEBUG off, SQLite in WAL mode, collected static files —
from a throwaway database holding one demo sandbox per learner, each grown to 40 users and 15 customer
managed policies. Then 20 client threads, each signed in as its own learner, walk the console's pages in a
loop for the given duration: the console's pages, and the access tester deciding one action, and four, for an
IAM user with a bucket policy taking part (asked with htmx, as its form does, so the answer is the results
region). Each client pauses
about ``--think`` seconds between requests, as a person reading does; ``--think 0`` measures the server
saturated. Prints p50 / p95 / max latency per page and the request rate.

Issue 4 added the instances, instance, STS and terminal pages, a command run in the instance terminal
(``aws s3 cp`` of the demo object as the instance's role: the credential fetch EC2 makes, then the S3 call,
each decided and logged) and a read of the instance's role credentials from its metadata service (IMDSv2).

Targets (issue 3): p95 under 150 ms for console pages, under 50 ms for an access-tester decision; the terminal
command and the metadata read are held to the page target (issue 4 states none).
Kept apart from the test suite: timings belong in benchmarks, not in tests.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "benchmark-password-1"
DECIDE_ONE = "access tester: 1 action"
DECIDE_FOUR = "access tester: 4 actions"
DECISIONS = (DECIDE_ONE, DECIDE_FOUR)
TERMINAL_COMMAND = "terminal: aws s3 cp (POST)"
METADATA_READ = "IMDS: role credentials"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(env: dict[str, str], learners: int) -> None:
    """Migrate, collect static files, and give every learner a demo sandbox grown to a realistic size."""
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    script = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from simulator.sandbox import operations as ops
from simulator.sandbox.authorization import Actor
from simulator.sandbox.demo import create_demo_sandbox, READ_REPORTS
for n in range({learners}):
    person = get_user_model().objects.create_user(f"learner{{n}}", password={PASSWORD!r})
    root = Actor(create_demo_sandbox(person).accounts.get())
    for u in range(37):
        ops.create_user(root, f"user{{u}}", "/bench/")
    for p in range(14):
        ops.create_policy(root, f"policy{{p}}", READ_REPORTS)
"""
    subprocess.run([python, "-c", script], cwd=ROOT, env=env, check=True)


def _sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(
        f"{base}/sign-in/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/sign-in/"},
    )
    answer.raise_for_status()
    return session


def _pages(base: str, session: requests.Session) -> dict[str, str]:
    """The console's pages for this learner's sandbox, found by following its links as a browser would."""
    index = session.get(f"{base}/console/").text
    sandbox = re.search(r"/console/(\d+)/", index)[1]
    console = f"{base}/console/{sandbox}"
    instance_id = re.search(r"/instances/(i-[0-9a-f]{17})/", session.get(f"{console}/instances/").text)[1]

    def first_link(page: str, kind: str) -> str:
        return re.search(rf"/console/{sandbox}/{kind}/(\d+)/", session.get(f"{console}/{page}/").text)[0]

    alice = re.search(r'value="(arn:aws:iam::\d+:user/staff/alice)"', session.get(f"{console}/access/").text)[1]

    def asking(*actions: str) -> str:
        query = {"principal": alice, "actions": " ".join(actions), "resource": "arn:aws:s3:::reports/2026/q3.csv"}
        return f"{console}/access/?{urlencode(query)}"

    return {
        "sandboxes": f"{base}/console/",
        "users": f"{console}/users/",
        "user": base + first_link("users", "users"),
        "groups": f"{console}/groups/",
        "roles": f"{console}/roles/",
        "role": base + first_link("roles", "roles"),
        "policies": f"{console}/policies/",
        "policy": base + first_link("policies", "policies"),
        "buckets": f"{console}/buckets/",
        "bucket": base + first_link("buckets", "buckets"),
        "access tester": f"{console}/access/",
        DECIDE_ONE: asking("s3:GetObject"),
        DECIDE_FOUR: asking("s3:GetObject", "s3:PutObject", "ec2:DescribeInstances", "iam:CreateUser"),
        "access graph": f"{console}/graph/",
        "decision log": f"{console}/decisions/",
        "account": f"{console}/account/",
        "instances": f"{console}/instances/",
        "instance": f"{console}/instances/{instance_id}/",
        "instance terminal": f"{console}/instances/{instance_id}/terminal/",
        "sts": f"{console}/sts/",
        TERMINAL_COMMAND: f"{console}/instances/{instance_id}/terminal/",
        METADATA_READ: f"{console}/instances/{instance_id}/imds/latest/meta-data/iam/security-credentials/WebServer",
    }


def _writing_headers(session: requests.Session, base: str) -> dict[str, str]:
    """What an htmx write from the page sends: its CSRF token, the page as referer, the htmx flag."""
    return {"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{base}/console/", "HX-Request": "true"}


def _request(session: requests.Session, base: str, name: str, url: str, metadata_token: str) -> requests.Response:
    """One timed request as a browser (or, for the metadata service, a program on the instance) makes it."""
    if name in DECISIONS:
        # The tester's form asks with htmx and gets back only the results, as in a browser.
        return session.get(url, headers={"HX-Request": "true"})
    if name == TERMINAL_COMMAND:
        return session.post(
            url, data={"command": "aws s3 cp s3://reports/2026/q3.csv -"}, headers=_writing_headers(session, base)
        )
    if name == METADATA_READ:
        return session.get(url, headers={"X-aws-ec2-metadata-token": metadata_token})
    return session.get(url)


def _metadata_token(session: requests.Session, base: str, pages: dict[str, str]) -> str:
    """An IMDSv2 session token for the instance, as ``curl -X PUT .../latest/api/token`` gets it."""
    token_url = pages[METADATA_READ].split("/imds/")[0] + "/imds/latest/api/token"
    headers = {**_writing_headers(session, base), "X-aws-ec2-metadata-token-ttl-seconds": "21600"}
    answer = session.put(token_url, headers=headers)
    answer.raise_for_status()
    return answer.text


def _client(
    base: str, username: str, seconds: float, think: float, start: threading.Barrier, timings: dict, lock
) -> None:
    """Sign in, find the pages and open each once (the password hash is slow on purpose, and a worker's first
    request loads templates and the action catalog); then walk them, timed, once every client is ready."""
    session = _sign_in(base, username)
    found = _pages(base, session)
    token = _metadata_token(session, base, found)
    pages = list(found.items())
    for name, url in pages:
        _request(session, base, name, url, token).raise_for_status()
    mine: dict[str, list[float]] = defaultdict(list)
    start.wait()
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        name, url = random.choice(pages)
        started = time.perf_counter()
        answer = _request(session, base, name, url, token)
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        mine[name].append(elapsed * 1000)
        if think:
            time.sleep(random.uniform(0, 2 * think))
    with lock:
        for name, values in mine.items():
            timings[name].extend(values)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between a client's requests (s)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.benchmarks.load_settings",
            "IAM_BENCH_DB": str(Path(scratch) / "bench.sqlite3"),
            "IAM_BENCH_STATIC": str(Path(scratch) / "static"),
        }
        _prepare(env, options.clients)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "simulator.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.workers),
                # Import the app once, before forking, as a production deployment would.
                "--preload",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    requests.get(f"{base}/healthz", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            timings: dict[str, list[float]] = defaultdict(list)
            lock = threading.Lock()
            start = threading.Barrier(options.clients)
            threads = [
                threading.Thread(
                    target=_client,
                    args=(base, f"learner{n}", options.seconds, options.think, start, timings, lock),
                )
                for n in range(options.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait()

    total = sum(len(v) for v in timings.values())
    print(
        f"{options.clients} clients, {options.seconds:.0f} s, think {options.think} s, "
        f"gunicorn {options.workers} workers, {os.cpu_count()} CPUs: {total} requests, {total / options.seconds:.0f}/s"
    )
    print(f"{'page':<28} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95")
    for name, values in sorted(timings.items()):
        target = 50 if name in DECISIONS else 150
        p95 = _percentile(values, 0.95)
        verdict = "met" if p95 < target else "MISSED"
        print(
            f"{name:<28} {len(values):>8} {statistics.median(values):>8.1f} {p95:>8.1f} {max(values):>8.1f}"
            f"  < {target} ms {verdict}"
        )


if __name__ == "__main__":
    main()
