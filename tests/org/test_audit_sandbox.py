"""The audit against the sandbox with the real huggingface_hub client: request counts per bucket
(the Hub rate-limits API and resolver requests), the sha cache, 429 Retry-After, what a token sees."""

from __future__ import annotations

import time

from huggingface_hub import HfApi

from hf_publish.org.audit import AuditOptions, run_audit
from hf_publish.policy.model import Policy
from tests.org.conftest import ORG, N, admin_token

LISTINGS = 3 + 1 + 1  # models, datasets, spaces; the storage listing; whoami


def audit(sandbox, token, **options):
    api = HfApi(endpoint=sandbox.endpoint, token=token or False)
    return run_audit(Policy(organization=ORG), AuditOptions(organization=ORG, token=token, **options), api)


def test_first_audit_costs_the_listings_one_download_per_card_and_the_file_metadata(audit_org):
    result = audit(audit_org, admin_token(audit_org))
    counts = audit_org.request_counts(reset=True)
    cards = sum(r.card is not None for r in result.repos)
    active = len(result.activity)
    assert len(result.repos) == N and cards == N - N // 10  # one in ten has no README: nothing to download
    assert counts["resolver"] == cards == result.requests.cards_downloaded
    assert counts["api"] == LISTINGS + N + active  # one repo_info per repo: the listings give no file sizes
    assert 0 < active < 5


def test_second_audit_of_an_unchanged_org_downloads_nothing(audit_org):
    first = audit(audit_org, admin_token(audit_org))
    audit_org.reset_request_counts()
    second = audit(audit_org, admin_token(audit_org))
    counts = audit_org.request_counts()
    assert counts == {"api": LISTINGS, "resolver": 0}
    assert second.requests.cards_downloaded == 0 and second.requests.cards_cached == first.requests.cards_downloaded
    assert second.findings == first.findings


def test_without_file_metadata_a_first_audit_is_within_20_api_requests(audit_org):
    result = audit(audit_org, admin_token(audit_org), file_metadata=False)
    counts = audit_org.request_counts()
    assert counts["api"] <= 20 and counts["resolver"] == result.requests.cards_downloaded
    assert {f.rule for f in result.findings if f.check == "lfs"} == {"lfs-not-listed"}


def test_findings_reflect_the_generated_org(audit_org):
    result = audit(audit_org, admin_token(audit_org))
    rules = {}
    for finding in result.findings:
        rules.setdefault(finding.rule, set()).add(finding.repo)
    assert len(rules["card-missing"]) == N // 10
    assert len(rules["visibility"]) == N // 3  # the public third; the policy says private
    assert rules["stale"] and all(r for r in rules["stale"])
    assert "lfs-large-file" not in rules  # 500 MiB weights are in LFS
    assert result.storage.source == "settings" and result.storage.quota_bytes == 100 * 10**9  # org.plan: free
    assert result.storage.private_bytes > 0 and result.storage.public_bytes > 0
    assert result.access.sees_private and result.access.notes == ()


def test_a_rate_limited_resolver_is_waited_out(audit_org):
    audit_org.limit_rate(resolver=40, window=1.0)
    started = time.monotonic()
    result = audit(audit_org, admin_token(audit_org), file_metadata=False, jobs=4)
    elapsed = time.monotonic() - started
    audit_org.limit_rate()
    limited = [r for r in audit_org.requests if r.status == 429]
    assert limited, "the sandbox never answered 429: the test would prove nothing"
    assert result.requests.cards_downloaded == N - N // 10  # every card arrived in the end
    assert elapsed >= 1.0


def test_without_a_token_only_public_repos_are_seen_and_the_report_says_so(audit_org):
    result = audit(audit_org, None)
    assert result.repos and all(not r.private for r in result.repos)
    assert result.access.token == "none" and not result.access.sees_private
    assert any("public repos only" in note for note in result.access.notes)
    assert result.storage.source == "listing"  # the storage listing needs an admin
    assert any("storage listing" in note for note in result.access.notes)


def test_a_token_of_a_non_member_sees_public_repos_only_and_says_so(audit_org):
    audit_org.auth.add_user("outsider")
    token = audit_org.auth.add_token("outsider-read", "outsider", role="read")
    result = audit(audit_org, token)
    assert all(not r.private for r in result.repos)
    assert any("not a member" in note for note in result.access.notes)
