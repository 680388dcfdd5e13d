"""The Python side of the GitHub Action (`action.yml` runs `python -I -m hf_publish gh-action`).

One run: read the inputs (INPUT_* variables mapped by action.yml's `env:`) and the event, decide
what to do (check, publish, release), run the checks and report them as annotations, publish by
calling `hf_publish.publish.publish()` in this process, then write the step outputs
($GITHUB_OUTPUT) and a Markdown job summary ($GITHUB_STEP_SUMMARY).

Tokens: every token variable is masked (`::add-mask::`, each line, escaped) before anything else
is printed, then removed from this process's environment, so no child process (git, git-lfs)
ever inherits one; the token reaches the Hub client as an argument. On pull-request events no
token is used at all (action.yml does not even pass one), and in check mode it is dropped. A
Trusted Publishing token is masked the moment the exchange returns it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from hf_publish.errors import (
    EXIT_FINDINGS,
    EXIT_HUB,
    EXIT_OK,
    AuthError,
    ChecksFailed,
    HfPublishError,
    PolicyError,
    UsageError,
)
from hf_publish.findings import Finding, has_errors, sort_findings
from hf_publish.policy import POLICY_FILENAME, Policy, ReleasePolicy
from hf_publish.report import (
    emit_command,
    github_annotation,
    inert_text,
    mask_commands,
    md_code,
    md_text,
    md_url,
    workflow_command,
)

MODES = ("auto", "check", "publish", "release")
TITLE = "hf-publish"
# Where a token can arrive; all are masked, then removed from the environment of this process.
TOKEN_VARIABLES = ("INPUT_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_ID_TOKEN")
NO_TOKEN_MESSAGE = (
    "no Hub token to publish with: pass `token: ${{ secrets.HF_TOKEN }}` (a fine-grained token with "
    "repo.write on the org), or grant `permissions: id-token: write` for Trusted Publishing"
)
OIDC_HINT = (
    "Trusted Publishing tokens cannot create repos: create a new repo once with a fine-grained "
    "bootstrap token (see examples/workflows/oidc-publish.yml)"
)
PULL_REQUEST_TARGET_REFUSAL = (
    "mode {mode!r} on pull_request_target is refused: that event runs with the base repository's "
    "secrets while the checkout can hold the pull request's files, so anyone who opens a pull request "
    "could publish their content with your token. Check pull requests on `pull_request` (no token "
    "needed) and publish on `push` to the default branch or of a release tag"
)
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off", "")


# --- inputs and event ------------------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """The action's inputs, validated (composite actions get no INPUT_* for free: action.yml maps them).
    The token is not among them: it travels as `Credentials`."""

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
        if endpoint and not re.match(r"^https?://[^\s]+$", endpoint):
            raise UsageError(f"endpoint input: {endpoint!r} is not an http(s) URL")
        return cls(
            config=env.get("INPUT_CONFIG", "").strip() or POLICY_FILENAME,
            repos=tuple(r for r in re.split(r"[\s,]+", env.get("INPUT_REPOS", "")) if r),
            mode=mode,
            dry_run=dry in _TRUE,
            endpoint=endpoint,
        )


@dataclass(frozen=True)
class Credentials:
    """What this run may publish with: a Hub token, and/or an OIDC id token to exchange."""

    token: str = field(default="", repr=False)
    id_token: str = field(default="", repr=False)

    @classmethod
    def from_secrets(cls, secrets: Mapping[str, str]) -> "Credentials":
        for name, value in secrets.items():
            refuse_unprintable_token(name, value)
        token = secrets.get("INPUT_TOKEN") or secrets.get("HF_TOKEN") or secrets.get("HUGGING_FACE_HUB_TOKEN") or ""
        return cls(token=token, id_token=secrets.get("HF_OIDC_ID_TOKEN", ""))


def refuse_unprintable_token(name: str, value: str) -> None:
    """A token with a line break or another control character is never a real token (and the
    runner could not mask it as one string): refuse it, without showing it."""
    if value and not value.isprintable():
        source = "the token input" if name == "INPUT_TOKEN" else name
        raise AuthError(f"{source} contains a line break or another control character, so it is not a Hugging "
                        "Face token (its lines were masked; it is not shown). Next: copy the token again from "
                        "https://huggingface.co/settings/tokens and save the secret without extra lines")


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
        """pull_request, pull_request_target, pull_request_review...: the checkout may be a pull request's."""
        return self.name.startswith("pull_request")

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
    return Event(name=env.get("GITHUB_EVENT_NAME", ""), ref=str(ref), payload=payload)


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
    if mode in ("publish", "release") and event.name == "pull_request_target":
        raise UsageError(PULL_REQUEST_TARGET_REFUSAL.format(mode=mode))
    if mode == "release":
        tag = event.tag
        if not tag:
            raise UsageError(f"mode release needs a tag push (GITHUB_REF is {event.ref or 'unset'!r}): "
                             "run on `push: tags: ['v*']`")
        if not release.matches(tag):
            raise UsageError(f"tag {tag!r} does not match release.tag_pattern {release.tag_pattern!r} (a full "
                             "match): push a matching tag or change the pattern in the policy")
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
            if release.matches(event.tag):
                return Decision("release", f"push of release tag {event.tag}", tag=event.tag)
            return Decision("check", f"push of tag {event.tag}", notice=(
                f"Publishing skipped: tag {event.tag!r} does not match release.tag_pattern (a full match)"))
        if event.branch == event.default_branch:
            return Decision("publish", f"push to the default branch {event.default_branch}")
        return Decision("check", f"push to branch {event.branch or event.ref or '?'}", notice=(
            f"Publishing skipped: only a push to {event.default_branch} publishes"))
    return Decision("check", f"{event.name or 'unknown'} event", notice=(
        f"Publishing skipped: mode auto publishes only on push events (this is {event.name or 'unknown'}); "
        "set mode to publish to publish anyway"))


