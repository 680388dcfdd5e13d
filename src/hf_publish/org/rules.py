"""Pure rules of the org audit: one repo record + the policy -> findings.

The commit-time checks hold the rules; this module only feeds them what the Hub says about a repo:
- naming: `checks.repo_name.check_repo` (the org pattern, forbidden words, the suggested name);
- the card: `checks.model_card.check_card` on the README bytes the Hub serves (metadata, sections,
  placeholders), and the card rules' `card-missing` when the repo has none;
- LFS: `checks.lfs.judge_staged_file` on each file of the listing that is stored in git (not LFS or
  xet), with its size from the listing, and `checks.lfs.required_in_folders` / `matching_files` for
  the required patterns that the repo's `.gitattributes` did not cover when a file was uploaded;
- visibility, gating and staleness are the `org:` section's own rules (`OrgPolicy`).
Nothing here reads the network or the disk.
"""

from __future__ import annotations

import shlex
from datetime import datetime, timedelta
from typing import Literal

from hf_publish._record import replace
from hf_publish.cards import rules as card_rules
from hf_publish.cards.parse import too_large
from hf_publish.checks import lfs as lfs_check
from hf_publish.checks.model_card import check_card
from hf_publish.checks.repo_name import check_repo
from hf_publish.errors import PatternTimeout
from hf_publish.findings import Finding
from hf_publish.org.model import AuditFinding, RepoRecord
from hf_publish.org.storage import human_bytes
from hf_publish.policy.model import Policy, RepoSpec, gated_drift

CARD_FILE = "README.md"
GITATTRIBUTES = ".gitattributes"


class Rules:
    """The audit's rules for one policy. Holds one piece of state on purpose: a naming pattern that
    ran past the time bound is reported once and not tried again on the other repos."""

    def __init__(self, policy: Policy, organization: str, now: datetime) -> None:
        self.policy = replace(policy, organization=organization)
        self.organization = organization
        self.now = now
        self.use_pattern = True
        self.config_findings: list[Finding] = []

    # -- one repo ---------------------------------------------------------------------------

    def repo_findings(self, repo: RepoRecord) -> list[AuditFinding]:
        findings = []
        findings += self.naming(repo)
        findings += visibility_findings(repo, self.policy)
        findings += card_findings(repo, self.policy)
        findings += lfs_findings(repo, self.policy)
        stale = stale_finding(repo, self.policy, self.now)
        if stale:
            findings.append(stale)
        if repo.disabled:
            findings.append(
                _finding(
                    repo,
                    "repo",
                    "disabled",
                    "notice",
                    "the Hub has disabled this repo",
                    "contact the Hub support or an org admin",
                )
            )
        return findings

    def naming(self, repo: RepoRecord) -> list[AuditFinding]:
        spec = RepoSpec(name=repo.name, type=repo.type)
        try:
            found = check_repo(spec, self.policy, "", use_pattern=self.use_pattern)
        except PatternTimeout as exc:
            self.config_findings.extend(exc.findings)
            self.use_pattern = False
            found = check_repo(spec, self.policy, "", use_pattern=False)
        out = []
        for finding in found:
            rule = (
                "name-forbidden-word"
                if "forbidden" in finding.message
                else ("name-pattern" if "pattern" in finding.message else "name-invalid")
            )
            fix = finding.fix.replace("name: ", "")
            out.append(
                _finding(
                    repo,
                    "naming",
                    rule,
                    finding.severity,
                    finding.message,
                    f"{fix}; rename with: hf repos move {shlex.quote(repo.id)} "
                    f"{shlex.quote(self.organization + '/' + suggested_name(finding.fix))}"
                    + ("" if repo.type == "model" else f" --type {repo.type}"),
                )
            )
        return out


def suggested_name(fix: str) -> str:
    """The name `check_repo` suggests in its fix ("use a name like 'x-v1' ...")."""
    if "'" in fix:
        return fix.split("'")[1]
    return fix.rsplit(" ", 1)[-1]


