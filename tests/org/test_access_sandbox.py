"""`access review` and `access grant` against the sandbox, with the real client, the CLI as a subprocess."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from hf_publish.sandbox import Sandbox

pytestmark = pytest.mark.skipif(
    not hasattr(Sandbox, "request_access"), reason="the sandbox does not serve access requests yet (sandbox-org branch)"
)

REPO = "acme-ai/gated-model-v1"
POLICY = """\
organization: acme-ai
repos:
  - name: gated-model-v1
    gated: manual
access:
  auto_accept:
    email_domains: [partner.example]
  reject:
    email_domains: [spam.example]
  expire_after_days: 30
"""


def gated_repo(sandbox, hub_api_token: str = "alice-fg-org", gated: str = "manual") -> None:
    from huggingface_hub import HfApi

    sandbox.create_repo_as("alice", REPO)
    HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens[hub_api_token]).update_repo_settings(REPO, gated=gated)


def statuses(sandbox) -> dict[str, str]:
    from huggingface_hub import HfApi

    api = HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["alice-fg-org"])
    out = {}
    for status in ("pending", "accepted", "rejected"):
        for r in getattr(api, f"list_{status}_access_requests")(REPO):
            out[r.username] = status
    return out


def handled(sandbox) -> list:
    return [r for r in sandbox.requests if r.method == "POST" and "/user-access-request/" in r.path]


@pytest.fixture
def requests_made(org_sandbox):
    from huggingface_hub import HfApi

    gated_repo(org_sandbox)
    now = datetime.now(timezone.utc)
    for user in ("frank", "mallory", "eve"):
        org_sandbox.request_access(REPO, user)
    org_sandbox.request_access(REPO, "grace", timestamp=now - timedelta(days=40))
    HfApi(endpoint=org_sandbox.endpoint, token=org_sandbox.tokens["alice-fg-org"]).accept_access_request(REPO, "grace")
    assert statuses(org_sandbox) == {"frank": "pending", "mallory": "pending", "eve": "pending", "grace": "accepted"}
    org_sandbox.clear_log()
    return org_sandbox


def test_dry_run_prints_the_plan_and_writes_nothing(requests_made, cli, policy_repo, tmp_path):
    sandbox = requests_made
    repo = policy_repo(POLICY)
    sandbox.clear_log()
    result = cli("alice-fg-org", "access", "review", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"{REPO} (gated: manual): 3 pending, 1 accepted" in out
    assert "accept  frank <frank@partner.example>: email domain partner.example is in access.auto_accept" in out
    assert "reject  mallory <mallory@spam.example>: email domain spam.example is in access.reject" in out
    assert "leave   eve <eve@elsewhere.example>: no rule for email domain elsewhere.example: a human decides" in out
    assert "revoke  grace <grace@partner.example>: accepted access (requested on " in out
    assert "over access.expire_after_days (30)" in out
    assert "dry run: 1 accept, 1 reject, 1 revoke, 1 left for a human; nothing was changed or logged" in out
    assert f"{sandbox.endpoint}/{REPO}/settings" in out
    assert handled(sandbox) == [] and not [r for r in sandbox.requests if r.method != "GET"]
    assert statuses(sandbox)["frank"] == "pending"
    refused = cli("alice-fg-org", "access", "review", "--apply", cwd=repo)
    assert refused.returncode == 2 and "--log" in refused.stderr


def test_apply_decides_logs_every_decision_and_matches_the_hub(requests_made, cli, policy_repo):
    sandbox = requests_made
    repo = policy_repo(POLICY)
    log = repo / "decisions.jsonl"
    log.write_text('{"earlier": "run"}\n')
    result = cli("alice-fg-org", "access", "review", "--apply", "--log", str(log), cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "applied: 1 accept, 1 reject, 1 revoke, 1 left for a human" in result.stdout
    after = statuses(sandbox)
    assert after == {"frank": "accepted", "mallory": "rejected", "eve": "pending", "grace": "pending"}
    lines = log.read_text().splitlines()
    assert json.loads(lines[0]) == {"earlier": "run"}  # appended, never truncated
    records = [json.loads(line) for line in lines[1:]]
    assert {r["who"]: r["what"] for r in records} == {
        "frank": "accept",
        "mallory": "reject",
        "eve": "leave",
        "grace": "revoke",
    }
    expected = {"accept": "accepted", "reject": "rejected", "revoke": "pending", "leave": "pending"}
    for record in records:
        assert after[record["who"]] == expected[record["what"]]
        assert record["actor"] == "alice" and record["repo"] == REPO and record["why"] and record["when"]
        assert record["applied"] is (record["what"] != "leave")
    assert len(handled(sandbox)) == 3
    # the next day's run: grace's old request is pending again, and auto_accept does not re-grant it
    again = cli("alice-fg-org", "access", "review", "--apply", "--log", str(log), cwd=repo)
    assert again.returncode == 0 and "leave   grace" in again.stdout and statuses(sandbox)["grace"] == "pending"
    assert len(log.read_text().splitlines()) == 1 + 4 + 2


def test_a_reader_token_gets_the_hubs_refusal_with_the_next_step(requests_made, cli, policy_repo):
    result = cli("dave-fg-org", "access", "review", cwd=policy_repo(POLICY))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Next:" in result.stderr and "Traceback" not in result.stderr
    assert requests_made.tokens["dave-fg-org"] not in result.stdout + result.stderr


def test_grant_needs_a_gated_repo_and_apply(org_sandbox, cli, policy_repo):
    repo = policy_repo(POLICY)
    org_sandbox.create_repo_as("alice", "acme-ai/open-model-v1")
    refused = cli("alice-fg-org", "access", "grant", "eve", "acme-ai/open-model-v1", "--apply", cwd=repo)
    assert refused.returncode == 2 and "is not gated" in refused.stderr and "gated: manual" in refused.stderr
    gated_repo(org_sandbox)
    org_sandbox.clear_log()
    plan = cli("alice-fg-org", "access", "grant", "eve", "gated-model-v1", cwd=repo)
    assert plan.returncode == 0 and "dry run" in plan.stdout and handled(org_sandbox) == []
    log = repo / "grants.jsonl"
    done = cli(
        "alice-fg-org",
        "access",
        "grant",
        "eve",
        "gated-model-v1",
        "--apply",
        "--log",
        str(log),
        "--reason",
        "ticket 42",
        cwd=repo,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert statuses(org_sandbox)["eve"] == "accepted"
    (record,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert record["what"] == "grant" and record["who"] == "eve" and "ticket 42" in record["why"]


def test_the_whole_plan_is_printed_before_the_first_write_and_a_failed_write_is_logged(requests_made, cli, policy_repo):
    sandbox = requests_made
    repo = policy_repo(POLICY)
    log = repo / "decisions.jsonl"
    sandbox.inject("POST", r"/user-access-request/handle$", status=403, times=1)  # the first write fails
    result = cli("alice-fg-org", "access", "review", "--apply", "--log", str(log), cwd=repo)
    assert result.returncode == 4, result.stdout + result.stderr
    for line in ("accept  frank", "reject  mallory", "leave   eve", "revoke  grace"):
        assert line in result.stdout  # the plan, complete, although the first write failed
    assert "stopped at decision 1 of 4 (accept frank" in result.stderr and "Next:" in result.stderr
    (record,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert record["who"] == "frank" and record["applied"] is False and "forbidden" in record["error"].lower()
    assert statuses(sandbox) == {"frank": "pending", "mallory": "pending", "eve": "pending", "grace": "accepted"}


def test_expiry_counts_from_hf_publishs_grant_not_from_the_request_date(org_sandbox, cli, policy_repo):
    gated_repo(org_sandbox)
    org_sandbox.request_access(REPO, "eve", timestamp=datetime.now(timezone.utc) - timedelta(days=40))
    repo = policy_repo(POLICY)
    log = repo / "decisions.jsonl"
    granted = cli("alice-fg-org", "access", "grant", "eve", REPO, "--apply", "--log", str(log), cwd=repo)
    assert granted.returncode == 0, granted.stdout + granted.stderr
    # the Hub still lists eve's accepted request with the date she asked, 40 days ago
    plain = cli("alice-fg-org", "access", "review", cwd=repo)
    assert "revoke  eve <eve@elsewhere.example>: accepted access (requested on" in plain.stdout
    org_sandbox.clear_log()
    review = cli("alice-fg-org", "access", "review", "--apply", "--log", str(log), cwd=repo)
    assert review.returncode == 0, review.stdout + review.stderr
    assert "revoke  eve" not in review.stdout and "0 revoke" in review.stdout
    assert statuses(org_sandbox)["eve"] == "accepted" and handled(org_sandbox) == []


def test_review_of_an_unknown_name_says_what_to_name(org_sandbox, cli, policy_repo):
    result = cli("alice-fg-org", "access", "review", "gated-model", cwd=policy_repo(POLICY))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no repo named 'gated-model' in the policy (configured: gated-model-v1)" in result.stderr
    assert "Next: name a configured repo, or give its full id (ORG/NAME)" in result.stderr


def test_grant_errors_name_the_next_step_and_an_unwritable_log_stops_before_the_grant(org_sandbox, cli, policy_repo):
    gated_repo(org_sandbox)
    repo = policy_repo(POLICY)
    (repo / "logdir").mkdir()
    unlogged = cli("alice-fg-org", "access", "grant", "eve", REPO, "--apply", "--log", str(repo / "logdir"), cwd=repo)
    assert unlogged.returncode == 2 and "not a file" in unlogged.stderr and "Next:" in unlogged.stderr
    assert "eve" not in statuses(org_sandbox)  # not granted behind an unwritable log
    nobody = cli("alice-fg-org", "access", "grant", "no-such-user", REPO, "--apply", cwd=repo)
    assert nobody.returncode == 4 and "Next: check the username" in nobody.stderr
    unlogged_grant = cli("alice-fg-org", "access", "grant", "eve", REPO, "--apply", cwd=repo)
    assert unlogged_grant.returncode == 0 and "not logged (add --log FILE" in unlogged_grant.stdout
    twice = cli("alice-fg-org", "access", "grant", "eve", REPO, "--apply", cwd=repo)
    assert twice.returncode == 4 and "Next: nothing to grant if eve already has access" in twice.stderr


def can_download(sandbox, token: str, tmp_path) -> bool:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import GatedRepoError

    try:
        hf_hub_download(
            REPO,
            "model.safetensors",
            token=sandbox.tokens[token],
            endpoint=sandbox.endpoint,
            cache_dir=tmp_path / f"cache-{token}",
        )
        return True
    except GatedRepoError:
        return False


def test_applied_decisions_decide_who_downloads_the_weights(requests_made, cli, policy_repo, upload_lane, tmp_path):
    from huggingface_hub import HfApi

    sandbox = requests_made
    api = HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["alice-fg-org"])
    api.update_repo_settings(REPO, private=False)  # public and gated: outsiders see it, the gate decides
    api.upload_file(path_or_fileobj=b"\x00" * 2_000_000, path_in_repo="model.safetensors", repo_id=REPO)
    assert can_download(sandbox, "grace-read", tmp_path / "before")  # accepted 40 days ago
    assert not can_download(sandbox, "frank-read", tmp_path / "before")  # pending
    result = cli(
        "alice-fg-org", "access", "review", "--apply", "--log", str(tmp_path / "log.jsonl"), cwd=policy_repo(POLICY)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert can_download(sandbox, "frank-read", tmp_path / "after")  # auto-accepted by domain
    assert not can_download(sandbox, "grace-read", tmp_path / "after")  # expired: revoked
    assert not can_download(sandbox, "mallory-read", tmp_path / "after")  # rejected