def release_commit_problem(root: Path, event: Event, tag: str) -> str | None:
    """Why the checked-out commit of release `tag` may not be released, or None when it is on the
    default branch. The branch is `origin/<default>` as the checkout fetched it (actions/checkout
    with `fetch-depth: 0`), else a local branch of that name; never the network."""
    from hf_publish import gitrepo

    default = event.default_branch
    head = gitrepo.head_commit(root)
    allow = "or set `release.require_on_default_branch: false` in the policy"
    for ref in (f"refs/remotes/origin/{default}", f"refs/heads/{default}"):
        tip = gitrepo.resolve_commit(root, ref)
        if tip is None:
            continue
        if head and gitrepo.is_ancestor(root, head, tip):
            return None
        return (f"release tag {tag!r} points at {(head or '?')[:12]}, which is not on the default branch "
                f"{default} ({ref} is {tip[:12]}): only commits that reached {default} are released. Next: tag a "
                f"commit of {default} (with a shallow checkout, use actions/checkout with fetch-depth: 0), {allow}")
    return (f"cannot tell whether release tag {tag!r} is on the default branch {default}: the checkout has no "
            f"origin/{default}. Next: check out with `fetch-depth: 0` (actions/checkout), {allow}")


# --- workflow commands, outputs, summary ----------------------------------------------------

def command_line(kind: str, message: str, **props: str) -> str:
    """`::error title=hf-publish::message` with both parts escaped."""
    props.setdefault("title", TITLE)
    return workflow_command(kind, message, **props)


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


def _link(text: str, url: Any) -> str:
    """`[text](url)` for an http(s) URL, else the text alone; `text` is already Markdown."""
    safe = md_url(url)
    return f"[{text}]({safe})" if safe else text


