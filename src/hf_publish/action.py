"""The Python side of the GitHub Action (`action.yml` runs `python -m hf_publish gh-action`).

One run: read the inputs (INPUT_* variables mapped by action.yml's `env:`) and the event, decide
what to do (check, publish, release), run the checks and report them as annotations, publish
through `hf-publish publish --format json`, then write the step outputs ($GITHUB_OUTPUT) and a
Markdown job summary ($GITHUB_STEP_SUMMARY).

The token is masked (`::add-mask::`) before anything else is printed and reaches the publish
subprocess only through its environment (HF_TOKEN), never a command line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from hf_publish.errors import EXIT_FINDINGS, EXIT_HUB, EXIT_OK, HfPublishError, PolicyError, UsageError
from hf_publish.findings import Finding, has_errors, sort_findings
from hf_publish.policy import POLICY_FILENAME, Policy, ReleasePolicy
from hf_publish.report import escape_data, escape_property, github_annotation

MODES = ("auto", "check", "publish", "release")
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
TITLE = "hf-publish"
NO_TOKEN_MESSAGE = (
    "no Hub token to publish with: pass `token: ${{ secrets.HF_TOKEN }}` (a fine-grained token with "
    "repo.write on the org), or grant `permissions: id-token: write` for Trusted Publishing"
)
OIDC_HINT = (
    "Trusted Publishing tokens cannot create repos: create a new repo once with a fine-grained "
    "bootstrap token (see examples/workflows/oidc-publish.yml)"
)
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off", "")


# --- inputs and event ------------------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """The action's inputs, validated (composite actions get no INPUT_* for free: action.yml maps them)."""

    token: str = ""
    config: str = POLICY_FILENAME
    repos: tuple[str, ...] = ()
    mode: str = "auto"
    dry_run: bool = False
    endpoint: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Inputs":
        mode = env.get("INPUT_MODE", "auto").strip().lower() or "auto"
        if mode not in MODES:
            raise UsageError(f"mode input: {mode!r} is not one of {', '.join(MODES)}")
        dry = env.get("INPUT_DRY_RUN", "false").strip().lower()
        if dry not in _TRUE + _FALSE:
            raise UsageError(f"dry-run input: {dry!r} is not true or false")
        endpoint = env.get("INPUT_ENDPOINT", "").strip().rstrip("/")
        if endpoint and not re.match(r"^https?://", endpoint):
            raise UsageError(f"endpoint input: {endpoint!r} is not an http(s) URL")
        return cls(
            token=env.get("INPUT_TOKEN", "").strip(),
            config=env.get("INPUT_CONFIG", "").strip() or POLICY_FILENAME,
            repos=tuple(r for r in re.split(r"[\s,]+", env.get("INPUT_REPOS", "")) if r),
            mode=mode,
            dry_run=dry in _TRUE,
            endpoint=endpoint,
        )


@dataclass(frozen=True)
class Event:
    """What triggered the run, from GITHUB_EVENT_NAME, GITHUB_REF and the event payload."""

    name: str
    ref: str = ""
    payload: dict = field(default_factory=dict)

    @property
    def default_branch(self) -> str:
        repo = self.payload.get("repository") or {}
        return repo.get("default_branch") or "main"

    @property
    def branch(self) -> str | None:
        return self.ref[len("refs/heads/"):] if self.ref.startswith("refs/heads/") else None

    @property
    def tag(self) -> str | None:
        return self.ref[len("refs/tags/"):] if self.ref.startswith("refs/tags/") else None

    @property
    def is_pull_request(self) -> bool:
        return self.name in PULL_REQUEST_EVENTS

    @property
    def is_fork(self) -> bool:
        """A pull request from another repository: GitHub gives it no secrets."""
        pr = self.payload.get("pull_request") or {}
        head = ((pr.get("head") or {}).get("repo") or {})
        base = ((pr.get("base") or {}).get("repo") or {})
        if head.get("fork") is True:
            return True
        return bool(head.get("full_name") and base.get("full_name") and head["full_name"] != base["full_name"])


def read_event(env: Mapping[str, str]) -> Event:
    payload: dict = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
            payload = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            payload = {}
    ref = env.get("GITHUB_REF") or payload.get("ref") or ""
    return Event(name=env.get("GITHUB_EVENT_NAME", ""), ref=ref, payload=payload)


