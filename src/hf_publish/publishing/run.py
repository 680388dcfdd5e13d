"""`hf-publish publish` and its Python API: take the policy's repos to their Hub org, safely.

Order of a run (nothing is uploaded before step 4):
  1. checks: every content check runs on what is about to be published; findings stop the run
     before any network call (exit 1).
  2. token preflight: whoami (cached) and, for existing repos, auth_check(write=True), judged in
     plain words by `preflight.judge`; a token that cannot do the job stops the run (exit 4).
  3. repo: created (private per policy, repo type, Space sdk) only when `repo_exists` says it is
     missing.
  4. plan and ONE `create_commit` with `parent_commit` = the head just read. The plan is three-way
     against the base (the last publish from this checkout's history, rebuilt from git: see
     `_find_base` and `plan.Base`), a mirror when no base can exist, and never deletes when
     publishes exist but none from this history. A 412 (another commit landed) re-reads the head,
     re-plans only this publish's own changes and retries; 429/5xx, dropped connections and
     timeouts are retried honouring Retry-After, all within one retry budget (`hub.bounded_http`);
     never a partial update.
  5. release: with a tag, the Hub repo is tagged at the published commit (idempotent, immutable).

Python API: `publish(path, ...) -> PublishReport` (raises ChecksFailed, AuthError, HubError,
UsageError, PolicyError). CLI: `command_publish(args) -> int`.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hf_publish import __version__
from hf_publish._record import Record
from hf_publish.errors import (
    AuthError,
    ChecksFailed,
    ConflictError,
    HubError,
    RetryBudgetError,
    StaleHeadError,
    TransientHubError,
    UsageError,
)
from hf_publish.findings import Finding, has_errors, sort_findings
from hf_publish.policy.model import Policy, RepoSpec, gated_drift
from hf_publish.publishing.hub import (
    DEFAULT_RETRY_BUDGET,
    DEFAULT_TIMEOUT,
    ERROR_TABLE,
    CommitResult,
    Hub,
    RemoteFile,
    RemoteState,
    ResolvedToken,
    RetryBudget,
    Timeouts,
    bounded_http,
    client_settings,
    make_api,
    repo_url,
    resolve_token,
    settings_url,
)
from hf_publish.publishing.output import PublishReport, PublishResult, human_bytes
from hf_publish.publishing.plan import (
    Base,
    Plan,
    base_files,
    changed_paths,
    contested_paths,
    kept_remote_files,
    make_plan,
    overlay,
)
from hf_publish.publishing.preflight import Target, Verdict, decode_whoami, hub_page, judge
from hf_publish.selection import LocalFile, RepoSource, checkout_is_dirty, repo_source
from hf_publish.tokens import Redactor, redact

MAX_ATTEMPTS = 5  # commit attempts per repo (412 / 429 / 5xx / dropped connection)
MAX_WAIT = 60.0  # longest Retry-After honoured; a longer one ends the run with its own message
BACKOFF_BASE = 0.5
DEFAULT_REVISION = "main"
SANDBOX_TOKEN_ENV = "HF_PUBLISH_SANDBOX_TOKEN"
SANDBOX_DEFAULT_TOKEN = "alice-fg-org"


class _Job(Record, frozen=False):
    """One configured repo on its way to the Hub."""

    spec: RepoSpec
    repo_id: str
    source: RepoSource
    local: dict[str, LocalFile]
    root: Path = Path(".")
    dirty: bool = False  # what is published differs from the git commit (staged, modified, untracked...)
    policy_path: Path | None = None
    exists: bool | None = None
    verdict: Verdict | None = None
    tag_target: str | None = None
    gated: bool | str | None = None  # the policy's gated setting for the repo; None: not managed

    @property
    def folder(self) -> Path:
        return self.source.folder

    @property
    def in_git(self) -> bool:
        return self.source.in_git

    @property
    def repo_type(self) -> str:
        return self.spec.type


Log = Callable[[str], None]


def _stderr(line: str) -> None:
    """The default `log`: one line to stderr (publish swaps in `_stderr_through(redactor)`)."""
    print(redact(line), file=sys.stderr, flush=True)


def _stderr_through(redactor: Redactor) -> Log:
    def log(line: str) -> None:
        print(redactor.redact(line), file=sys.stderr, flush=True)

    return log


# --- the API --------------------------------------------------------------------------------------


def publish(
    path: str | os.PathLike[str] = ".",
    *,
    repos: Sequence[str] | None = None,
    dry_run: bool = False,
    tag: str | None = None,
    revision: str | None = None,
    create_pr: bool = False,
    api: Any = None,
    endpoint: str | None = None,
    token_source: str | None = None,
    config: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    log: Log = _stderr,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float | None = None,
    retry_budget: float | None = None,
    redactor: Redactor | None = None,
    progress: bool = True,
    findings: Sequence[Finding] | None = None,
    on_result: Callable[[PublishResult], None] | None = None,
) -> PublishReport:
    """Check, preflight, plan and publish the policy's repos; return one result per repo.

    `path`: the git checkout (or plain folder) holding `.hf-publish.yaml`. `api`: an HfApi to use
    (tests, the sandbox); without it the token comes from huggingface_hub's own resolution
    (HF_OIDC_RESOURCE, HF_TOKEN, stored login) and `endpoint` (default HF_ENDPOINT / huggingface.co).
    `env` defaults to os.environ (GitHub Actions variables feed the commit description and release).
    `timeout`: seconds an API call may wait for an answer (default HF_PUBLISH_TIMEOUT, else 60);
    `retry_budget`: seconds the run may spend retrying failures, in total (default
    HF_PUBLISH_RETRY_BUDGET, else 120). Both apply to huggingface_hub's shared client while the
    run lasts (see `hub.bounded_http`), as do `progress` (False: no progress bars) and hf_xet's own
    retry cap (HF_XET_CLIENT_RETRY_MAX_DURATION, held to the retry budget unless already set):
    everything is restored when the run ends. `redactor` hides the run's secrets in every message;
    the token resolved is added to it. `findings`: the content checks' findings when the caller
    already ran them on exactly this publish (the Action does, to annotate them): they are not run
    again. `on_result` is called with each repo's result as soon as it is done, so a caller still
    has them when a later repo fails.
    """
    env = dict(os.environ) if env is None else env
    redactor = redactor if redactor is not None else Redactor.from_env(env)
    timeouts = Timeouts(read=_seconds(timeout, env, TIMEOUT_ENV, DEFAULT_TIMEOUT))
    budget = RetryBudget(_seconds(retry_budget, env, RETRY_BUDGET_ENV, DEFAULT_RETRY_BUDGET))
    if log is _stderr:
        log = _stderr_through(redactor)
    with bounded_http(timeouts, budget), client_settings(progress=progress, xet_retry=xet_retry_cap(budget.seconds)):
        return _publish(
            path,
            repos=repos,
            dry_run=dry_run,
            tag=tag,
            revision=revision,
            create_pr=create_pr,
            api=api,
            endpoint=endpoint,
            token_source=token_source,
            config=config,
            env=env,
            log=log,
            sleep=_budget_sleep(sleep, budget),
            budget=budget,
            redactor=redactor,
            prechecked=findings,
            on_result=on_result,
        )


TIMEOUT_ENV = "HF_PUBLISH_TIMEOUT"
RETRY_BUDGET_ENV = "HF_PUBLISH_RETRY_BUDGET"


def xet_retry_cap(budget: float) -> str:
    """hf_xet retries a failing upload on its own (minutes, by default) where the HTTP hooks cannot
    see it: its cap, held to the retry budget (hf_xet reads it once per process)."""
    return f"{max(1, int(budget))}s"


def _seconds(value: float | None, env: dict[str, str], name: str, default: float) -> float:
    if value is None:
        raw = env.get(name, "").strip()
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(
                f"{name}={raw!r} is not a number of seconds. Next: set it to e.g. 60, or unset it"
            ) from None
    if not value > 0 or value == float("inf"):
        flag = "--" + name.replace("HF_PUBLISH_", "").lower().replace("_", "-")
        raise UsageError(f"{flag} ({name}) must be a positive number of seconds, not {value!r}. Next: pass e.g. 60")
    return float(value)


def _budget_sleep(sleep: Callable[[float], None], budget: RetryBudget) -> Callable[[float], None]:
    """`sleep`, and whatever part of the wait it did not really sleep (a test recording its waits)
    is added to the budget's clock, so the budget holds either way."""

    def wait(seconds: float) -> None:
        started = time.monotonic()
        sleep(seconds)
        budget.advance(seconds - (time.monotonic() - started))

    return wait