def render_summary(decision: Decision, check_ids: Sequence[str], findings: Sequence[Finding],
                   results: Sequence[dict], *, published: bool, message: str = "") -> str:
    """The Markdown job summary: checks table, findings, publish plan, links to the Hub.

    Every piece of untrusted text (paths, messages, repo ids, tags, URLs, Hub answers) goes through
    `md_text` / `md_code` / `md_url`: no link, image, HTML tag or table break can come from it."""
    out = [f"## hf-publish: {decision.mode}", "", f"Why: {md_text(decision.reason)}.", ""]
    if message:
        out += [md_text(message), ""]
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
        out.append(f"| `{check_id}` | {result} |")  # our own ids
    shown = [f for f in sort_findings(list(findings)) if f.severity != "notice"]
    if shown:
        out += ["", "| severity | file | line | check | message |", "|---|---|---|---|---|"]
        for f in shown[:50]:
            fix = f" (fix: {f.fix})" if f.fix else ""
            out.append(f"| {f.severity} | {md_code(f.path or '.')} | {f.line or ''} | {md_text(f.check)} | "
                       f"{md_text(f.message + fix)} |")
        if len(shown) > 50:
            out.append(f"\n…and {len(shown) - 50} more (see the annotations).")
    if published or results:
        out += ["", "### Publish", "", "| repo | changed | commit | tag | plan |", "|---|---|---|---|---|"]
        for r in results:
            url = r.get("repo_url") or ""
            repo = _link(md_text(r.get("repo_id", "?")), url)
            sha = str(r.get("commit_sha") or "")
            short = f"`{sha[:8]}`" if re.fullmatch(r"[0-9a-f]{8,64}", sha) else md_code(sha[:8])
            commit = _link(short, r.get("commit_url")) if sha else ""
            if r.get("pr_url"):
                commit += " (" + _link("pull request", r.get("pr_url")) + ")"
            tag = str(r.get("tag") or "")
            tag_url = f"{url}/tree/{tag}" if tag and url and re.fullmatch(r"[A-Za-z0-9._+-]+", tag) else None
            tag_cell = _link(md_code(tag), tag_url) if tag else ""
            changed = "dry run" if r.get("dry_run") else ("yes" if r.get("changed") else "no change")
            if r.get("created"):
                changed += " (repo created)"
            out.append(f"| {repo} | {changed} | {commit} | {tag_cell} | {_plan_counts(r.get('plan'))} |")
        plans = [r for r in results if r.get("plan")]
        if plans:
            # Inside a fenced block nothing renders, so the JSON only has to keep the fence closed.
            text = json.dumps([{"repo_id": r.get("repo_id"), "plan": r.get("plan")} for r in plans], indent=2,
                              ensure_ascii=True).replace("`", "\\u0060").replace("<", "\\u003c")
            out += ["", "<details><summary>Plan (JSON)</summary>", "", "```json", text, "```", "", "</details>"]
    return "\n".join(out) + "\n"


class Runner:
    """Writes workflow commands and log lines to stdout, and the env files."""

    def __init__(self, env: Mapping[str, str], out=None) -> None:
        self.env = env
        self.out = out

    def say(self, text: str) -> None:
        """A log line: untrusted text allowed (it is made inert for the runner)."""
        from hf_publish.tokens import redact

        print(inert_text(redact(text)), file=self.out, flush=True)

    def command(self, line: str) -> None:
        """A workflow command built by `command_line` / `github_annotation` (already escaped)."""
        from hf_publish.tokens import redact

        emit_command(redact(line), self.out)

    def mask(self, secret: str) -> None:
        """`::add-mask::` for every line of `secret` (escaped as the runner unescapes it), then
        register it so `redact` hides it in everything this process writes."""
        from hf_publish.tokens import register_secret

        if secret:
            for line in mask_commands(secret):
                emit_command(line, self.out)  # not through redact: the runner needs the real value
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
    own_environment = env is None
    env = dict(os.environ if env is None else env)
    runner = Runner(env)
    secrets = {name: env.pop(name, "").strip() for name in TOKEN_VARIABLES}
    for value in secrets.values():
        runner.mask(value)  # before anything else is printed
    if own_environment:
        for name in TOKEN_VARIABLES:  # no child process (git, git-lfs) inherits a token
            os.environ.pop(name, None)
    base = Path(getattr(args, "path", None) or os.getcwd()).absolute()
    empty = outputs_for([])
    try:
        inputs = Inputs.from_env(env)
        event = read_event(env)
        # A pull request's checkout is read by this process: no token is kept on such events.
        credentials = Credentials() if event.is_pull_request else Credentials.from_secrets(secrets)
        del secrets
        return _run(inputs, event, env, runner, base, credentials)
    except PolicyError as exc:
        for finding in sort_findings(exc.findings):
            runner.command(github_annotation(finding))
        hint = ": fix the policy file (see the annotations)" if exc.findings else ""
        runner.command(command_line("error", f"{exc}{hint}"))
        runner.set_outputs(empty)
        return exc.exit_code
    except HfPublishError as exc:
        runner.command(command_line("error", str(exc)))
        runner.set_outputs(empty)
        return exc.exit_code


