"""Faults during publish, in both upload lanes: every run ends with the complete intended commit or
a clean failure that changed nothing, and a re-run converges to exactly one commit."""

from __future__ import annotations

import pytest

from tests.reliability.helpers import REPO, HubState, assert_mirrors
from tests.reliability.scenarios import PERSISTENT, TRANSIENT, XET_FAST_FAIL, cli_publisher, exercise, pending_change


@pytest.fixture
def published(publisher, checkout, hub_sandbox):
    publisher.run(checkout)
    pending_change(checkout, seed=2)
    return checkout


@pytest.mark.parametrize("fault", TRANSIENT, ids=lambda f: f.name)
def test_transient_fault_ends_in_one_complete_commit(fault, published, publisher, hub_sandbox, upload_lane):
    outcome = exercise(hub_sandbox, publisher.run, published, upload_lane, fault)

    assert outcome.faults_hit >= 1, "the fault never fired: the scenario tests nothing"
    assert outcome.ok, outcome.problems
    assert outcome.outcome in ("committed", "committed after the client gave up"), outcome.error
    assert outcome.lost == 0 and outcome.duplicated == 0


@pytest.mark.parametrize("fault", PERSISTENT, ids=lambda f: f.name)
def test_persistent_fault_ends_cleanly_and_a_rerun_converges(fault, published, publisher, hub_sandbox, upload_lane):
    run = publisher.run
    if fault.route == "upload" and upload_lane == "xet":
        # hf_xet retries the xet token request by itself for minutes: run the CLI in a fresh process
        # where its retry budget can be capped (see benchmarks/reliability.py for the uncapped figure).
        run = cli_publisher(hub_sandbox, env=XET_FAST_FAIL)
    outcome = exercise(hub_sandbox, run, published, upload_lane, fault)

    assert outcome.faults_hit >= 1
    assert outcome.ok, outcome.problems
    assert outcome.lost == 0 and outcome.duplicated == 0


def test_a_server_down_for_seconds_is_waited_out_within_the_run(published, publisher, hub_sandbox, upload_lane):
    # The server dies half-way through the commit and needs 2 s to come back: publish's own backoff
    # (0.5 + 1 + 2 + 4 s) spans that, so the run itself should end with the commit, not a failure.
    before = HubState.of(hub_sandbox)
    hub_sandbox.inject(method="POST", path=r"/commit/", crash="commit", restart_after=2.0)

    result = publisher.run(published, real_sleep=True).results[0]

    assert hub_sandbox.crashes == 1
    assert result.changed and result.commit_sha == hub_sandbox.head(REPO)
    assert HubState.of(hub_sandbox).commits == before.commits + 1
    assert_mirrors(hub_sandbox, published)