def _publish(
    path: str | os.PathLike[str],
    *,
    repos: Sequence[str] | None,
    dry_run: bool,
    tag: str | None,
    revision: str | None,
    create_pr: bool,
    api: Any,
    endpoint: str | None,
    token_source: str | None,
    config: str | os.PathLike[str] | None,
    env: dict[str, str],
    log: Log,
    sleep: Callable[[float], None],
    budget: RetryBudget,
    redactor: Redactor,
    prechecked: Sequence[Finding] | None,
    on_result: Callable[[PublishResult], None] | None,
) -> PublishReport:
    root, in_git, policy, policy_path = _load(Path(path), config)
    specs = _select(policy, repos)
    revision = revision or DEFAULT_REVISION
    tag = _release_tag(tag, policy, env, log)
    if tag and create_pr:
        raise UsageError(
            "--tag cannot be combined with --create-pr: a release tags a published commit, not a pull request. "
            "Next: drop one of the two"
        )

    # 1. what would be published, and the checks on it: before any network call
    jobs = [_job(root, in_git, policy, policy_path, spec) for spec in specs]
    if prechecked is None:
        findings = _run_checks(root, in_git, policy, policy_path, jobs, env)
    else:
        findings = list(prechecked)
    findings += _pointer_findings(root, jobs, findings)
    report = PublishReport(findings=findings)
    if has_errors(findings):
        raise ChecksFailed(sort_findings(findings))
    files = sum(len(job.local) for job in jobs)
    log(f"checks: passed on the {files} file(s) to publish" + (f" ({len(findings)} note(s))" if findings else ""))

    # 2. token preflight for every repo, before any upload
    hub, token = _connect(api, endpoint, token_source, env, dry_run, policy, log, redactor)
    if hub is None:
        for job in jobs:
            plan = make_plan(job.local, {}, ignore=job.spec.ignore, empty_remote=True)
            result = PublishResult(
                job.repo_id,
                job.repo_type,
                repo_url(endpoint or _default_endpoint(), job.repo_id, job.repo_type),
                plan,
                dry_run=True,
                tag=None,
                changed=plan.changed,
            )
            result.notes.append("no token: planned against an empty remote (set HF_TOKEN to compare with the Hub)")
            report.results.append(result)
            if on_result is not None:
                on_result(result)
        return report
    _preflight(hub, token, jobs, policy, tag=tag, dry_run=dry_run, create_pr=create_pr, log=log)

    # 3-5. per repo; each result is handed to `on_result` at once (a later failure raises)
    for job in jobs:
        if dry_run:
            result = _dry_run(hub, job, revision, tag)
        else:
            result = _publish_one(
                hub,
                job,
                root,
                in_git,
                revision=revision,
                create_pr=create_pr,
                tag=tag,
                env=env,
                log=log,
                sleep=sleep,
                budget=budget,
            )
        report.results.append(result)
        if on_result is not None:
            on_result(result)
    return report