def _run(inputs: Inputs, event: Event, env: dict[str, str], runner: Runner, base: Path,
         credentials: Credentials) -> int:
    from hf_publish import gitrepo
    from hf_publish.checks import CHECK_IDS, CheckContext, run_checks
    from hf_publish.policy import find_policy_file, load_policy

    root = gitrepo.find_root(base)
    if root is None:
        raise UsageError(f"{base} is not a git checkout: add `uses: actions/checkout` before this action")
    explicit = None if inputs.config == POLICY_FILENAME and not (base / inputs.config).is_file() else base / inputs.config
    policy_path = find_policy_file(root, explicit)
    policy = load_policy(policy_path, display_path=_relative(policy_path, root) if policy_path else None, root=root)
    for name in inputs.repos:
        policy.repo(name)  # an unknown name is a PolicyError listing the configured ones
    decision = decide(inputs, event, policy.release)
    if decision.mode == "check":
        credentials = Credentials()  # a check run never needs a token: drop it
    runner.say(f"hf-publish: {decision.mode} ({decision.reason})")
    if decision.mode == "release" and decision.tag and policy.release.require_on_default_branch:
        problem = release_commit_problem(root, event, decision.tag)
        if problem:
            raise UsageError(problem)

    # branch-name is about committing; a publish (after a merge, or of a tag) runs the content checks only
    check_ids = [c for c in CHECK_IDS if not (c == "branch-name" and (event.tag is not None or decision.mode != "check"))]
    ctx = CheckContext(root=root, policy=policy, policy_path=policy_path, all_files=True, source="worktree",
                       in_git=True, env=env, repos=tuple(s.name for s in _selected(policy, inputs)) or None)
    prefix = _workspace_prefix(root, env)
    findings = [_prefixed(f, prefix) for f in run_checks(check_ids, ctx)]
    for finding in sort_findings(findings):  # worst first: GitHub shows only the first 10 of each kind
        runner.command(github_annotation(finding))
    if has_errors(findings):
        errors = sum(f.is_error for f in findings)
        message = f"{errors} check error(s): fix them (see the annotations){'; nothing was published' if decision.mode != 'check' else ''}"
        runner.summary(render_summary(decision, check_ids, findings, [], published=False, message=f"❌ {message}"))
        runner.set_outputs(outputs_for([]))
        return EXIT_FINDINGS

    if decision.mode == "check":
        if decision.notice:
            runner.command(command_line("notice", decision.notice))
        runner.summary(render_summary(decision, check_ids, findings, [], published=False,
                                      message=f"✅ checks passed. {decision.notice or ''}".strip()))
        runner.set_outputs(outputs_for([]))
        return EXIT_OK

    code, results, message = _publish(inputs, decision, policy, event, root, env, runner, explicit, credentials,
                                      prefix)
    published = code == EXIT_OK
    if code == EXIT_OK and message:  # skipped: a pull request
        runner.command(command_line("notice", message))
    elif code != EXIT_OK:
        runner.command(command_line("error", message))
    status = ("✅ " if code == EXIT_OK else "❌ ") + (message or _publish_status(inputs.dry_run, results))
    runner.summary(render_summary(decision, check_ids, findings, results, published=published, message=status))
    runner.set_outputs(outputs_for(results))
    return code


def _publish_status(dry_run: bool, results: Sequence[dict]) -> str:
    """The summary's one-line verdict: never "published" for a run that changed nothing."""
    if dry_run:
        return "dry run: nothing was written"
    changed = [r for r in results if r.get("changed")]
    tagged = [r for r in results if r.get("tag")]
    if not changed:
        return "no changes, the Hub already has this content" + (", tagged" if tagged else "")
    return f"published {len(changed)} of {len(results)} repo(s)" if len(results) > 1 else "published"


def _selected(policy: Policy, inputs: Inputs):
    return tuple(policy.repo(name) for name in inputs.repos) if inputs.repos else policy.repos


def _prefixed(finding: Finding, prefix: str) -> Finding:
    return replace(finding, path=prefix + finding.path) if finding.path and prefix else finding


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


def oidc_available(env: Mapping[str, str], credentials: Credentials) -> bool:
    """GitHub grants an ID token (`permissions: id-token: write`), or one was minted elsewhere (HF_OIDC_ID_TOKEN)."""
    granted = env.get("ACTIONS_ID_TOKEN_REQUEST_URL") and env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    return bool(granted or credentials.id_token)


def oidc_resource(repo_id: str, repo_type: str) -> str:
    """HF_OIDC_RESOURCE for a repo: `org/name`, `datasets/org/name` or `spaces/org/name`."""
    return repo_id if repo_type == "model" else f"{repo_type}s/{repo_id}"


