"""The pure parts of the org commands: access decisions, expiry, the log record, the members diff."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hf_publish.checks.members import Member
from hf_publish.errors import UsageError
from hf_publish.org.access import (
    DecisionLog,
    Request,
    decide,
    expired,
    log_record,
    plan_review,
)
from hf_publish.org.members import HubMember, diff_members, format_diff
from hf_publish.policy.model import AccessPolicy

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
POLICY = AccessPolicy(auto_accept_domains=("acme.example",), reject_domains=("spam.example",), expire_after_days=90)


def req(user: str, email: str | None, days_ago: int = 1, status: str = "pending") -> Request:
    return Request(user, f"id-{user}", email, user.title(), status, NOW - timedelta(days=days_ago))


def test_reject_then_accept_by_domain_otherwise_a_human():
    assert decide(req("bob", "bob@ACME.example"), POLICY, NOW).action == "accept"
    assert decide(req("m", "m@spam.example"), POLICY, NOW).action == "reject"
    both = AccessPolicy(auto_accept_domains=("x.example",), reject_domains=("x.example",))
    assert decide(req("x", "x@x.example"), both, NOW).action == "reject"  # reject wins
    left = decide(req("eve", "eve@elsewhere.example"), POLICY, NOW)
    assert left.action == "leave" and "no rule for email domain elsewhere.example" in left.why
    assert decide(req("anon", None), POLICY, NOW).action == "leave"
    assert decide(req("sub", "a@eu.acme.example"), POLICY, NOW).action == "leave"  # exact domains only


def test_expiry_revokes_old_access_and_does_not_re_accept_it():
    assert expired(req("old", "o@acme.example", 91, "accepted"), POLICY, NOW).action == "revoke"
    assert expired(req("new", "n@acme.example", 89, "accepted"), POLICY, NOW) is None
    assert expired(req("old", "o@acme.example", 900, "accepted"), AccessPolicy(), NOW) is None
    # revoked access goes back to pending with its old date: auto_accept would grant what expires at once
    assert decide(req("old", "o@acme.example", 91), POLICY, NOW).action == "leave"
    plan = plan_review(
        "acme-ai/m-v1",
        "model",
        [req("bob", "bob@acme.example")],
        [req("old", "o@acme.example", 120, "accepted")],
        POLICY,
        NOW,
    )
    assert [(d.request.username, d.action) for d in plan] == [("bob", "accept"), ("old", "revoke")]


def test_log_record_says_who_what_why_when_repo_actor_and_the_log_only_appends(tmp_path: Path):
    (decision,) = plan_review("acme-ai/m-v1", "model", [req("bob", "bob@acme.example")], [], POLICY, NOW)
    record = log_record(decision, actor="alice", applied=True, when=NOW)
    assert {k: record[k] for k in ("who", "what", "repo", "actor", "when")} == {
        "who": "bob",
        "what": "accept",
        "repo": "acme-ai/m-v1",
        "actor": "alice",
        "when": "2026-12-01T00:00:00+00:00",
    }
    assert "acme.example" in record["why"]
    path = tmp_path / "decisions.jsonl"
    path.write_text('{"earlier": true}\n')
    for _ in range(2):
        log = DecisionLog(path)
        log.append(record)
        log.close()
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {"earlier": True} and len(lines) == 3 and json.loads(lines[2]) == record
    (tmp_path / "link.jsonl").symlink_to(path)
    with pytest.raises(UsageError, match="symlink"):
        DecisionLog(tmp_path / "link.jsonl")


def member(email: str, role: str, username: str | None, line: int) -> Member:
    return Member(email, role, email.split("@")[0].title(), username, line)


def test_members_diff_missing_extra_roles_and_unmatched():
    rows = [
        member("alice@acme.example", "admin", "alice", 2),
        member("bob@acme.example", "write", "Bob", 3),
        member("new@acme.example", "read", "newbie", 4),
        member("nouser@acme.example", "read", None, 5),
    ]
    hub = [HubMember("alice", role="admin"), HubMember("bob", role="read"), HubMember("mallory", role="write")]
    diff = diff_members(rows, hub)
    assert [m.username for m in diff.missing] == ["newbie"]
    assert [m.username for m in diff.extra] == ["mallory"]
    assert [(r.username, m.role) for r, m in diff.roles] == [("Bob", "read")]
    assert [m.email for m in diff.unmatched] == ["nouser@acme.example"]
    text = "\n".join(format_diff(diff, "acme-ai", "http://127.0.0.1:9", "members.csv"))
    assert "http://127.0.0.1:9/organizations/acme-ai/settings/members" in text
    assert "has no call to invite" in text and "invite new@acme.example" in text and "remove mallory" in text
    in_sync = diff_members(rows[:1], [HubMember("alice", role=None)])
    assert not in_sync.differs and in_sync.roles_unknown


def test_expiry_runs_from_the_logged_grant_when_it_is_later_than_the_request(tmp_path: Path):
    from hf_publish.org.access import granted_dates

    old = req("eve", "eve@elsewhere.example", 120, "accepted")  # asked 120 days ago
    assert expired(old, POLICY, NOW, "acme-ai/m-v1", granted_at=NOW - timedelta(days=5)) is None
    late = expired(old, POLICY, NOW, "acme-ai/m-v1", granted_at=NOW - timedelta(days=100))
    assert late is not None and "accepted on 2026-08-23" in late.why and "100 days old" in late.why
    path = tmp_path / "decisions.jsonl"
    grant = plan_review("acme-ai/M-v1", "model", [req("Eve", "eve@acme.example")], [], POLICY, NOW)[0]
    lines = [
        "not json",
        '{"what": "accept", "applied": false, "repo": "acme-ai/m-v1", "who": "eve", '
        '"when": "2026-11-30T00:00:00+00:00"}',
        json.dumps(log_record(grant, actor="alice", applied=True, when=NOW - timedelta(days=5))),
    ]
    path.write_text("\n".join(lines) + "\n")
    dates = granted_dates(path)
    assert dates == {("acme-ai/m-v1", "eve"): NOW - timedelta(days=5)}  # the failed accept does not count
    plan = plan_review("acme-ai/m-v1", "model", [], [old], POLICY, NOW, dates)
    assert plan == []
    assert granted_dates(tmp_path / "missing.jsonl") == {}