def _default_endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def _load(path: Path, config: str | os.PathLike[str] | None) -> tuple[Path, bool, Policy, Path | None]:
    from hf_publish import _git
    from hf_publish.policy.load import find_policy_file, load_policy

    path = path.resolve()
    if not path.is_dir():
        raise UsageError(f"{path}: not a folder. Next: pass --path to the checkout to publish")
    root = _git.find_root(path)
    in_git = root is not None
    root = (root or path).resolve()
    policy_path = find_policy_file(root, config)
    shown = None
    if policy_path is not None:
        try:
            shown = policy_path.resolve().relative_to(root).as_posix()
        except ValueError:
            shown = str(policy_path)
    policy = load_policy(policy_path, display_path=shown, root=root)
    return root, in_git, policy, policy_path


def _select(policy: Policy, names: Sequence[str] | None) -> list[RepoSpec]:
    if not policy.repos:
        source = policy.source or ".hf-publish.yaml"
        raise UsageError(
            f"{source}: no repos configured, so there is nothing to publish. Next: add "
            "`organization:` and a `repos:` entry (e.g. `- name: my-model-v1`), or run "
            "`hf-publish init`"
        )
    specs = [policy.repo(name) for name in names] if names else list(policy.repos)
    for spec in specs:
        if spec.type == "space" and not spec.sdk:
            where = f"{policy.source}:{spec.line}" if policy.source and spec.line else (policy.source or "policy")
            raise UsageError(
                f"{where}: repo {spec.name} is a space without an sdk. Next: add "
                "`sdk: gradio` (or docker, static) to its entry"
            )
    return list(dict.fromkeys(specs))


def _release_tag(tag: str | None, policy: Policy, env: dict[str, str], log: Log) -> str | None:
    pattern = policy.release.tag_pattern
    if tag:
        if not policy.release.matches(tag):
            raise UsageError(
                f"tag {tag!r} does not match release.tag_pattern ({pattern}). "
                "Next: use a tag such as v1.2.0, or change release.tag_pattern"
            )
        return tag
    ref = env.get("GITHUB_REF", "")
    if ref.startswith("refs/tags/"):
        name = ref[len("refs/tags/") :]
        if policy.release.matches(name):
            log(f"release: {name} (from GITHUB_REF)")
            return name
        log(f"GITHUB_REF tag {name!r} does not match release.tag_pattern: publishing without a release tag")
    return None


def _job(root: Path, in_git: bool, policy: Policy, policy_path: Path | None, spec: RepoSpec) -> _Job:
    folder = (root / spec.path).resolve()
    if not folder.is_dir():
        where = f"{policy.source}:{spec.line}" if policy.source and spec.line else (policy.source or "policy")
        raise UsageError(
            f"{where}: repo {spec.name}: folder {spec.path!r} does not exist. Next: fix its "
            "`path:` (relative to the git root)"
        )
    source = repo_source(root, in_git, spec.path, ignore=spec.ignore, policy_path=policy_path)
    local = source.files(root)
    dirty = source.in_git and checkout_is_dirty(root, source)
    return _Job(
        spec,
        spec.repo_id(policy.organization),
        source,
        local,
        root=root,
        dirty=dirty,
        policy_path=policy_path,
        gated=policy.gated_for(spec),
    )


def _run_checks(
    root: Path, in_git: bool, policy: Policy, policy_path: Path | None, jobs: list[_Job], env: dict[str, str]
) -> list[Finding]:
    """Every content check on exactly the files the plan uploads (working-tree contents)."""
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.checks.registry import CONTENT_CHECK_IDS, run_checks

    upload = sorted({local.source.relative_to(root).as_posix() for job in jobs for local in job.local.values()})
    ctx = CheckContext(
        root=root,
        policy=policy,
        policy_path=policy_path,
        files=None,
        source="worktree",
        in_git=in_git,
        env=dict(env),
        repos=tuple(job.spec.name for job in jobs),
        upload=tuple(upload),
    )
    return run_checks(CONTENT_CHECK_IDS, ctx)