def exchange_oidc_token(resource: str, credentials: Credentials, endpoint: str | None, runner: Runner) -> str:
    """The Trusted Publishing token for one repo (the exchange huggingface_hub's get_token() makes
    for HF_OIDC_RESOURCE), masked the moment it exists."""
    from huggingface_hub._oidc import oidc_login  # the runtime is pinned by the hash lock

    from hf_publish.hub import translate

    try:
        answer = oidc_login(resource=resource, subject_token=credentials.id_token or None, endpoint=endpoint or None)
    except Exception as exc:
        error = translate(exc, doing=f"exchanging the job's OIDC token for {resource}", rule="oidc")
        if error is None:
            raise
        raise error from None
    token = str(answer.get("access_token") or "")
    runner.mask(token)
    if not token:
        raise AuthError(f"the Trusted Publishing exchange for {resource} returned no token")
    return token


def _publish(inputs: Inputs, decision: Decision, policy: Policy, event: Event, root: Path, env: dict[str, str],
             runner: Runner, config: Path | None, credentials: Credentials,
             prefix: str) -> tuple[int, list[dict], str]:
    """Publish in this process (`hf_publish.publish.publish`); returns (exit code, results, message)."""
    from huggingface_hub.utils import disable_progress_bars

    from hf_publish.hub import make_api
    from hf_publish.publish import (DEFAULT_RETRY_BUDGET, RETRY_BUDGET_ENV, XET_RETRY_ENV, _seconds, format_plan,
                                    publish, xet_retry_cap)

    if event.is_pull_request and not inputs.dry_run:
        if event.is_fork:
            return EXIT_OK, [], ("Publishing skipped: fork pull requests get no secrets, so there is no Hub token; "
                                 "the checks ran and passed")
        return EXIT_OK, [], ("Publishing skipped: on pull request events the action never uses a token (the "
                             "checkout holds the pull request's files); publish on push, or use dry-run: true")
    publish_env = dict(env)
    if decision.mode == "publish" and event.tag is not None:
        publish_env.pop("GITHUB_REF", None)  # publish reads a tag ref as a release: mode publish means no tag
    endpoint = inputs.endpoint or None
    oidc = not credentials.token and not inputs.dry_run and oidc_available(env, credentials)
    if not credentials.token and not oidc and not inputs.dry_run:
        return EXIT_HUB, [], NO_TOKEN_MESSAGE

    selected = _selected(policy, inputs)
    if oidc:
        # One exchange per repo: a Trusted Publishing token is scoped to exactly one repo.
        batches = [([spec.name], spec) for spec in selected]
    else:
        batches = [([spec.name for spec in selected] if inputs.repos else [], None)]
    # hf_xet reads its retry budget once per process: cap it as `hf-publish publish` does.
    os.environ.setdefault(XET_RETRY_ENV, xet_retry_cap(_seconds(None, env, RETRY_BUDGET_ENV, DEFAULT_RETRY_BUDGET)))
    disable_progress_bars()
    results: list[dict] = []
    for names, spec in batches:
        runner.command("::group::hf-publish publish")
        try:
            if spec is not None:
                resource = oidc_resource(spec.repo_id(policy.organization), spec.type)
                api, source = make_api(endpoint, exchange_oidc_token(resource, credentials, endpoint, runner)), \
                    "Trusted Publishing (OIDC)"
            elif credentials.token:
                api, source = make_api(endpoint, credentials.token), "the token input or HF_TOKEN"
            else:
                api, source = None, None  # a dry run without a token plans against an empty remote
            report = publish(root, repos=names or None, dry_run=inputs.dry_run, tag=decision.tag, api=api,
                             endpoint=endpoint, token_source=source, config=config, env=publish_env, log=runner.say)
        except ChecksFailed as exc:
            for finding in sort_findings([_prefixed(f, prefix) for f in exc.findings]):
                runner.command(github_annotation(finding))
            return EXIT_FINDINGS, results, f"{exc}; nothing was published"
        except HfPublishError as exc:
            done = getattr(exc, "report", None)
            results.extend(r.to_dict() for r in (done.results if done is not None else []))
            message = str(exc)
            if oidc and exc.exit_code == EXIT_HUB:
                message = f"{message} ({OIDC_HINT})"
            return exc.exit_code, results, message
        finally:
            runner.command("::endgroup::")
        for result in report.results:
            results.append(result.to_dict())
            runner.say(f"{result.repo_id}: " + ("dry run" if result.dry_run else
                                                 "changed" if result.changed else "no change"))
            for line in format_plan(result.plan):
                runner.say(line)
    return EXIT_OK, results, ""
