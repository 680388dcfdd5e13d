"""Quota math as the Hub documents it: Free 100 GB private; Team/Enterprise 1 TB per seat."""

from __future__ import annotations

from hf_publish.org.storage import human_bytes, private_quota, summarize
from hf_publish.policy.model import OrgPolicy
from tests.org.records import record, result_of, sample_org


def test_quota_per_plan():
    assert private_quota("free", 1) == 100 * 10**9
    assert private_quota("free", 9) == 100 * 10**9  # seats do not change the free quota
    assert private_quota("team", 3) == 3 * 10**12
    assert private_quota("enterprise", 10) == 10 * 10**12
    assert private_quota("enterprise-plus", 2) == 2 * 10**12


def test_totals_split_private_and_public_and_only_private_counts_against_the_quota():
    repos = [
        record("acme/a-v1", storage=70 * 10**9),
        record("acme/b-v1", storage=40 * 10**9),
        record("acme/c-v1", private=False, storage=500 * 10**9),
    ]
    summary = summarize(repos, OrgPolicy(), set(), "settings")
    assert (summary.private_bytes, summary.public_bytes, summary.total_bytes) == (110 * 10**9, 500 * 10**9, 610 * 10**9)
    assert summary.over_quota and round(summary.used_ratio, 2) == 1.1
    team = summarize(repos, OrgPolicy(plan="team", seats=2), set(), "settings")
    assert not team.over_quota and team.quota_bytes == 2 * 10**12


def test_largest_repos_and_what_the_stale_ones_free():
    result = result_of(sample_org())
    storage = result.storage
    assert [row.id for row in storage.largest(2)] == ["acme/old-corpus-v1", "acme/bert-sentiment-v1"]
    assert storage.stale_repos == 1 and storage.stale_bytes == 60 * 10**9


def test_human_bytes_uses_the_hubs_decimal_units():
    assert human_bytes(0) == "0 B"
    assert human_bytes(1500) == "1.5 kB"
    assert human_bytes(4 * 10**9) == "4 GB"
    assert human_bytes(1_234_567_890_123) == "1.2 TB"