def _finding(
    repo: RepoRecord,
    check: str,
    rule: str,
    severity: str,
    message: str,
    fix: str = "",
    file: str = "",
    line: int | None = None,
) -> AuditFinding:
    return AuditFinding(repo.id, repo.type, check, rule, severity, message, fix, file, line)  # type: ignore[arg-type]


def _settings(repo: RepoRecord, flag: str) -> str:
    return f"hf repos settings {shlex.quote(repo.id)} --type {repo.type} {flag}"


# --- visibility and gating ------------------------------------------------------------------------


def gated_rule(repo: RepoRecord, policy: Policy) -> tuple[bool | str | None, str]:
    """The gating the policy asks of this repo, and which key says so. A repo the policy publishes
    (`repos:`) follows `repos[].gated` / `gated`, as publish enforces them, whatever its visibility;
    any other repo follows `org.exceptions` / `org.gated`, which judge public repos only."""
    for spec in policy.repos:
        if spec.type == repo.type and spec.repo_id(policy.organization or "").lower() == repo.id.lower():
            wanted = policy.gated_for(spec)
            if wanted is not None:
                return wanted, "repos[].gated" if spec.gated is not None else "gated"
    if repo.private:
        return None, "org.gated"
    _visibility, gated, exception = policy.org.expected(repo.name, repo.type)
    return gated, f"org.exceptions ({exception.match})" if exception else "org.gated"


def visibility_findings(repo: RepoRecord, policy: Policy) -> list[AuditFinding]:
    """The repo's visibility and gating against the policy (exceptions first)."""
    visibility, _gated, exception = policy.org.expected(repo.name, repo.type)
    why = f"org.exceptions ({exception.match})" if exception else "org.visibility"
    actual = "private" if repo.private else "public"
    findings = []
    if actual != visibility:
        if visibility == "private":
            findings.append(
                _finding(
                    repo,
                    "visibility",
                    "visibility",
                    "error",
                    f"is public, but the policy ({why}) says {visibility}: anyone can read and download it",
                    f"make it private: {_settings(repo, '--private')} (or add an org.exceptions entry if it is "
                    "meant to be public)",
                )
            )
        else:
            findings.append(
                _finding(
                    repo,
                    "visibility",
                    "visibility",
                    "warning",
                    f"is private, but the policy ({why}) says {visibility}",
                    f"make it public: {_settings(repo, '--public')}, or add an org.exceptions entry",
                )
            )
    wanted, key = gated_rule(repo, policy)
    drift = gated_drift(wanted, repo.gated)
    if drift is not None:
        shown = f"gated: {drift.current}" if drift.current else "not gated"
        findings.append(
            _finding(
                repo,
                "gating",
                "gated",
                "error",
                f"is {actual} and {shown}: {drift.describe()} ({key})",
                f"set its gating: {_settings(repo, '--gated ' + str(drift.target).lower())}"
                + (" (or publish it: publish sets the policy's gating)" if key in ("gated", "repos[].gated") else ""),
            )
        )
    return findings


# --- the card -----------------------------------------------------------------------------------


