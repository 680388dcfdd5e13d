"""One audit: fetch the org (read-only), apply the rules, sum the storage, into one `AuditResult`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hf_publish._record import Record, field, replace
from hf_publish.org.fetch import DEFAULT_JOBS, AuditCache, Fetcher
from hf_publish.org.model import REPO_TYPES, AuditFinding, AuditResult, RepoRecord, Requests, sort_audit_findings
from hf_publish.org.rules import (
    Rules,
    is_active,
    is_stale,
    lfs_source,
    needs_file_metadata,
)
from hf_publish.org.storage import summarize
from hf_publish.policy.model import Policy

DEFAULT_SINCE = timedelta(days=7)
RETRY_BUDGET = 300.0  # seconds the audit may spend waiting out 429s and failures, in total


class AuditOptions(Record, frozen=False):
    organization: str
    types: tuple[str, ...] = REPO_TYPES
    since: timedelta = DEFAULT_SINCE
    token: str | None = None
    jobs: int = DEFAULT_JOBS
    use_cache: bool = True
    file_metadata: bool = True  # repo_info(files_metadata=True) for repos storage does not settle: the LFS rules
    progress_stream: Any = None
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def run_audit(policy: Policy, options: AuditOptions, api: Any) -> AuditResult:
    """Read the org through `api` (an HfApi) and judge it. Makes no change on the Hub."""
    from hf_publish.publishing.hub import Hub, RetryBudget, Timeouts, bounded_http

    org = options.organization
    cache = AuditCache.for_org(api.endpoint, org, enabled=options.use_cache)
    fetcher = Fetcher(Hub(api), cache=cache, jobs=options.jobs, progress_stream=options.progress_stream)
    with bounded_http(Timeouts(), RetryBudget(RETRY_BUDGET)):
        access = fetcher.access(org, options.token)
        repos = fetcher.list_repos(org, options.types)
        storage, storage_note = fetcher.storage(org)
        if storage is not None:
            repos = [replace(r, storage=storage[r.key][0]) if r.key in storage else r for r in repos]
        if options.file_metadata:  # only repos large enough to hold an over-limit file (rules.lfs_from_storage)
            repos = fetcher.complete_files(repos, lambda r: needs_file_metadata(r, policy))
        repos = fetcher.cards(repos)
        active = [r for r in repos if is_active(r, options.now, options.since)]
        active = fetcher.last_commits(active)
    cache.save()
    by_key = {r.key: r for r in active}
    repos = sorted((by_key.get(r.key, r) for r in repos), key=lambda r: (REPO_TYPES.index(r.type), r.id.lower()))
    notes = list(access.notes)
    if storage_note:
        notes.append(storage_note)
    access = replace(access, notes=tuple(notes))
    return judge(
        policy,
        options,
        repos,
        access=access,
        storage_source="settings" if storage is not None else "listing",
        requests=Requests(
            cards_downloaded=fetcher.counters.cards_downloaded,
            cards_cached=fetcher.counters.cards_cached,
            files_fetched=fetcher.counters.files_fetched,
            commits_fetched=fetcher.counters.commits_fetched,
            commits_cached=fetcher.counters.commits_cached,
        ),
        endpoint=api.endpoint,
    )


def judge(
    policy: Policy,
    options: AuditOptions,
    repos: list[RepoRecord],
    *,
    access: Any,
    storage_source: str,
    requests: Requests,
    endpoint: str,
) -> AuditResult:
    """The pure half of the audit: records in, result out (the tests call it with built records)."""
    rules = Rules(policy, options.organization, options.now)
    repos = [replace(r, lfs_source=lfs_source(r, policy)) for r in repos]
    findings: list[AuditFinding] = []
    for repo in repos:
        findings.extend(rules.repo_findings(repo))
    for finding in rules.config_findings:
        findings.append(
            AuditFinding(
                policy.source or ".hf-publish.yaml",
                "model",
                "config",
                "config",
                "error",
                finding.message,
                finding.fix,
                policy.source or ".hf-publish.yaml",
                finding.line,
            )
        )
    stale = {r.key for r in repos if is_stale(r, policy, options.now)}
    summary = summarize(repos, policy.org, stale, storage_source)
    activity = sorted(
        (r for r in repos if is_active(r, options.now, options.since)),
        key=lambda r: r.last_modified or options.now,
        reverse=True,
    )
    return AuditResult(
        organization=options.organization,
        endpoint=endpoint.rstrip("/"),
        generated_at=options.now,
        since_days=options.since.total_seconds() / 86400,
        types=tuple(options.types),
        policy=policy.org,
        policy_source=policy.source,
        access=access,
        repos=tuple(repos),
        findings=tuple(sort_audit_findings(findings)),
        storage=summary,
        stale=tuple(f"{t}:{i}" for t, i in sorted(stale)),
        activity=tuple(activity),
        requests=requests,
    )