def _pointer_findings(root: Path, jobs: list[_Job], findings: Sequence[Finding]) -> list[Finding]:
    """The lfs check owns this rule; this guard also covers a checkout the check did not see."""
    from hf_publish.selection import pointer_standing_in

    seen = {(f.check, f.path) for f in findings}
    out = []
    for job in jobs:
        for rel in pointer_standing_in(job.local):
            path = job.local[rel].source.relative_to(root).as_posix()
            if ("lfs", path) not in seen:
                out.append(
                    Finding(
                        "lfs",
                        path,
                        None,
                        "this LFS-tracked file is an LFS pointer, not the content: publishing "
                        "it would upload a ~130-byte stand-in",
                        "run `git lfs pull` (in Actions: actions/checkout with `lfs: true`)",
                    )
                )
    return out


# --- token and preflight ------------------------------------------------------------------------


def _connect(
    api: Any,
    endpoint: str | None,
    token_source: str | None,
    env: dict[str, str],
    dry_run: bool,
    policy: Policy,
    log: Log,
    redactor: Redactor,
) -> tuple[Hub | None, ResolvedToken]:
    if api is not None:
        value = api.token if isinstance(api.token, str) else None
        return Hub(api, redactor), ResolvedToken(value, token_source or "the given client")
    token = resolve_token(env, redactor)
    if token.value is None:
        if dry_run:
            log("no token found: planning against an empty remote (nothing is read from or written to the Hub)")
            return None, token
        rule = ERROR_TABLE["no-token"]
        org = policy.organization or "your org"
        raise AuthError(
            f"no Hugging Face token found (HF_TOKEN, HF_OIDC_RESOURCE or `hf auth login`). "
            f"Next: {rule.next_for(endpoint or env.get('HF_ENDPOINT')).replace('the target org', 'org ' + org)}"
        )
    if not token.value.isascii():  # no token has them, and an HTTP header cannot carry them
        raise AuthError(
            f"the token from {token.source} contains non-ASCII characters, so it is not a Hugging Face "
            f"token. Next: copy the token again from {hub_page(endpoint or env.get('HF_ENDPOINT'), '/settings/tokens')} "
            "and set HF_TOKEN to it"
        )
    return Hub(make_api(endpoint, token.value), redactor), token


def _preflight(
    hub: Hub,
    token: ResolvedToken,
    jobs: list[_Job],
    policy: Policy,
    *,
    tag: str | None,
    dry_run: bool,
    create_pr: bool,
    log: Log,
) -> None:
    """Judge the token for every repo before anything is uploaded; raise AuthError with the fix."""
    info = decode_whoami(hub.whoami(), source=token.source, oidc=token.oidc)
    refusals: list[str] = []
    for job in jobs:
        if "/" not in job.repo_id and info.user and not token.oidc:
            job.repo_id = f"{info.user}/{job.repo_id}"  # no organization in the policy: the user's own
        if info.revoked_in(job.repo_id.split("/")[0]):
            job.exists, write_check, why = None, None, ""  # the org blocks this token: ask nothing more
        else:
            job.exists = hub.repo_exists(job.repo_id, job.repo_type)
            write_check, why = hub.can_write(job.repo_id, job.repo_type) if job.exists else (None, "")
        target = Target(
            job.repo_id,
            job.repo_type,
            exists=job.exists,
            write_check=write_check,
            write_check_message=why,
            create_pr=create_pr,
        )
        job.verdict = judge(info, target, require_fine_grained=policy.auth.require_fine_grained, endpoint=hub.endpoint)
        for line in job.verdict.lines():
            if not line.startswith("refused:"):
                log(f"preflight: {line}")
        if not job.verdict.ok:
            if dry_run:
                for problem in job.verdict.problems:
                    log(f"preflight: a real publish would be refused: {problem.reason}. Fix: {problem.fix}")
            else:
                refusals.append(job.verdict.message())
        if tag and job.exists:
            job.tag_target = hub.tag_target(job.repo_id, job.repo_type, tag)
    if refusals:
        raise AuthError("\n".join(refusals))


# --- one repo -------------------------------------------------------------------------------------


def _dry_run(hub: Hub, job: _Job, revision: str, tag: str | None) -> PublishResult:
    url = repo_url(hub.endpoint, job.repo_id, job.repo_type)
    if job.exists:
        state = hub.read_state(job.repo_id, job.repo_type, revision)
        if state.head is None and revision != DEFAULT_REVISION:  # a new branch starts from main
            revision = DEFAULT_REVISION
            state = hub.read_state(job.repo_id, job.repo_type, revision)
        plan, _, notes = _plan(hub, job, state, revision)
        result = PublishResult(
            job.repo_id, job.repo_type, url, plan, dry_run=True, changed=plan.changed, verdict=job.verdict, notes=notes
        )
        result.notes.extend(_gated_outlook(hub, job))
        if tag:
            result.notes.append(_tag_outlook(job, tag, state, plan))
    else:
        plan = make_plan(job.local, {}, ignore=job.spec.ignore, empty_remote=True)
        result = PublishResult(
            job.repo_id, job.repo_type, url, plan, dry_run=True, changed=plan.changed, verdict=job.verdict
        )
        result.notes.append(
            f"{job.repo_id} does not exist (or this token cannot see it): planned against an "
            "empty remote; a publish would create it "
            f"({'private' if job.spec.private else 'public'})" + (f", gated: {job.gated}" if job.gated else "")
        )
    return result