@dataclass(frozen=True)
class Decision:
    """What this run does: `mode` is check, publish or release; `reason` is said in the log and summary."""

    mode: str
    reason: str
    tag: str | None = None
    notice: str | None = None  # said once when checks pass (e.g. why nothing is published)


def decide(inputs: Inputs, event: Event, release: ReleasePolicy = ReleasePolicy()) -> Decision:
    """Pure: the mode for this event. An explicit `mode` input wins over the event."""
    mode = inputs.mode
    reason = f"mode input {mode!r}"
    if mode == "auto" and event.name == "workflow_dispatch":
        dispatched = str((event.payload.get("inputs") or {}).get("mode") or "").strip().lower()
        if dispatched in ("check", "publish", "release"):
            mode, reason = dispatched, f"workflow_dispatch input mode {dispatched!r}"
        else:
            return Decision("check", "workflow_dispatch without a mode",
                            notice="Publishing skipped: a manual run publishes only with mode publish or release "
                                   "(set the action's mode input, or a dispatch input named mode)")
    if mode == "auto":
        return _decide_auto(event, release)
    if mode == "release":
        tag = event.tag
        if not tag:
            raise UsageError(f"mode release needs a tag push (GITHUB_REF is {event.ref or 'unset'!r}): "
                             "run on `push: tags: ['v*']`")
        if not re.search(release.tag_pattern, tag):
            raise UsageError(f"tag {tag!r} does not match release.tag_pattern {release.tag_pattern!r}: "
                             "push a matching tag or change the pattern in the policy")
        return Decision("release", reason, tag=tag)
    return Decision(mode, reason)


def _decide_auto(event: Event, release: ReleasePolicy) -> Decision:
    if event.is_pull_request:
        why = "fork pull request" if event.is_fork else "pull request"
        return Decision("check", why, notice=(
            "Publishing skipped: pull requests are checked, not published "
            f"(a push to {event.default_branch} publishes, a release tag releases)"
            + ("; fork pull requests get no secrets and need none for checks" if event.is_fork else "")))
    if event.name == "push":
        if event.payload.get("deleted"):
            return Decision("check", "push that deleted a ref", notice="Publishing skipped: the push deleted a ref")
        if event.tag is not None:
            if re.search(release.tag_pattern, event.tag):
                return Decision("release", f"push of release tag {event.tag}", tag=event.tag)
            return Decision("check", f"push of tag {event.tag}", notice=(
                f"Publishing skipped: tag {event.tag!r} does not match release.tag_pattern"))
        if event.branch == event.default_branch:
            return Decision("publish", f"push to the default branch {event.default_branch}")
        return Decision("check", f"push to branch {event.branch or event.ref or '?'}", notice=(
            f"Publishing skipped: only a push to {event.default_branch} publishes"))
    return Decision("check", f"{event.name or 'unknown'} event", notice=(
        f"Publishing skipped: mode auto publishes only on push events (this is {event.name or 'unknown'}); "
        "set mode to publish to publish anyway"))


# --- workflow commands, outputs, summary ----------------------------------------------------

def command_line(kind: str, message: str, **props: str) -> str:
    """`::error title=hf-publish::message` with both parts escaped."""
    props.setdefault("title", TITLE)
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items())
    return f"::{kind} {joined}::{escape_data(message)}"


def format_outputs(outputs: Mapping[str, str]) -> str:
    """$GITHUB_OUTPUT text: every value in heredoc form with a random delimiter (any value is safe)."""
    chunks = []
    for name, value in outputs.items():
        delimiter = f"ghadelim_{uuid.uuid4().hex}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def outputs_for(results: Sequence[dict]) -> dict[str, str]:
    """The action's outputs from publish results: one line per repo where there are several."""
    def lines(key: str) -> str:
        return "\n".join(str(r.get(key) or "") for r in results) if any(r.get(key) for r in results) else ""

    tags = [r.get("tag") for r in results if r.get("tag")]
    return {
        "repo-url": lines("repo_url"),
        "commit-sha": lines("commit_sha"),
        "commit-url": lines("commit_url"),
        "pr-url": lines("pr_url"),
        "tag": str(tags[0]) if tags else "",
        "changed": "true" if any(r.get("changed") and not r.get("dry_run") for r in results) else "false",
        "plan": json.dumps(list(results), separators=(",", ":"), ensure_ascii=False),
    }


