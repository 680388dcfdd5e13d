"""Bounded waits: a Hub that accepts a connection and never answers, or fails for ever, ends the run
cleanly (exit 4, the endpoint named, nothing changed) within the timeout and the ONE retry budget.

These run with real sleeps and real time: the point is the wall clock."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from hf_publish.errors import EXIT_HUB, HubError
from hf_publish.publishing.hub import RetryBudget
from tests.reliability.helpers import REPO, HubState
from tests.reliability.scenarios import pending_change, route

TIMEOUT = 1.0  # the API timeout these tests set (the default is 60 s)
BUDGET = 5.0  # the retry budget these tests set (the default is 120 s)
MARGIN = 6.0  # start-up, one last timed-out request, planning: generous on a loaded 2-core machine


@pytest.fixture
def published(publisher, checkout):
    publisher.run(checkout)
    pending_change(checkout, seed=2)
    return checkout


def _run_cli(
    sandbox, checkout, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, float]:
    full_env = {**os.environ, "HF_TOKEN": sandbox.tokens["alice-fg-org"], **(env or {})}
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            "-m",
            "hf_publish",
            "publish",
            "--path",
            str(checkout.path),
            "--endpoint",
            sandbox.endpoint,
            *args,
        ],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=checkout.path.parent,
    )
    return proc, time.monotonic() - started


def test_a_hub_that_never_answers_whoami_ends_the_cli_within_the_timeout(hub_sandbox, published):
    hub_sandbox.clear_log()
    hub_sandbox.inject(method="GET", path=r"^/api/whoami-v2$", hang=True, times=None)

    proc, seconds = _run_cli(hub_sandbox, published, "--timeout", str(TIMEOUT))

    assert proc.returncode == EXIT_HUB, proc.stderr
    assert seconds < TIMEOUT + MARGIN, seconds
    assert "whoami" in proc.stderr and "/api/whoami-v2" in proc.stderr and hub_sandbox.endpoint in proc.stderr
    assert "Traceback" not in proc.stderr and "Next:" in proc.stderr
    assert [r for r in hub_sandbox.requests if r.path == "/api/whoami-v2"][0].fault


@pytest.mark.parametrize("where", ["preupload", "commit", "tree"])
def test_a_route_that_never_answers_ends_within_timeout_and_budget(
    where, hub_sandbox, published, publisher, upload_lane
):
    before = HubState.of(hub_sandbox)
    method, path = ("GET", r"/tree/") if where == "tree" else route(where, upload_lane)
    rule = hub_sandbox.inject(method=method, path=path, hang=True, times=None)

    started = time.monotonic()
    with pytest.raises(HubError) as caught:
        publisher.run(published, real_sleep=True, timeout=TIMEOUT, retry_budget=BUDGET)
    seconds = time.monotonic() - started

    assert rule.hits >= 1
    assert seconds < BUDGET + TIMEOUT + MARGIN, seconds
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_HUB and "Next:" in message
    assert {"preupload": "/preupload/", "commit": "/commit/", "tree": "/tree/"}[where] in message
    hub_sandbox.clear_faults()
    assert HubState.of(hub_sandbox) == before  # nothing half-written (a hung commit is never applied)


def test_a_persistent_503_on_preupload_ends_within_the_retry_budget(hub_sandbox, published, publisher, upload_lane):
    # Without the budget, hf_xet / the client / publish retries stack to about two minutes.
    before = HubState.of(hub_sandbox)
    method, path = route("preupload", upload_lane)
    rule = hub_sandbox.inject(method=method, path=path, status=503, times=None)

    started = time.monotonic()
    with pytest.raises(HubError) as caught:
        publisher.run(published, real_sleep=True, retry_budget=BUDGET)
    seconds = time.monotonic() - started

    assert rule.hits >= 2  # it did retry, within the budget
    assert seconds < BUDGET + MARGIN, seconds
    assert "retry budget" in str(caught.value) and "HTTP 503" in str(caught.value)
    assert HubState.of(hub_sandbox) == before


def test_the_cli_takes_the_budget_from_its_flag_and_the_environment(hub_sandbox, published):
    hub_sandbox.inject(method="POST", path=r"/preupload/", status=503, times=None)

    proc, seconds = _run_cli(hub_sandbox, published, "--retry-budget", str(BUDGET))
    assert proc.returncode == EXIT_HUB and "retry budget" in proc.stderr and "Traceback" not in proc.stderr
    assert seconds < BUDGET + MARGIN, seconds

    proc, seconds = _run_cli(hub_sandbox, published, env={"HF_PUBLISH_RETRY_BUDGET": "3"})
    assert proc.returncode == EXIT_HUB and "retry budget is 3 s" in proc.stderr
    assert seconds < 3 + MARGIN, seconds

    proc, _ = _run_cli(hub_sandbox, published, "--retry-budget", "0")
    assert proc.returncode == 2 and "--retry-budget" in proc.stderr


def test_a_transient_failure_is_still_retried_and_lands(hub_sandbox, published, publisher, upload_lane):
    method, path = route("preupload", upload_lane)
    hub_sandbox.inject(method=method, path=path, status=503, times=2)

    result = publisher.run(published, real_sleep=True, retry_budget=BUDGET).results[0]

    assert result.changed and result.commit_sha == hub_sandbox.head(REPO)


@pytest.fixture
def lfs_lane(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")


def test_uploads_keep_their_own_limit_while_api_calls_time_out(hub_sandbox, published, publisher, lfs_lane):
    hub_sandbox.inject(method="PUT", path=r"^/_sandbox/lfs/", delay=2 * TIMEOUT, times=None)

    result = publisher.run(published, real_sleep=True, timeout=TIMEOUT, retry_budget=BUDGET).results[0]

    assert result.changed and result.attempts == 1
    puts = [r for r in hub_sandbox.requests if r.method == "PUT" and r.path.startswith("/_sandbox/lfs/")]
    assert puts and all(r.status == 200 for r in puts)  # none cut short and sent again


def test_the_client_factory_is_put_back_after_a_publish(publisher, checkout):
    from huggingface_hub.utils import _http

    before = _http._GLOBAL_CLIENT_FACTORY
    publisher.run(checkout, timeout=TIMEOUT)
    assert _http._GLOBAL_CLIENT_FACTORY is before


def test_budget_counts_from_a_failure_to_the_next_answer():
    budget = RetryBudget(10)
    budget.failed()
    budget.advance(4)
    budget.succeeded()
    budget.advance(100)  # time without failures costs nothing
    assert 3.9 < budget.spent() < 4.5
    budget.failed()
    budget.advance(5)
    assert budget.allows(0.5) and not budget.allows(2)
    budget.advance(2)
    assert budget.refuses()
    with budget.final_look():
        assert not budget.refuses()