def _tag_outlook(job: _Job, tag: str, state: RemoteState, plan: Plan) -> str:
    if job.tag_target is None:
        return f"would tag {tag} at the published commit"
    if job.tag_target == state.head and not plan.changed:
        return f"tag {tag} already points at the head: nothing to do"
    return (
        f"a publish would fail: tag {tag} already exists at {job.tag_target[:12]} and tags are immutable; "
        "release a new version"
    )


def _publish_one(
    hub: Hub,
    job: _Job,
    root: Path,
    in_git: bool,
    *,
    revision: str,
    create_pr: bool,
    tag: str | None,
    env: dict[str, str],
    log: Log,
    sleep: Callable[[float], None],
    budget: RetryBudget,
) -> PublishResult:
    url = repo_url(hub.endpoint, job.repo_id, job.repo_type)
    created = False
    if not job.exists:
        created = _create(hub, job, log)
    gated_notes = _enforce_gated(hub, job, log)
    if revision != DEFAULT_REVISION and not create_pr and hub.head(job.repo_id, job.repo_type, revision) is None:
        log(f"{job.repo_id}: creating branch {revision} from {DEFAULT_REVISION}")
        hub.create_branch(job.repo_id, job.repo_type, revision)
    title, description = commit_message(job, root, in_git, env, tag)
    plan, commit, changed, attempts, notes = _commit(
        hub,
        job,
        title=title,
        description=description,
        revision=revision,
        create_pr=create_pr,
        tag=tag,
        log=log,
        sleep=sleep,
        budget=budget,
    )
    result = PublishResult(
        job.repo_id,
        job.repo_type,
        url,
        plan,
        commit_sha=commit.sha if commit else None,
        commit_url=commit.url if commit else None,
        pr_url=commit.pr_url if commit else None,
        changed=changed,
        created=created,
        verdict=job.verdict,
        attempts=attempts,
        notes=gated_notes + notes,
    )
    if tag and result.commit_sha:
        result.tag = _release(hub, job, tag, result.commit_sha, description, log)
    return result


def _create(hub: Hub, job: _Job, log: Log) -> bool:
    visibility = "private" if job.spec.private else "public"
    log(f"{job.repo_id}: creating {visibility} {job.repo_type} repo")
    try:
        hub.create_repo(job.repo_id, job.repo_type, private=job.spec.private, space_sdk=job.spec.sdk)
        return True
    except ConflictError:
        # Created by a concurrent publisher since we looked, or it exists and this token cannot see it.
        if hub.repo_exists(job.repo_id, job.repo_type):
            log(f"{job.repo_id}: created concurrently by another publisher; publishing to it")
            return False
        raise AuthError(
            f"{job.repo_id} exists, but this token cannot see it. Next: ask an admin of "
            f"{job.repo_id.split('/')[0]} for access, or use a token with repo.write on the org"
        ) from None


def _gated_outlook(hub: Hub, job: _Job) -> list[str]:
    """Dry run: what a publish would do about the repo's gated setting."""
    if job.gated is None:
        return []
    current = hub.gated(job.repo_id, job.repo_type)
    drift = gated_drift(job.gated, current)
    if drift is None:
        return [f"gated: {current} (as the policy says)"]
    return [f"{drift.describe()}: a publish would set it (update_repo_settings)"]


def _enforce_gated(hub: Hub, job: _Job, log: Log) -> list[str]:
    """Make the repo's gated setting the policy's, before anything is uploaded.

    When the token may not change settings (write or admin role, and repo.write in its scope), a
    repo the policy gates but the Hub does not stops the publish here (its content would be handed
    out more freely than the policy allows); any other drift is a note with the fix."""
    if job.gated is None:
        return []
    current = hub.gated(job.repo_id, job.repo_type)
    drift = gated_drift(job.gated, current)  # the audit's rule too
    if drift is None:
        return []
    try:
        hub.set_gated(job.repo_id, job.repo_type, drift.target)
    except AuthError as exc:
        reason = str(exc).split(". Next:")[0]
        fix = (
            f"ask an admin of {job.repo_id.split('/')[0]} to set gated to {job.gated} at "
            f"{settings_url(hub.endpoint, job.repo_id, job.repo_type)}, or publish with a token of the write "
            "or admin role"
        )
        if current is False:
            raise AuthError(
                f"{job.repo_id}: the policy says gated: {job.gated} and the repo is not gated, and this "
                f"token may not change it ({reason}); nothing was uploaded. Next: {fix}"
            ) from None
        note = f"{drift.describe()}; this token may not change it. Fix: {fix}"
        log(f"{job.repo_id}: {note}")
        return [note]
    log(f"{job.repo_id}: gated: {current} -> {drift.target} (update_repo_settings, as the policy says)")
    return [f"gated: set to {drift.target} (was {current})"]


def _backoff(attempt: int) -> float:
    return min(8.0, BACKOFF_BASE * (2.0**attempt)) + random.uniform(0, BACKOFF_BASE)