def _md(text: Any) -> str:
    """Table-cell safe Markdown."""
    return str(text).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _plan_counts(plan: Any) -> str:
    if not isinstance(plan, dict):
        return ""
    parts = []
    for key, sign in (("add", "+"), ("added", "+"), ("update", "~"), ("updated", "~"),
                      ("delete", "-"), ("deleted", "-")):
        value = plan.get(key)
        if isinstance(value, (list, tuple)):
            parts.append(f"{sign}{len(value)}")
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"{sign}{value}")
    return " ".join(parts)


def render_summary(decision: Decision, check_ids: Sequence[str], findings: Sequence[Finding],
                   results: Sequence[dict], *, published: bool, message: str = "") -> str:
    """The Markdown job summary: checks table, findings, publish plan, links to the Hub."""
    out = [f"## hf-publish: {decision.mode}", "", f"Why: {_md(decision.reason)}.", ""]
    if message:
        out += [message, ""]
    out += ["### Checks", "", "| check | result |", "|---|---|"]
    for check_id in check_ids:
        mine = [f for f in findings if f.check == check_id]
        errors = sum(f.is_error for f in mine)
        warnings = sum(f.severity == "warning" for f in mine)
        if errors:
            result = f"❌ {errors} error(s)" + (f", {warnings} warning(s)" if warnings else "")
        elif warnings:
            result = f"⚠️ {warnings} warning(s)"
        else:
            result = "✅ passed"
        out.append(f"| `{check_id}` | {result} |")
    shown = [f for f in sort_findings(list(findings)) if f.severity != "notice"]
    if shown:
        out += ["", "| severity | file | line | check | message |", "|---|---|---|---|---|"]
        for f in shown[:50]:
            fix = f" (fix: {f.fix})" if f.fix else ""
            out.append(f"| {f.severity} | `{_md(f.path or '.')}` | {f.line or ''} | {f.check} | {_md(f.message + fix)} |")
        if len(shown) > 50:
            out.append(f"\n…and {len(shown) - 50} more (see the annotations).")
    if published or results:
        out += ["", "### Publish", "", "| repo | changed | commit | tag | plan |", "|---|---|---|---|---|"]
        for r in results:
            url = r.get("repo_url") or ""
            repo = f"[{_md(r.get('repo_id', '?'))}]({url})" if url else _md(r.get("repo_id", "?"))
            sha = str(r.get("commit_sha") or "")
            commit = f"[`{sha[:8]}`]({r['commit_url']})" if sha and r.get("commit_url") else (f"`{sha[:8]}`" if sha else "")
            if r.get("pr_url"):
                commit += f" ([pull request]({r['pr_url']}))"
            tag = r.get("tag") or ""
            tag_cell = f"[`{_md(tag)}`]({url}/tree/{tag})" if tag and url else _md(tag)
            changed = "dry run" if r.get("dry_run") else ("yes" if r.get("changed") else "no change")
            if r.get("created"):
                changed += " (repo created)"
            out.append(f"| {repo} | {changed} | {commit} | {tag_cell} | {_plan_counts(r.get('plan'))} |")
        plans = [r for r in results if r.get("plan")]
        if plans:
            out += ["", "<details><summary>Plan (JSON)</summary>", "", "```json",
                    json.dumps([{"repo_id": r.get("repo_id"), "plan": r.get("plan")} for r in plans], indent=2,
                               ensure_ascii=False), "```", "", "</details>"]
    return "\n".join(out) + "\n"


class Runner:
    """Writes workflow commands to stdout and the env files; holds what the summary needs."""

    def __init__(self, env: Mapping[str, str], out=None) -> None:
        self.env = env
        self.out = out or sys.stdout

    def say(self, line: str) -> None:
        from hf_publish.tokens import redact

        print(redact(line), file=self.out, flush=True)

    def mask(self, secret: str) -> None:
        from hf_publish.tokens import register_secret

        if secret:
            # Not through redact: the runner needs the real value to mask it.
            print(f"::add-mask::{secret}", file=self.out, flush=True)
            register_secret(secret)

    def _append(self, variable: str, text: str) -> None:
        from hf_publish.tokens import redact

        path = self.env.get(variable)
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(redact(text))

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        self._append("GITHUB_OUTPUT", format_outputs(outputs))

    def summary(self, markdown: str) -> None:
        self._append("GITHUB_STEP_SUMMARY", markdown)


# --- the run ---------------------------------------------------------------------------------

