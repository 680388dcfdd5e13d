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
from dataclasses import replace
from datetime import datetime, timedelta

from hf_publish import card_rules
from hf_publish.cards import too_large
from hf_publish.checks import lfs as lfs_check
from hf_publish.checks.model_card import check_card
from hf_publish.checks.repo_name import check_repo
from hf_publish.findings import Finding
from hf_publish.org.model import AuditFinding, RepoRecord
from hf_publish.org.storage import human_bytes
from hf_publish.policy import PatternTimeout, Policy, RepoSpec

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
            findings.append(_finding(repo, "repo", "disabled", "notice", "the Hub has disabled this repo",
                                     "contact the Hub support or an org admin"))
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
            rule = "name-forbidden-word" if "forbidden" in finding.message else (
                "name-pattern" if "pattern" in finding.message else "name-invalid")
            fix = finding.fix.replace("name: ", "")
            out.append(_finding(repo, "naming", rule, finding.severity, finding.message,
                                f"{fix}; rename with: hf repos move {shlex.quote(repo.id)} "
                                f"{shlex.quote(self.organization + '/' + suggested_name(finding.fix))}"
                                + ("" if repo.type == "model" else f" --type {repo.type}")))
        return out


def suggested_name(fix: str) -> str:
    """The name `check_repo` suggests in its fix ("use a name like 'x-v1' ...")."""
    if "'" in fix:
        return fix.split("'")[1]
    return fix.rsplit(" ", 1)[-1]


def _finding(repo: RepoRecord, check: str, rule: str, severity: str, message: str, fix: str = "",
             file: str = "", line: int | None = None) -> AuditFinding:
    return AuditFinding(repo.id, repo.type, check, rule, severity, message, fix, file, line)  # type: ignore[arg-type]


def _settings(repo: RepoRecord, flag: str) -> str:
    return f"hf repos settings {shlex.quote(repo.id)} --type {repo.type} {flag}"


# --- visibility and gating ------------------------------------------------------------------------

def visibility_findings(repo: RepoRecord, policy: Policy) -> list[AuditFinding]:
    """The repo's visibility and, when public, its gating against `org:` (exceptions first)."""
    visibility, gated, exception = policy.org.expected(repo.name, repo.type)
    why = f"org.exceptions ({exception.match})" if exception else "org.visibility"
    actual = "private" if repo.private else "public"
    findings = []
    if actual != visibility:
        if visibility == "private":
            findings.append(_finding(
                repo, "visibility", "visibility", "error",
                f"is public, but the policy ({why}) says {visibility}: anyone can read and download it",
                f"make it private: {_settings(repo, '--private')} (or add an org.exceptions entry if it is "
                "meant to be public)"))
        else:
            findings.append(_finding(
                repo, "visibility", "visibility", "warning",
                f"is private, but the policy ({why}) says {visibility}",
                f"make it public: {_settings(repo, '--public')}, or add an org.exceptions entry"))
    if not repo.private and gated != "off":
        mode = repo.gated or None
        wanted = "gated (auto or manual)" if gated == "any" else f"gated: {gated}"
        if (gated == "any" and not mode) or (gated in ("auto", "manual") and mode != gated):
            shown = f"gated: {mode}" if mode else "not gated"
            target = "manual" if gated == "any" else gated
            findings.append(_finding(
                repo, "gating", "gated", "error",
                f"is public and {shown}, but the policy ({'org.exceptions' if exception else 'org.gated'}) "
                f"says {wanted}",
                f"set its gating: {_settings(repo, '--gated ' + target)}"))
    if not any(f.rule == "gated" for f in findings):
        drift = configured_gating_finding(repo, policy)
        if drift is not None:
            findings.append(drift)
    return findings


def configured_gating_finding(repo: RepoRecord, policy: Policy) -> AuditFinding | None:
    """A repo the policy lists (`repos:`) whose gating on the Hub is not its `gated` (or the
    top-level default), private or public: what `hf-publish publish` would correct."""
    spec = next((s for s in policy.repos if s.type == repo.type
                 and s.repo_id(policy.organization).lower() == repo.id.lower()), None)
    wanted = policy.gated_for(spec) if spec is not None else None
    actual = repo.gated or False
    if wanted is None or actual == wanted:
        return None
    source = "its repos[].gated" if spec is not None and spec.gated is not None else "the top-level gated"
    shown = "not gated" if actual is False else f"gated: {actual}"
    target = "false" if wanted is False else str(wanted)
    severity = "error" if actual is False else "warning"  # ungated where the policy gates: anyone may download
    return _finding(repo, "gating", "gated", severity,
                    f"is {shown} on the Hub, but the policy ({source}) says "
                    f"{'not gated' if wanted is False else 'gated: ' + str(wanted)}",
                    f"run hf-publish publish (it applies the policy's gated), or: {_settings(repo, '--gated ' + target)}")


