"""Typed records of the org audit and the `org:` section of the policy.

Nothing here imports huggingface_hub: `fetch` turns the client's objects into these records, so the
rules and the reporters are pure functions over plain data (and the tests build records directly).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from hf_publish._record import Record, asdict, field
from hf_publish.policy.model import (
    OrgPolicy,
)

RepoType = Literal["model", "dataset", "space"]
REPO_TYPES: tuple[RepoType, ...] = ("model", "dataset", "space")
Severity = Literal["error", "warning", "notice"]

LFS_SOURCES = ("read", "storage", "unchecked")  # RepoRecord.lfs_source: how the LFS rules were decided


# --- what the Hub says about a repo ---------------------------------------------------------------


class RepoFile(Record):
    """One file of a repo's listing: `lfs` is True for LFS and xet files (stored outside git); `size`
    and `lfs` are None when the listing named the file without its metadata (the Hub's listings do)."""

    path: str
    size: int | None
    lfs: bool | None


class Commit(Record):
    """The last commit of a repo: what `--since` activity shows."""

    id: str
    title: str
    authors: tuple[str, ...]
    date: datetime | None = None


class RepoRecord(Record):
    """One repo of the org as the listing and the storage endpoint describe it.

    `files` is None when the listing gave no file list; `card` is the README's bytes (None: the repo
    has no README.md; b"" is an empty README); `card_error` says why the card could not be read.
    `storage` is the bytes the repo uses (storage endpoint, else the listing's usedStorage).
    `lfs_source` says how the LFS rules were decided (`rules.lfs_source`).
    """

    id: str
    type: RepoType
    private: bool
    gated: str | None = None  # None / "auto" / "manual"
    sha: str | None = None
    last_modified: datetime | None = None
    created_at: datetime | None = None
    disabled: bool = False
    storage: int | None = None
    files: tuple[RepoFile, ...] | None = None
    card: bytes | None = None
    card_error: str | None = None
    card_size: int | None = None  # set when the README is too large to read (its size)
    last_commit: Commit | None = None
    # how the LFS rules were decided (set by the audit's judge): "read" (file metadata read or
    # cached), "storage" (inferred: too small to hold an over-limit file), "unchecked"
    lfs_source: str | None = None

    @property
    def name(self) -> str:
        return self.id.split("/", 1)[-1]

    @property
    def key(self) -> tuple[str, str]:
        return self.type, self.id


# --- results -----------------------------------------------------------------------------------


class AuditFinding(Record):
    """One problem of one repo. `rule` is a stable id (e.g. `naming`, `visibility`, `card-missing`,
    `lfs-large-file`); `file` and `line` place it inside the repo when there is a place."""

    repo: str
    type: RepoType
    check: str
    rule: str
    severity: Severity
    message: str
    fix: str = ""
    file: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SEVERITY_RANK = {"error": 0, "warning": 1, "notice": 2}


def sort_audit_findings(findings: list[AuditFinding]) -> list[AuditFinding]:
    return sorted(
        findings, key=lambda f: (SEVERITY_RANK[f.severity], f.type, f.repo, f.check, f.file, f.line or 0, f.message)
    )


class StorageRow(Record):
    id: str
    type: RepoType
    private: bool
    bytes: int
    stale: bool = False


class StorageSummary(Record):
    """Storage of the org against the plan's private quota (bytes)."""

    private_bytes: int
    public_bytes: int
    quota_bytes: int
    plan: str
    seats: int
    source: str  # "settings" (the storage endpoint) or "listing" (usedStorage) or "unknown"
    rows: tuple[StorageRow, ...] = ()
    stale_bytes: int = 0
    stale_repos: int = 0

    @property
    def total_bytes(self) -> int:
        return self.private_bytes + self.public_bytes

    @property
    def used_ratio(self) -> float:
        return self.private_bytes / self.quota_bytes if self.quota_bytes else 0.0

    @property
    def over_quota(self) -> bool:
        return self.private_bytes > self.quota_bytes

    def largest(self, n: int = 10) -> list[StorageRow]:
        return sorted(self.rows, key=lambda r: (-r.bytes, r.type, r.id))[:n]


class Access(Record):
    """What the token can see: an audit with no token, or one that is not a member of the org,
    sees public repos only, and the report says so."""

    token: str  # "none", "read", "write", "fineGrained", "unknown"
    user: str | None
    member: bool
    role: str | None = None
    sees_private: bool = False
    notes: tuple[str, ...] = ()


class Requests(Record):
    """What the audit read: cards downloaded, and cards and last commits taken from the sha cache."""

    cards_downloaded: int = 0
    cards_cached: int = 0
    files_fetched: int = 0  # repo_info(files_metadata=True) requests
    commits_fetched: int = 0  # last-commit requests of active repos
    commits_cached: int = 0


class AuditResult(Record):
    organization: str
    endpoint: str
    generated_at: datetime
    since_days: float
    types: tuple[str, ...]
    policy: OrgPolicy
    policy_source: str | None
    access: Access
    repos: tuple[RepoRecord, ...]
    findings: tuple[AuditFinding, ...]
    storage: StorageSummary
    stale: tuple[str, ...] = ()  # "type:id" of stale repos
    activity: tuple[RepoRecord, ...] = ()
    requests: Requests = field(default_factory=Requests)

    def counts(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.findings) for s in ("error", "warning", "notice")}

    def lfs_counts(self) -> dict[str, int]:
        """Repos per way their LFS rules were decided: read (file metadata), storage (inferred), unchecked."""
        return {s: sum(r.lfs_source == s for r in self.repos) for s in LFS_SOURCES}