def command_gh_action(args: argparse.Namespace | None = None, env: Mapping[str, str] | None = None) -> int:
    """`hf-publish gh-action`: what action.yml's run step executes. Returns the exit code."""
    env = dict(os.environ if env is None else env)
    runner = Runner(env)
    runner.mask(env.get("INPUT_TOKEN", "").strip())
    runner.mask(env.get("HF_TOKEN", "").strip())
    empty = outputs_for([])
    try:
        inputs = Inputs.from_env(env)
        return _run(inputs, env, runner)
    except PolicyError as exc:
        for finding in sort_findings(exc.findings):
            runner.say(github_annotation(finding))
        hint = ": fix the policy file (see the annotations)" if exc.findings else ""
        runner.say(command_line("error", f"{exc}{hint}"))
        runner.set_outputs(empty)
        return exc.exit_code
    except HfPublishError as exc:
        runner.say(command_line("error", str(exc)))
        runner.set_outputs(empty)
        return exc.exit_code


def _run(inputs: Inputs, env: dict[str, str], runner: Runner) -> int:
    from hf_publish import gitrepo
    from hf_publish.checks import CHECK_IDS, CheckContext, run_checks
    from hf_publish.policy import find_policy_file, load_policy

    cwd = Path.cwd()
    root = gitrepo.find_root(cwd)
    if root is None:
        raise UsageError(f"{cwd} is not a git checkout: add `uses: actions/checkout` before this action")
    explicit = None if inputs.config == POLICY_FILENAME and not (cwd / inputs.config).is_file() else cwd / inputs.config
    policy_path = find_policy_file(root, explicit)
    policy = load_policy(policy_path, display_path=_relative(policy_path, root) if policy_path else None)
    for name in inputs.repos:
        policy.repo(name)  # an unknown name is a PolicyError listing the configured ones
    event = read_event(env)
    decision = decide(inputs, event, policy.release)
    runner.say(f"hf-publish: {decision.mode} ({decision.reason})")

    check_ids = [c for c in CHECK_IDS if not (c == "branch-name" and event.tag is not None)]
    ctx = CheckContext(root=root, policy=policy, policy_path=policy_path, all_files=True, source="worktree",
                       in_git=True, env=env, repos=tuple(s.name for s in _selected(policy, inputs)) or None)
    prefix = _workspace_prefix(root, env)
    findings = [replace(f, path=prefix + f.path) if f.path and prefix else f for f in run_checks(check_ids, ctx)]
    for finding in sort_findings(findings):  # worst first: GitHub shows only the first 10 of each kind
        runner.say(github_annotation(finding))
    if has_errors(findings):
        errors = sum(f.is_error for f in findings)
        message = f"{errors} check error(s): fix them (see the annotations){'; nothing was published' if decision.mode != 'check' else ''}"
        runner.summary(render_summary(decision, check_ids, findings, [], published=False, message=f"❌ {message}"))
        runner.set_outputs(outputs_for([]))
        return EXIT_FINDINGS

    if decision.mode == "check":
        if decision.notice:
            runner.say(command_line("notice", decision.notice))
        runner.summary(render_summary(decision, check_ids, findings, [], published=False,
                                      message=f"✅ checks passed. {decision.notice or ''}".strip()))
        runner.set_outputs(outputs_for([]))
        return EXIT_OK

    code, results, message = _publish(inputs, decision, policy, event, root, env, runner, explicit)
    published = code == EXIT_OK
    if code == EXIT_OK and message:  # skipped: fork pull request without a token
        runner.say(command_line("notice", message))
    elif code != EXIT_OK:
        runner.say(command_line("error", message))
    status = ("✅ " if code == EXIT_OK else "❌ ") + (message or ("dry run: nothing was written" if inputs.dry_run else "published"))
    runner.summary(render_summary(decision, check_ids, findings, results, published=published, message=status))
    runner.set_outputs(outputs_for(results))
    return code


def _selected(policy: Policy, inputs: Inputs):
    return tuple(policy.repo(name) for name in inputs.repos) if inputs.repos else policy.repos


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _workspace_prefix(root: Path, env: Mapping[str, str]) -> str:
    """Annotation paths are relative to GITHUB_WORKSPACE; findings are relative to the git root."""
    workspace = env.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        inner = root.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if inner == "." else inner + "/"


