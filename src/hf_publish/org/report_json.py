"""The audit as JSON: a stable, versioned shape (docs/org-audit.md), checked against the shipped
JSON Schema `hf_publish/data/org-audit.schema.json` by the tests. `version` changes only when a
field is removed or changes meaning; new fields may be added within a version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hf_publish.org.model import AuditResult, RepoRecord
from hf_publish.report import json_text

JSON_VERSION = 1
LARGEST = 10


def repo_url(endpoint: str, repo: RepoRecord) -> str:
    from hf_publish.publishing.hub import repo_url as url

    return url(endpoint, repo.id, repo.type)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def to_data(result: AuditResult) -> dict[str, Any]:
    counts = result.counts()
    stale = set(result.stale)
    active = {r.key for r in result.activity}
    per_repo: dict[tuple[str, str], dict[str, int]] = {}
    for finding in result.findings:
        bucket = per_repo.setdefault((finding.type, finding.repo), {"error": 0, "warning": 0, "notice": 0})
        bucket[finding.severity] += 1
    storage = result.storage
    by_type = {t: sum(r.type == t for r in result.repos) for t in result.types}
    return {
        "version": JSON_VERSION,
        "organization": result.organization,
        "endpoint": result.endpoint,
        "generated_at": _iso(result.generated_at),
        "since_days": result.since_days,
        "types": list(result.types),
        "policy": {
            "source": result.policy_source,
            "visibility": result.policy.visibility,
            "gated": result.policy.gated,
            "exceptions": [
                {"match": e.match, "type": e.type, "visibility": e.visibility, "gated": e.gated}
                for e in result.policy.exceptions
            ],
            "stale_after_days": result.policy.stale_after_days,
            "plan": result.policy.plan,
            "seats": result.policy.seats,
        },
        "access": {
            "token_kind": result.access.token,
            "user": result.access.user,
            "member": result.access.member,
            "role": result.access.role,
            "sees_private": result.access.sees_private,
            "notes": list(result.access.notes),
        },
        "summary": {
            "repos": len(result.repos),
            "by_type": by_type,
            "findings": counts,
            "stale_repos": len(stale),
            "active_repos": len(active),
            "lfs": result.lfs_counts(),
        },
        "storage": {
            "source": storage.source,
            "plan": storage.plan,
            "seats": storage.seats,
            "private_bytes": storage.private_bytes,
            "public_bytes": storage.public_bytes,
            "total_bytes": storage.total_bytes,
            "quota_bytes": storage.quota_bytes,
            "quota_used_ratio": round(storage.used_ratio, 6),
            "over_quota": storage.over_quota,
            "stale_bytes": storage.stale_bytes,
            "stale_repos": storage.stale_repos,
            "largest": [
                {"id": row.id, "type": row.type, "private": row.private, "bytes": row.bytes, "stale": row.stale}
                for row in storage.largest(LARGEST)
            ],
        },
        "repos": [
            {
                "id": repo.id,
                "type": repo.type,
                "url": repo_url(result.endpoint, repo),
                "private": repo.private,
                "gated": repo.gated or False,
                "disabled": repo.disabled,
                "sha": repo.sha,
                "last_modified": _iso(repo.last_modified),
                "created_at": _iso(repo.created_at),
                "storage_bytes": repo.storage,
                "has_card": repo.card is not None,
                "lfs": repo.lfs_source or "unchecked",
                "stale": f"{repo.type}:{repo.id}" in stale,
                "active": repo.key in active,
                "findings": per_repo.get(repo.key, {"error": 0, "warning": 0, "notice": 0}),
            }
            for repo in result.repos
        ],
        "findings": [finding.to_dict() for finding in result.findings],
        "activity": [
            {
                "id": repo.id,
                "type": repo.type,
                "last_modified": _iso(repo.last_modified),
                "commit": None
                if repo.last_commit is None
                else {
                    "id": repo.last_commit.id,
                    "title": repo.last_commit.title,
                    "authors": list(repo.last_commit.authors),
                    "date": _iso(repo.last_commit.date),
                },
            }
            for repo in result.activity
        ],
        "cache": {
            "cards_downloaded": result.requests.cards_downloaded,
            "cards_cached": result.requests.cards_cached,
            "files_fetched": result.requests.files_fetched,
            "commits_fetched": result.requests.commits_fetched,
            "commits_cached": result.requests.commits_cached,
        },
    }


def render(result: AuditResult) -> str:
    """The JSON text: runner-safe (`report.json_text`) with the same value as `to_data`."""
    return json_text(to_data(result)) + "\n"
