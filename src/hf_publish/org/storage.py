"""Quota math: the org's private storage against its plan, the largest repos, what stale ones free.

The Hub's storage limits (hub-api.md, "Plans and quotas"): private storage is 100 GB on the Free
plan and 1 TB per seat on Team, Enterprise and Enterprise Plus (plus pay-as-you-go beyond it);
public storage is best effort and not counted against the quota. The Hub counts in decimal units.
"""

from __future__ import annotations

from hf_publish.org.model import RepoRecord, StorageRow, StorageSummary
from hf_publish.policy.model import OrgPolicy

GB = 10**9
TB = 10**12
FREE_PRIVATE_QUOTA = 100 * GB
PER_SEAT_PRIVATE_QUOTA = 1 * TB


def private_quota(plan: str, seats: int) -> int:
    """The plan's private storage quota in bytes (pay-as-you-go beyond it is not counted)."""
    if plan == "free":
        return FREE_PRIVATE_QUOTA
    return PER_SEAT_PRIVATE_QUOTA * max(1, seats)


def summarize(
    repos: list[RepoRecord] | tuple[RepoRecord, ...], policy: OrgPolicy, stale: set[tuple[str, str]], source: str
) -> StorageSummary:
    """Totals per visibility, one row per repo, and the bytes the stale repos hold."""
    rows = tuple(StorageRow(r.id, r.type, r.private, r.storage or 0, r.key in stale) for r in repos)
    private = sum(row.bytes for row in rows if row.private)
    public = sum(row.bytes for row in rows if not row.private)
    stale_rows = [row for row in rows if row.stale]
    return StorageSummary(
        private_bytes=private,
        public_bytes=public,
        quota_bytes=private_quota(policy.plan, policy.seats),
        plan=policy.plan,
        seats=policy.seats,
        source=source,
        rows=rows,
        stale_bytes=sum(row.bytes for row in stale_rows),
        stale_repos=len(stale_rows),
    )


def human_bytes(size: int | None) -> str:
    """Decimal units, as the Hub shows storage: 1.5 GB, 120 MB, 0 B."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if value < 1000 or unit == "PB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= 1000
    return f"{size} B"  # pragma: no cover