def oidc_available(env: Mapping[str, str]) -> bool:
    """GitHub grants an ID token (`permissions: id-token: write`), or one was minted elsewhere (HF_OIDC_ID_TOKEN)."""
    granted = env.get("ACTIONS_ID_TOKEN_REQUEST_URL") and env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    return bool(granted or env.get("HF_OIDC_ID_TOKEN"))


def oidc_resource(repo_id: str, repo_type: str) -> str:
    """HF_OIDC_RESOURCE for a repo: `org/name`, `datasets/org/name` or `spaces/org/name`."""
    return repo_id if repo_type == "model" else f"{repo_type}s/{repo_id}"


def _publish(inputs: Inputs, decision: Decision, policy: Policy, event: Event, root: Path,
             env: dict[str, str], runner: Runner, config: Path | None) -> tuple[int, list[dict], str]:
    """Run `hf-publish publish --format json`; returns (exit code, results, message)."""
    base_env = {**env, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    base_env.pop("HF_OIDC_RESOURCE", None)
    if inputs.endpoint:
        base_env["HF_ENDPOINT"] = inputs.endpoint
    if decision.mode == "publish" and event.tag is not None:
        base_env.pop("GITHUB_REF", None)  # publish reads a tag ref as a release: mode publish means no tag
    token = inputs.token or env.get("HF_TOKEN", "").strip()
    oidc = not token and oidc_available(env)
    if token:
        base_env["HF_TOKEN"] = token
    elif not oidc and not inputs.dry_run:
        if event.is_pull_request and event.is_fork:
            return EXIT_OK, [], ("Publishing skipped: fork pull requests get no secrets, so there is no Hub token; "
                                 "the checks ran and passed")
        return EXIT_HUB, [], NO_TOKEN_MESSAGE
    else:
        base_env.pop("HF_TOKEN", None)

    command = [sys.executable, "-m", "hf_publish", "publish", "--format", "json"]
    if inputs.dry_run:
        command.append("--dry-run")
    if decision.tag:
        command += ["--tag", decision.tag]
    if inputs.endpoint:
        command += ["--endpoint", inputs.endpoint]
    if config is not None:
        command += ["--config", str(config)]

    selected = _selected(policy, inputs)
    if oidc and not inputs.dry_run and selected:
        # One exchange per repo: a Trusted Publishing token is scoped to exactly one repo.
        batches = [([spec.name], {"HF_OIDC_RESOURCE": oidc_resource(spec.repo_id(policy.organization), spec.type)})
                   for spec in selected]
    else:
        batches = [([spec.name for spec in selected] if inputs.repos else [], {})]
    results: list[dict] = []
    for names, extra in batches:
        code, batch, error = _run_publish(command + names, {**base_env, **extra}, runner)
        results.extend(batch)
        if code != EXIT_OK:
            if oidc and code == EXIT_HUB:
                error = f"{error} ({OIDC_HINT})"
            return code, results, error or f"hf-publish publish failed (exit {code})"
    return EXIT_OK, results, ""


def _run_publish(command: list[str], env: dict[str, str], runner: Runner) -> tuple[int, list[dict], str]:
    from hf_publish.tokens import redact

    runner.say("::group::hf-publish publish")
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=Path.cwd())
    for line in proc.stderr.splitlines():
        runner.say(redact(line))
    runner.say("::endgroup::")
    results: list[dict] = []
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    try:
        data = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except ValueError:
        data = {}
        errors.append(f"unreadable output from hf-publish publish: {proc.stdout.strip()[:200]}")
    if isinstance(data, dict):
        results = [r for r in data.get("results") or [] if isinstance(r, dict)]
        for raw in data.get("findings") or []:
            try:
                finding = Finding(**{k: raw[k] for k in ("check", "path", "line", "message") if k in raw},
                                  fix=raw.get("fix", ""), severity=raw.get("severity", "error"))
            except (TypeError, KeyError):
                continue
            runner.say(github_annotation(finding))
    message = ""
    if proc.returncode != 0:
        # The CLI's error starts `hf-publish: ...` and may go on for a few lines (one per refused
        # repo): keep all of it in the one ::error:: command (newlines are escaped there).
        starts = [i for i, line in enumerate(errors) if line.startswith("hf-publish:")]
        text = "\n".join(errors[starts[-1]:]) if starts else (errors[-1] if errors else f"exit {proc.returncode}")
        message = redact(re.sub(r"^hf-publish:\s*(error:\s*)?", "", text.strip()))
    return proc.returncode, results, message