def _commit(
    hub: Hub,
    job: _Job,
    *,
    title: str,
    description: str,
    revision: str,
    create_pr: bool,
    tag: str | None,
    log: Log,
    sleep: Callable[[float], None],
    budget: RetryBudget,
) -> tuple[Plan, CommitResult | None, bool, int, list[str]]:
    """Plan against the head just read and apply it as ONE commit, retrying what is worth retrying.

    Returns (plan, commit, changed, attempts, notes). With no change there is no commit request
    and `commit` is the current head (so a release can tag it).
    """
    state = hub.read_state(job.repo_id, job.repo_type, revision)
    plan, strategy, notes = _plan(hub, job, state, revision)
    if tag and job.tag_target is not None and (plan.changed or job.tag_target != state.head):
        raise HubError(
            f"{job.repo_id}: tag {tag} already exists at {job.tag_target[:12]}, and tags are "
            f"immutable, but this publish {'would change the repo' if plan.changed else 'is at another commit'}. "
            "Next: release a new version (a new tag)"
        )
    if not plan.changed:
        head = state.head
        return plan, _head_commit(hub, job, head), False, 0, notes
    if strategy.mode == "mirror" and plan.by_action("delete"):
        log(f"{job.repo_id}: {notes[-1]}")  # said before anything is deleted
    intent = changed_paths(plan)
    first_plan = plan
    ambiguous = False
    out_of_budget = False
    last_error: HubError | None = None
    attempts = 0
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            try:
                state = hub.read_state(job.repo_id, job.repo_type, revision)
            except RetryBudgetError as exc:
                last_error, out_of_budget = exc, True
                break
            except TransientHubError as exc:  # e.g. a server restarting: wait it out like a failed commit
                last_error = exc
                budget.failed()
                wait = (
                    exc.retry_after
                    if exc.retry_after is not None and exc.retry_after <= MAX_WAIT
                    else _backoff(attempt)
                )
                if not budget.allows(wait):
                    out_of_budget = True
                    break
                log(f"{job.repo_id}: {str(exc).split('. Next:')[0]}; retrying in {wait:.1f} s")
                if attempt + 1 < MAX_ATTEMPTS:
                    sleep(wait)
                continue
            plan = strategy.plan(job, state.files, only=intent)
            if not plan.changed:
                if ambiguous:
                    notes.append("the connection failed after the commit was sent; the Hub shows it landed")
                    return (
                        first_plan,
                        _head_commit(hub, job, state.head),
                        True,
                        attempt,
                        notes,
                    )
                notes.append(f"another commit ({(state.head or '')[:12]}) already made these changes")
                return plan, _head_commit(hub, job, state.head), False, attempt, notes
        operations = build_operations(plan, job.local)
        log(f"{job.repo_id}: committing {_plan_summary(plan)}" + (f" (attempt {attempt + 1})" if attempt else ""))
        attempts = attempt + 1
        try:
            commit = hub.commit(
                job.repo_id,
                job.repo_type,
                operations,
                title=title,
                description=description,
                revision=revision,
                parent_commit=state.head,
                create_pr=create_pr,
            )
            return plan, commit, True, attempt + 1, notes
        except StaleHeadError as exc:
            last_error, wait = exc, _backoff(attempt)
            log(f"{job.repo_id}: another commit landed first; re-reading the head and re-planning")
        except RetryBudgetError as exc:
            last_error, out_of_budget = exc, True
            break
        except TransientHubError as exc:
            last_error = exc
            ambiguous = ambiguous or exc.ambiguous
            budget.failed()
            if exc.retry_after is not None and exc.retry_after > MAX_WAIT:
                raise
            wait = exc.retry_after if exc.retry_after is not None else _backoff(attempt)
            if not budget.allows(wait):
                out_of_budget = True
                break
            log(f"{job.repo_id}: {str(exc).split('. Next:')[0]}; retrying in {wait:.1f} s")
        if attempt + 1 < MAX_ATTEMPTS:
            sleep(wait)
    assert last_error is not None
    if out_of_budget:
        gave_up = (
            f"{job.repo_id}: gave up after {attempts} commit attempt(s) and {budget.spent():.0f} s of "
            f"failures: the retry budget is {budget.seconds:g} s (--retry-budget, {RETRY_BUDGET_ENV})"
        )
    else:
        gave_up = f"{job.repo_id}: gave up after {MAX_ATTEMPTS} attempts"
    error_type = RetryBudgetError if out_of_budget else type(last_error)
    if ambiguous:  # a commit's answer was lost: look before saying nothing was committed
        try:
            with budget.final_look():
                state = hub.read_state(job.repo_id, job.repo_type, revision)
        except HubError:
            raise error_type(
                f"{gave_up}; the Hub never confirmed a commit and cannot be reached to check: one "
                "whose answer was lost may have landed (whole: each attempt is all or nothing), so "
                f"re-run: it re-reads the Hub. Last error: {last_error}"
            ) from None
        if not strategy.plan(job, state.files, only=intent).changed:
            notes.append("the connection failed after the commit was sent; the Hub shows it landed")
            return first_plan, _head_commit(hub, job, state.head), True, attempts, notes
    raise error_type(f"{gave_up}, nothing was committed (each attempt is all or nothing). Last error: {last_error}")


GIT_COMMIT_LINE = re.compile(r"^Git commit: ([0-9a-f]{40})( plus uncommitted changes)?", re.M)
RULES_LINE = re.compile(r"^Publish rules: (\{.*\})$", re.M)
FOLDER_IN_TITLE_LINE = re.compile(r"^Published by hf-publish \S+ from `(.*)`\.$", re.M)