def card_findings(repo: RepoRecord, policy: Policy) -> list[AuditFinding]:
    """The model-card check's findings on the README the Hub serves; no README is a finding."""
    if repo.card_error:
        return [
            _finding(
                repo,
                "model-card",
                "card-unreadable",
                "notice",
                f"the card could not be read: {repo.card_error}",
                "re-run the audit",
                CARD_FILE,
            )
        ]
    if repo.card is None and repo.card_size is not None:
        problem = too_large(repo.card_size)
        if problem:
            return [
                _finding(
                    repo,
                    "model-card",
                    problem.rule.id,
                    policy.card.severity_of(problem.rule),
                    problem.message,
                    problem.fix,
                    CARD_FILE,
                )
            ]
    if repo.card is None:
        rule = card_rules.CARD_MISSING
        return [
            _finding(
                repo,
                "model-card",
                rule.id,
                policy.card.severity_of(rule),
                f"the {repo.type} has no card: README.md does not exist on the Hub",
                "add a README.md from the org template (`hf-publish init` writes one) and fill in its sections",
                CARD_FILE,
            )
        ]
    out = []
    for finding in check_card(repo.card, CARD_FILE, repo.type, policy.card):
        out.append(
            _finding(
                repo,
                "model-card",
                finding.rule or "card",
                finding.severity,
                finding.message,
                finding.fix,
                CARD_FILE,
                finding.line,
            )
        )
    return out


# --- LFS ---------------------------------------------------------------------------------------

LfsSource = Literal["read", "storage", "unchecked"]


def lfs_bound(policy: Policy) -> int:
    """The smallest size at which the LFS rules flag a file stored in git: the smaller of the
    regular-file limits (`lfs.max_binary_size`, 1 MB by default as the Hub enforces for binaries;
    `lfs.max_text_size`, 10 MiB). A repo storing fewer bytes holds no file this large."""
    return min(policy.lfs.max_binary_size, policy.lfs.max_text_size)


def _pattern_files(paths: list[str], policy: Policy) -> list[str]:
    """The paths a required LFS pattern (or a presence pattern: *.gguf) names, by file name."""
    out: list[str] = []
    for _folder, pattern in lfs_check.required_in_folders(policy.lfs.required_patterns, [""], paths):
        out.extend(p for p in lfs_check.matching_files(pattern, "", paths) if p not in out)
    return out


def lfs_from_storage(repo: RepoRecord, policy: Policy) -> bool:
    """Whether the LFS rules are decided for this repo by its storage, without its file metadata:
    it stores fewer bytes than `lfs_bound` (so none of its files is over a regular-file limit) and
    none of its listed files matches a required LFS pattern (such a file is judged whatever its
    size, so its LFS state must be read). Storage bounds every file because it counts each file's
    bytes (the storage listing and usedStorage sum the repo's files, LFS and git alike)."""
    if repo.files is None or repo.storage is None or repo.storage >= lfs_bound(policy):
        return False
    return not _pattern_files([f.path for f in repo.files if f.path != GITATTRIBUTES], policy)


def needs_file_metadata(repo: RepoRecord, policy: Policy) -> bool:
    """Whether the audit must read this repo's file metadata (`repo_info(files_metadata=True)`)
    for the LFS rules: its files' sizes and LFS flags are not known and its storage does not
    settle them."""
    if repo.files is not None and all(f.lfs is not None for f in repo.files):
        return False
    return not lfs_from_storage(repo, policy)


def lfs_source(repo: RepoRecord, policy: Policy) -> LfsSource:
    """How the LFS rules were decided for this repo: "read" (its file metadata was read, or came
    from the sha cache), "storage" (inferred: `lfs_from_storage`), "unchecked" (neither)."""
    if repo.files is not None and all(f.lfs is not None for f in repo.files):
        return "read"
    return "storage" if lfs_from_storage(repo, policy) else "unchecked"