# --- the card -----------------------------------------------------------------------------------

def card_findings(repo: RepoRecord, policy: Policy) -> list[AuditFinding]:
    """The model-card check's findings on the README the Hub serves; no README is a finding."""
    if repo.card_error:
        return [_finding(repo, "model-card", "card-unreadable", "notice",
                         f"the card could not be read: {repo.card_error}", "re-run the audit", CARD_FILE)]
    if repo.card is None and repo.card_size is not None:
        problem = too_large(repo.card_size)
        if problem:
            return [_finding(repo, "model-card", problem.rule.id, policy.card.severity_of(problem.rule),
                             problem.message, problem.fix, CARD_FILE)]
    if repo.card is None:
        rule = card_rules.CARD_MISSING
        return [_finding(repo, "model-card", rule.id, policy.card.severity_of(rule),
                         f"the {repo.type} has no card: README.md does not exist on the Hub",
                         "add a README.md from the org template (`hf-publish init` writes one) and fill in its sections",
                         CARD_FILE)]
    out = []
    for finding in check_card(repo.card, CARD_FILE, repo.type, policy.card):
        out.append(_finding(repo, "model-card", finding.rule or "card", finding.severity, finding.message,
                            finding.fix, CARD_FILE, finding.line))
    return out


# --- LFS ---------------------------------------------------------------------------------------

def lfs_findings(repo: RepoRecord, policy: Policy) -> list[AuditFinding]:
    """Files stored in git (not LFS/xet) over the regular-file limit, and files of a required LFS
    pattern stored in git (the repo's .gitattributes did not cover them), from the listing alone."""
    if repo.files is None or any(f.lfs is None for f in repo.files):
        findings = [_finding(repo, "lfs", "lfs-not-listed", "notice",
                             "no file metadata was read for this repo (sizes, LFS): the LFS rules were not checked",
                             "run the audit without --no-file-metadata")]
        if repo.files and GITATTRIBUTES not in {f.path for f in repo.files}:
            findings.append(_missing_gitattributes(repo))
        return findings
    findings = []
    large = set()
    regular = [f for f in repo.files if not f.lfs]
    for file in regular:
        if file.size is None:
            continue
        if lfs_check.judge_staged_file(file.path, file.size, None, False, policy.lfs) is not None:
            large.add(file.path)
            pattern = lfs_check.track_pattern(file.path)
            findings.append(_finding(
                repo, "lfs", "lfs-large-file", "error",
                f"{file.path} is stored in git, not LFS/xet, and is {human_bytes(file.size)}, over the "
                f"regular-file limit ({lfs_check.format_size(policy.lfs.max_text_size)})",
                f"track it with LFS and upload it again: add `{lfs_check.quote_pattern(pattern)} "
                f"{lfs_check.RULE_ATTRIBUTES}` to .gitattributes, then re-upload {file.path}", file.path))
    paths = [f.path for f in repo.files]
    regular_paths = [f.path for f in regular if f.path not in large and f.path != GITATTRIBUTES]
    for _folder, pattern in lfs_check.required_in_folders(policy.lfs.required_patterns, [""], paths):
        hits = lfs_check.matching_files(pattern, "", regular_paths)
        if not hits:
            continue
        shown = ", ".join(hits[:3]) + (f" and {len(hits) - 3} more" if len(hits) > 3 else "")
        findings.append(_finding(
            repo, "lfs", "lfs-pattern-not-covered", "error",
            f"{shown} match{'es' if len(hits) == 1 else ''} the required LFS pattern {pattern} but "
            f"{'is' if len(hits) == 1 else 'are'} stored in git: the repo's .gitattributes does not cover {pattern}",
            f"add `{lfs_check.quote_pattern(pattern)} {lfs_check.RULE_ATTRIBUTES}` to the repo's .gitattributes, "
            "then upload the files again", GITATTRIBUTES))
    if repo.files and GITATTRIBUTES not in paths:
        findings.append(_missing_gitattributes(repo))
    return findings


def _missing_gitattributes(repo: RepoRecord) -> AuditFinding:
    return _finding(repo, "lfs", "gitattributes-missing", "warning",
                    "the repo has no .gitattributes: new weights files would be stored in git",
                    "upload the Hub's default .gitattributes (`hf-publish init` writes one)", GITATTRIBUTES)


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
    return _finding(repo, "staleness", "stale", "warning",
                    f"private and not updated for {days} days (last on {repo.last_modified:%Y-%m-%d}; "
                    f"org.stale_after_days is {policy.org.stale_after_days}){holds}",
                    f"archive or delete it if nobody uses it (hf repos delete {shlex.quote(repo.id)} --type {repo.type}), "
                    "which frees its storage")


def is_active(repo: RepoRecord, now: datetime, since: timedelta) -> bool:
    return repo.last_modified is not None and now - repo.last_modified <= since
