"""The first audit's request budget on an org shaped like real ones (most repos small, a few holding
weights): the listings, one resolver request per card, file metadata only for the repos whose storage
could hold an over-limit file, and the last commit only of the repos changed within --since. Counted by
the sandbox's own per-bucket counters, with the real huggingface_hub client."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from huggingface_hub import HfApi

from hf_publish.org.audit import AuditOptions, run_audit
from hf_publish.policy.model import LfsPolicy, Policy

ORG = "budget-org"
N = 200
LISTINGS = 3 + 1 + 1  # models, datasets, spaces (one page each at this size); the storage listing; whoami
NOW = datetime.now(timezone.utc)
LARGE = {i for i in range(N) if i % 50 == 0}  # 4 repos holding 500 MiB of weights
CSV = 7  # a small repo with a 5 MB CSV in git: over the 1 MB bound, so read, and over this policy's text limit
ADAPTER = 11  # a small repo naming a *.bin (a required LFS pattern): read whatever its size
ACTIVE = {1, 2, 3}  # changed within the 7-day window
POLICY = Policy(organization=ORG, lfs=LfsPolicy(max_text_size=2_000_000))


def files(i: int) -> dict[str, int]:
    if i in LARGE:
        return {"config.json": 2_048, "model.safetensors": 500 * 2**20}
    if i == CSV:
        return {"config.json": 2_048, "data.csv": 5_000_000}
    if i == ADAPTER:
        return {"config.json": 2_048, "adapter.bin": 200_000}
    return {"config.json": 2_048, "tokenizer.json": 300_000}


@pytest.fixture
def mixed_org(hub_sandbox, tmp_path, monkeypatch):
    generate = pytest.importorskip("hf_publish.sandbox.generate", reason="this sandbox cannot generate orgs")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    generate.generate_org(
        hub_sandbox,
        ORG,
        N,
        private=lambda i: i % 3 != 0,
        files=files,
        last_modified=lambda i: NOW - timedelta(days=1 + i if i in ACTIVE else 10 + i),
    )
    hub_sandbox.reset_request_counts()
    return hub_sandbox


def audit(sandbox, **options):
    token = sandbox.tokens[f"{ORG}-admin-write"]
    return run_audit(
        POLICY, AuditOptions(organization=ORG, token=token, **options), HfApi(endpoint=sandbox.endpoint, token=token)
    )


def repo(result, i: int):
    return next(r for r in result.repos if r.id == f"{ORG}/repo-{i:05d}")


def test_first_audit_reads_file_metadata_only_where_storage_allows_an_over_limit_file(mixed_org):
    result = audit(mixed_org)
    counts = mixed_org.request_counts(reset=True)
    read = LARGE | {CSV, ADAPTER}
    cards = sum(r.card is not None for r in result.repos)
    assert counts["resolver"] == cards == result.requests.cards_downloaded
    assert result.requests.files_fetched == len(read) and result.requests.commits_fetched == len(ACTIVE)
    assert counts["api"] == LISTINGS + len(read) + len(ACTIVE) <= 20
    assert {int(r.id[-5:]) for r in result.repos if r.lfs_source == "read"} == read
    assert result.lfs_counts() == {"read": len(read), "storage": N - len(read), "unchecked": 0}
    assert {int(r.id[-5:]) for r in result.activity} == ACTIVE
    assert all(r.last_commit is not None for r in result.activity)


def test_inferring_from_storage_hides_no_lfs_finding(mixed_org):
    result = audit(mixed_org)
    large = [f for f in result.findings if f.rule == "lfs-large-file"]
    assert [(f.repo, f.file) for f in large] == [(f"{ORG}/repo-{CSV:05d}", "data.csv")]
    assert repo(result, ADAPTER).lfs_source == "read"  # *.bin: the default .gitattributes put it in LFS
    assert not [f for f in result.findings if f.check == "lfs" and f.rule != "lfs-large-file"]
    assert repo(result, 5).lfs_source == "storage" and (repo(result, 5).storage or 0) < 1_000_000


def test_second_audit_of_the_unchanged_org_costs_the_listings_only(mixed_org):
    first = audit(mixed_org)
    mixed_org.reset_request_counts()
    second = audit(mixed_org)
    assert mixed_org.request_counts() == {"api": LISTINGS, "resolver": 0}
    assert second.findings == first.findings
    assert [r.lfs_source for r in second.repos] == [r.lfs_source for r in first.repos]


def test_the_json_report_says_which_repos_were_inferred_and_which_read(mixed_org):
    from hf_publish.org.report_json import to_data

    data = to_data(audit(mixed_org))
    by_id = {r["id"]: r["lfs"] for r in data["repos"]}
    assert by_id[f"{ORG}/repo-00000"] == "read" and by_id[f"{ORG}/repo-00005"] == "storage"
    assert data["summary"]["lfs"] == {"read": 6, "storage": N - 6, "unchecked": 0}


def test_without_file_metadata_the_large_repos_are_unchecked_and_the_small_still_inferred(mixed_org):
    result = audit(mixed_org, file_metadata=False)
    assert mixed_org.request_counts()["api"] == LISTINGS + len(ACTIVE)
    assert result.lfs_counts() == {"read": 0, "storage": N - 6, "unchecked": 6}