class _Strategy(Record, frozen=False):
    """How this run plans, decided once per repo from the Hub history and this checkout's git:

    - "three-way": a base exists (the last publish from this checkout's history); only what this
      checkout changed since is applied;
    - "mirror": no base, and none can exist (no earlier hf-publish commit on the branch, or a
      folder outside git): the managed remote files are made equal to the folder, deletions included;
    - "no-delete": the branch holds publishes, but none from this history (a shallow clone, a
      rewritten history, another repository): nothing is deleted, because what this checkout
      deleted cannot be told;
    - "in-sync": the Hub already equals the folder.
    """

    mode: str
    base: Base | None = None

    def plan(self, job: _Job, remote: dict[str, RemoteFile], only: Sequence[str] | None = None) -> Plan:
        return make_plan(
            job.local,
            remote,
            ignore=job.spec.ignore,
            only=only,
            base=self.base.files if self.base else None,
            deletes=self.mode != "no-delete",
        )


def _plan(hub: Hub, job: _Job, state: RemoteState, revision: str) -> tuple[Plan, _Strategy, list[str]]:
    """The plan against the head just read, and the strategy behind it (see `_Strategy`), with the
    notes that say what it keeps, overwrites or deletes and why."""
    mirror = make_plan(job.local, state.files, ignore=job.spec.ignore)
    if not mirror.changed:
        return mirror, _Strategy("in-sync"), []
    if state.head is None:  # nothing on the Hub yet (a dry run of a new branch or repo)
        return mirror, _Strategy("mirror"), []
    base, why = _find_base(hub, job, revision)
    if base is None:
        strategy = _Strategy("no-delete" if why in ("shallow", "foreign") else "mirror")
        plan = strategy.plan(job, state.files)
        plan.hashed_bytes += mirror.hashed_bytes
        return plan, strategy, _no_base_notes(job, plan, why)
    strategy = _Strategy("three-way", base)
    plan = strategy.plan(job, state.files)
    plan.hashed_bytes += mirror.hashed_bytes
    notes = list(base.notes)
    kept = kept_remote_files(job.local, state.files, base.files, job.spec.ignore)
    if kept:
        notes.append(
            f"kept {len(kept)} file(s) added on the Hub since the last publish from this history "
            f"(git {base.git_commit[:12]}): {_shown(kept)}"
        )
    contested = contested_paths(plan, state.files, base.files)
    for path in contested:
        notes.append(
            f"{path}: changed on the Hub since the last publish and by this checkout too: this publish's version wins"
        )
    return plan, strategy, notes


def _shown(paths: Sequence[str], limit: int = 5) -> str:
    return ", ".join(paths[:limit]) + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def _no_base_notes(job: _Job, plan: Plan, why: str) -> list[str]:
    deletes = [c.path for c in plan.changes if c.action == "delete"]
    if why == "outside-git":
        reason = "the folder is not in git (or git ignores it), so there is no record of what was published before"
    elif why == "first":
        reason = "no earlier hf-publish commit on this branch"
    else:
        what = (
            "this is a shallow clone: fetch the history (actions/checkout with `fetch-depth: 0`, or "
            "`git fetch --unshallow`) to let deletions through"
            if why == "shallow"
            else "history rewritten (force-push, rebase, squash) or another repository"
        )
        notes = [
            f"the publishes on the Hub come from git commits not in this checkout's history ({what}); "
            "hf-publish cannot tell which files this checkout deleted, so it deletes none"
        ]
        if plan.not_deleted:
            notes.append(
                f"not deleted: {len(plan.not_deleted)} file(s) on the Hub that the folder lacks: "
                f"{_shown(plan.not_deleted)}"
            )
        return notes
    if not deletes:
        return [f"mirror: {reason}"]
    return [
        f"mirror: {reason}, so the Hub repo is made equal to the folder: deleting {len(deletes)} file(s) "
        f"it lacks: {_shown(deletes)}"
    ]


def _find_base(hub: Hub, job: _Job, revision: str) -> tuple[Base | None, str]:
    """(the base, "") or (None, why not): "outside-git", "first" (no hf-publish commit on the
    branch), "shallow" or "foreign" (publishes exist, none from this checkout's history).

    The base is the newest hf-publish commit on the branch whose git commit is in this checkout's
    history (HEAD or an ancestor; publishes of other clones' commits are skipped); its files are
    what this checkout published then: the folder at that git commit, read from git (see plan.Base).
    """
    from hf_publish import _git

    if not job.in_git:
        return None, "outside-git"
    history = hub.history(job.repo_id, job.repo_type, revision)
    candidates = []
    for index, (commit_id, message) in enumerate(history):
        match = GIT_COMMIT_LINE.search(message)
        if match:
            candidates.append((index, commit_id, message, match.group(1), bool(match.group(2))))
    if not candidates:
        return None, "first"
    known = _git.known_commits(job.root, [c[3] for c in candidates]) if _git.head_commit(job.root) else set()
    skipped: list[str] = []
    for index, commit_id, message, git_commit, dirty in candidates:
        if git_commit not in known or not _git.is_ancestor(job.root, git_commit):
            skipped.append(git_commit)
            continue
        folder, ignore = _published_rules(message, job.spec)
        source = repo_source(job.root, True, folder, ignore=ignore, policy_path=job.policy_path)
        files = base_files(job.root, git_commit, source.rel, ignore=source.ignore, exclude=source.exclude)
        if dirty:  # it published more than its git commit: take what it changed as the Hub holds it
            parent = history[index + 1][0] if index + 1 < len(history) else None
            before = hub.tree(job.repo_id, job.repo_type, parent) if parent else {}
            files = overlay(files, before, hub.tree(job.repo_id, job.repo_type, commit_id))
        notes = []
        if skipped:
            notes.append(
                f"planned from the publish of git {git_commit[:12]}: the {len(skipped)} newer publish(es) "
                "on the Hub came from commits not in this checkout's history (another clone, or a "
                "rewritten history); what they changed stays unless this checkout changed the same paths"
            )
        return Base(commit_id, git_commit, files, notes), ""
    return None, ("shallow" if _git.is_shallow(job.root) else "foreign")