def lfs_findings(repo: RepoRecord, policy: Policy) -> list[AuditFinding]:
    """Files stored in git (not LFS/xet) over the regular-file limit, and files of a required LFS
    pattern stored in git (the repo's .gitattributes did not cover them), from the file metadata;
    for a repo too small to hold such a file (`lfs_from_storage`), from its storage."""
    source = lfs_source(repo, policy)
    if source == "storage":
        assert repo.files is not None
        return [] if GITATTRIBUTES in {f.path for f in repo.files} else [_missing_gitattributes(repo)]
    if source == "unchecked":
        findings = [
            _finding(
                repo,
                "lfs",
                "lfs-not-listed",
                "notice",
                "no file metadata was read for this repo (sizes, LFS): the LFS rules were not checked",
                "run the audit without --no-file-metadata",
            )
        ]
        if repo.files and GITATTRIBUTES not in {f.path for f in repo.files}:
            findings.append(_missing_gitattributes(repo))
        return findings
    assert repo.files is not None
    findings = []
    large = set()
    regular = [f for f in repo.files if not f.lfs]
    for file in regular:
        if file.size is None:
            continue
        if lfs_check.judge_staged_file(file.path, file.size, None, False, policy.lfs) is not None:
            large.add(file.path)
            pattern = lfs_check.track_pattern(file.path)
            findings.append(
                _finding(
                    repo,
                    "lfs",
                    "lfs-large-file",
                    "error",
                    f"{file.path} is stored in git, not LFS/xet, and is {human_bytes(file.size)}, over the "
                    f"regular-file limit ({lfs_check.format_size(policy.lfs.max_text_size)})",
                    f"track it with LFS and upload it again: add `{lfs_check.quote_pattern(pattern)} "
                    f"{lfs_check.RULE_ATTRIBUTES}` to .gitattributes, then re-upload {file.path}",
                    file.path,
                )
            )
    paths = [f.path for f in repo.files]
    regular_paths = [f.path for f in regular if f.path not in large and f.path != GITATTRIBUTES]
    for _folder, pattern in lfs_check.required_in_folders(policy.lfs.required_patterns, [""], paths):
        hits = lfs_check.matching_files(pattern, "", regular_paths)
        if not hits:
            continue
        shown = ", ".join(hits[:3]) + (f" and {len(hits) - 3} more" if len(hits) > 3 else "")
        findings.append(
            _finding(
                repo,
                "lfs",
                "lfs-pattern-not-covered",
                "error",
                f"{shown} match{'es' if len(hits) == 1 else ''} the required LFS pattern {pattern} but "
                f"{'is' if len(hits) == 1 else 'are'} stored in git: the repo's .gitattributes does not cover {pattern}",
                f"add `{lfs_check.quote_pattern(pattern)} {lfs_check.RULE_ATTRIBUTES}` to the repo's .gitattributes, "
                "then upload the files again",
                GITATTRIBUTES,
            )
        )
    if repo.files and GITATTRIBUTES not in paths:
        findings.append(_missing_gitattributes(repo))
    return findings


def _missing_gitattributes(repo: RepoRecord) -> AuditFinding:
    return _finding(
        repo,
        "lfs",
        "gitattributes-missing",
        "warning",
        "the repo has no .gitattributes: new weights files would be stored in git",
        "upload the Hub's default .gitattributes (`hf-publish init` writes one)",
        GITATTRIBUTES,
    )


# --- staleness ----------------------------------------------------------------------------------


def is_stale(repo: RepoRecord, policy: Policy, now: datetime) -> bool:
    if not repo.private or repo.last_modified is None:
        return False
    return now - repo.last_modified > timedelta(days=policy.org.stale_after_days)


def stale_finding(repo: RepoRecord, policy: Policy, now: datetime) -> AuditFinding | None:
    if not is_stale(repo, policy, now):
        return None
    assert repo.last_modified is not None
    days = (now - repo.last_modified).days
    holds = f"; it holds {human_bytes(repo.storage)} of private storage" if repo.storage else ""
    return _finding(
        repo,
        "staleness",
        "stale",
        "warning",
        f"private and not updated for {days} days (last on {repo.last_modified:%Y-%m-%d}; "
        f"org.stale_after_days is {policy.org.stale_after_days}){holds}",
        f"archive or delete it if nobody uses it (hf repos delete {shlex.quote(repo.id)} --type {repo.type}), "
        "which frees its storage",
    )


def is_active(repo: RepoRecord, now: datetime, since: timedelta) -> bool:
    return repo.last_modified is not None and now - repo.last_modified <= since