def _published_rules(message: str, spec: RepoSpec) -> tuple[str, tuple[str, ...]]:
    """The folder and `ignore` globs a publish used, from its commit description (older publishes
    name only the folder: the current globs stand in for theirs)."""
    match = RULES_LINE.search(message)
    if match:
        try:
            rules = json.loads(match.group(1))
            folder, ignore = rules.get("path"), rules.get("ignore")
            if isinstance(folder, str) and isinstance(ignore, list) and all(isinstance(g, str) for g in ignore):
                return folder, tuple(ignore)
        except ValueError:
            pass
    match = FOLDER_IN_TITLE_LINE.search(message)
    return (match.group(1) if match else spec.path), tuple(spec.ignore)


def _commit_url(hub: Hub, job: _Job, sha: str) -> str:
    return f"{repo_url(hub.endpoint, job.repo_id, job.repo_type)}/commit/{sha}"


def _head_commit(hub: Hub, job: _Job, head: str | None) -> CommitResult | None:
    """A head read from the Hub as the run's commit (None where the branch has no commit yet)."""
    return CommitResult(head, _commit_url(hub, job, head), None) if head else None


def build_operations(plan: Plan, local: dict[str, LocalFile]) -> list[Any]:
    """huggingface_hub operations for a plan. Known sha256s (from LFS pointers) are handed over,
    so the client does not read a file to hash it."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    operations: list[Any] = []
    for change in plan.changes:
        if change.action == "delete":
            operations.append(CommitOperationDelete(path_in_repo=change.path))
            continue
        mine = local[change.path]
        op = CommitOperationAdd(path_in_repo=change.path, path_or_fileobj=str(mine.source))
        if mine.sha256:
            op.upload_info.sha256 = bytes.fromhex(mine.sha256)
        operations.append(op)
    return operations


def _release(hub: Hub, job: _Job, tag: str, commit_sha: str, description: str, log: Log) -> str:
    if job.tag_target == commit_sha:
        log(f"{job.repo_id}: tag {tag} already at {commit_sha[:12]}: nothing to do")
        return tag
    message = f"Release {tag}\n\n{description}".strip()
    try:
        hub.create_tag(job.repo_id, job.repo_type, tag, commit_sha, message)
        log(f"{job.repo_id}: tagged {tag} at {commit_sha[:12]}")
    except ConflictError:
        target = hub.tag_target(job.repo_id, job.repo_type, tag)
        if target != commit_sha:
            raise HubError(
                f"{job.repo_id}: tag {tag} was created concurrently at {str(target)[:12]}, not at "
                f"the published commit {commit_sha[:12]} (tags are immutable). Next: release a "
                "new version"
            ) from None
    return tag


def commit_message(job: _Job, root: Path, in_git: bool, env: dict[str, str], tag: str | None) -> tuple[str, str]:
    """Title and description: the git commit (and whether the tree was dirty), the folder and
    `ignore` globs used (a later publish reads them back to rebuild what was published: its base),
    and in GitHub Actions the run URL and actor."""
    lines = [
        f"Published by hf-publish {__version__} from `{job.spec.path}`.",
        "Publish rules: " + json.dumps({"path": job.spec.path, "ignore": list(job.spec.ignore)}, ensure_ascii=False),
    ]
    title = f"Publish {job.spec.name}"
    if in_git and job.in_git:
        from hf_publish import _git

        head = _git.head_commit(root)
        if head:
            title += f" from git {head[:12]}" + (" (with uncommitted changes)" if job.dirty else "")
            lines.append(f"Git commit: {head}" + (" plus uncommitted changes" if job.dirty else ""))
    elif env.get("GITHUB_SHA"):
        # Not "Git commit:": the folder is not that commit's tree, so it must never become a base.
        lines.append(f"Workflow commit: {env['GITHUB_SHA']} (the folder published is not in git)")
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        run = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        if env.get("GITHUB_RUN_ATTEMPT"):
            run += f"/attempts/{env['GITHUB_RUN_ATTEMPT']}"
        lines.append(f"Workflow run: {run}")
    if env.get("GITHUB_ACTOR"):
        lines.append(f"Actor: {env['GITHUB_ACTOR']}")
    if tag:
        lines.append(f"Release: {tag}")
    return title, "\n".join(lines)


def _plan_summary(plan: Plan) -> str:
    t = plan.totals()
    return f"{t['add']} add, {t['update']} update, {t['delete']} delete ({human_bytes(t['upload_bytes'])} to upload)"
