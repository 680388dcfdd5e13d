"""The Python side of the GitHub Action (`action.yml` runs `python -I -m hf_publish gh-action`).

One run: read the inputs (INPUT_* variables mapped by action.yml's `env:`) and the event, decide
what to do (check, publish, release), run the checks and report them as annotations, publish by
calling `hf_publish.publishing.run.publish()` in this process, then write the step outputs
($GITHUB_OUTPUT) and a Markdown job summary ($GITHUB_STEP_SUMMARY).

Tokens: every token variable is masked (`::add-mask::`, each line, escaped) before anything else
is printed, then removed from this process's environment, so no child process (git, git-lfs)
ever inherits one; the token reaches the Hub client as an argument. On pull-request events no
token is used at all (action.yml does not even pass one), and in check mode it is dropped. A
Trusted Publishing token is masked the moment the exchange returns it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from hf_publish._record import replace
from hf_publish.action.decide import (
    TOKEN_VARIABLES,
    Credentials,
    Decision,
    Event,
    Inputs,
    decide,
    read_event,
    release_commit_problem,
)
from hf_publish.action.summary import command_line, format_outputs, outputs_for, render_summary
from hf_publish.errors import (
    EXIT_FINDINGS,
    EXIT_HUB,
    EXIT_OK,
    ChecksFailed,
    HfPublishError,
    PolicyError,
    UsageError,
)
from hf_publish.findings import Finding, has_errors, sort_findings
from hf_publish.policy.model import POLICY_FILENAME, Policy, RepoSpec
from hf_publish.report import (
    emit_command,
    github_annotation,
    inert_text,
    mask_commands,
)
from hf_publish.tokens import Redactor

NO_TOKEN_MESSAGE = (
    "no Hub token to publish with: pass `token: ${{ secrets.HF_TOKEN }}` (a fine-grained token with "
    "repo.write on the org), or grant `permissions: id-token: write` for Trusted Publishing"
)
OIDC_HINT = (
    "Trusted Publishing tokens cannot create repos: create a new repo once with a fine-grained "
    "bootstrap token (see examples/workflows/oidc-publish.yml)"
)


class Runner:
    """Writes workflow commands and log lines (to `out`, default stdout) and the env files, every
    piece through `redactor`: the run's secrets (tokens, a Trusted Publishing token) never leave."""

    def __init__(self, env: Mapping[str, str], out: TextIO | None = None, redactor: Redactor | None = None) -> None:
        self.env = env
        self.out = out
        self.redactor = redactor if redactor is not None else Redactor()

    def say(self, text: str) -> None:
        """A log line: untrusted text allowed (it is made inert for the runner)."""
        print(inert_text(self.redactor.redact(text)), file=self.out, flush=True)

    def command(self, line: str) -> None:
        """A workflow command built by `command_line` / `github_annotation` (already escaped)."""
        emit_command(self.redactor.redact(line), self.out)

    def mask(self, secret: str) -> None:
        """`::add-mask::` for every line of `secret` (escaped as the runner unescapes it), then
        add it to the redactor so that nothing this run writes shows it."""
        if secret:
            for line in mask_commands(secret):
                emit_command(line, self.out, redact=False)  # the runner needs the real value
            self.redactor.add(secret)

    def _append(self, variable: str, text: str) -> None:
        path = self.env.get(variable)
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(self.redactor.redact(text))

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        self._append("GITHUB_OUTPUT", format_outputs(outputs))

    def summary(self, markdown: str) -> None:
        self._append("GITHUB_STEP_SUMMARY", markdown)


# --- the run ---------------------------------------------------------------------------------


def command_gh_action(
    args: argparse.Namespace | None = None, env: Mapping[str, str] | None = None, *, redactor: Redactor | None = None
) -> int:
    """`hf-publish gh-action`: what action.yml's run step executes. Returns the exit code."""
    own_environment = env is None
    env = dict(os.environ if env is None else env)
    runner = Runner(env, redactor=redactor)
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
        hub = inputs.endpoint or env.get("HF_ENDPOINT", "")
        credentials = Credentials() if event.is_pull_request else Credentials.from_secrets(secrets, hub)
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


def _run(
    inputs: Inputs, event: Event, env: dict[str, str], runner: Runner, base: Path, credentials: Credentials
) -> int:
    from hf_publish import _git
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.checks.registry import CHECK_IDS, CONTENT_CHECK_IDS, run_checks
    from hf_publish.policy.load import find_policy_file, load_policy

    root = _git.find_root(base)
    if root is None:
        raise UsageError(f"{base} is not a git checkout. Next: add `uses: actions/checkout` before this action")
    explicit = (
        None if inputs.config == POLICY_FILENAME and not (base / inputs.config).is_file() else base / inputs.config
    )
    policy_path = find_policy_file(root, explicit)
    policy = load_policy(policy_path, display_path=_relative(policy_path, root) if policy_path else None, root=root)
    for name in inputs.repos:
        policy.repo(name)  # an unknown name is a PolicyError listing the configured ones
    if inputs.mode == "audit":  # the org audit (hf_publish/org/action.py): read-only, no checks of the checkout
        from hf_publish.org.action import run_audit_mode

        code, audit = run_audit_mode(policy, env, runner, base, credentials.token, inputs.endpoint)
        runner.set_outputs({**outputs_for([]), **audit})
        return code
    decision = decide(inputs, event, policy.release)
    if decision.mode == "check":
        credentials = Credentials()  # a check run never needs a token: drop it
    runner.say(f"hf-publish: {decision.mode} ({decision.reason})")
    if decision.mode == "release" and decision.tag and policy.release.require_on_default_branch:
        problem = release_commit_problem(root, event, decision.tag)
        if problem:
            raise UsageError(problem)

    # branch-name is about committing; a publish (after a merge, or of a tag) runs the content checks only
    # a pull request runs every check (as the hooks do); a publish runs exactly the checks publish
    # runs, the content checks, once (branch-name is about committing, members about the org's file)
    if decision.mode == "check":
        check_ids = [c for c in CHECK_IDS if not (c == "branch-name" and event.tag is not None)]
    else:
        check_ids = list(CONTENT_CHECK_IDS)
    ctx = CheckContext(
        root=root,
        policy=policy,
        policy_path=policy_path,
        all_files=True,
        source="worktree",
        in_git=True,
        env=env,
        repos=tuple(s.name for s in _selected(policy, inputs)) or None,
    )
    prefix = _workspace_prefix(root, env)
    found = run_checks(check_ids, ctx)  # the one check run: publish is handed these, not run again
    findings = [_prefixed(f, prefix) for f in found]
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
        runner.summary(
            render_summary(
                decision,
                check_ids,
                findings,
                [],
                published=False,
                message=f"✅ checks passed. {decision.notice or ''}".strip(),
            )
        )
        runner.set_outputs(outputs_for([]))
        return EXIT_OK

    content = [f for f in found if f.check in CONTENT_CHECK_IDS]
    code, results, message = _publish(
        inputs, decision, policy, event, root, env, runner, explicit, credentials, prefix, content
    )
    published = code == EXIT_OK
    if code == EXIT_OK and message:  # skipped: a pull request
        runner.command(command_line("notice", message))
    elif code != EXIT_OK:
        runner.command(command_line("error", message))
    status = ("✅ " if code == EXIT_OK else "❌ ") + (message or _publish_status(inputs.dry_run, results))
    runner.summary(render_summary(decision, check_ids, findings, results, published=published, message=status))
    runner.set_outputs(outputs_for(results))
    return code


def _publish_status(dry_run: bool, results: Sequence[dict[str, Any]]) -> str:
    """The summary's one-line verdict: never "published" for a run that changed nothing."""
    if dry_run:
        return "dry run: nothing was written"
    changed = [r for r in results if r.get("changed")]
    tagged = [r for r in results if r.get("tag")]
    if not changed:
        return "no changes, the Hub already has this content" + (", tagged" if tagged else "")
    return f"published {len(changed)} of {len(results)} repo(s)" if len(results) > 1 else "published"


def _selected(policy: Policy, inputs: Inputs) -> tuple[RepoSpec, ...]:
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
    """The Trusted Publishing token for one repo (`publishing.hub.exchange_oidc_token`), masked for
    the runner the moment it exists."""
    from hf_publish.publishing.hub import exchange_oidc_token as exchange

    token = exchange(resource, credentials.id_token or None, endpoint, runner.redactor)
    runner.mask(token)
    return token


def _publish(
    inputs: Inputs,
    decision: Decision,
    policy: Policy,
    event: Event,
    root: Path,
    env: dict[str, str],
    runner: Runner,
    config: Path | None,
    credentials: Credentials,
    prefix: str,
    checked: list[Finding],
) -> tuple[int, list[dict[str, Any]], str]:
    """Publish in this process (`hf_publish.publishing.run.publish`), handing it the content checks'
    findings of this run (`checked`) so that the checks run once; returns (exit code, results, message)."""
    from hf_publish.publishing.hub import make_api
    from hf_publish.publishing.output import PublishResult, format_plan
    from hf_publish.publishing.run import publish

    if event.is_pull_request and not inputs.dry_run:
        if event.is_fork:
            return (
                EXIT_OK,
                [],
                (
                    "Publishing skipped: fork pull requests get no secrets, so there is no Hub token; "
                    "the checks ran and passed"
                ),
            )
        return (
            EXIT_OK,
            [],
            (
                "Publishing skipped: on pull request events the action never uses a token (the "
                "checkout holds the pull request's files); publish on push, or use dry-run: true"
            ),
        )
    publish_env = dict(env)
    if decision.mode == "publish" and event.tag is not None:
        publish_env.pop("GITHUB_REF", None)  # publish reads a tag ref as a release: mode publish means no tag
    endpoint = inputs.endpoint or None
    oidc = not credentials.token and not inputs.dry_run and oidc_available(env, credentials)
    if not credentials.token and not oidc and not inputs.dry_run:
        return EXIT_HUB, [], NO_TOKEN_MESSAGE

    selected = _selected(policy, inputs)
    batches: list[tuple[list[str], RepoSpec | None]]
    if oidc:
        # One exchange per repo: a Trusted Publishing token is scoped to exactly one repo.
        batches = [([spec.name], spec) for spec in selected]
    else:
        batches = [([spec.name for spec in selected] if inputs.repos else [], None)]
    results: list[dict[str, Any]] = []

    def done(result: PublishResult) -> None:
        results.append(result.to_dict())
        runner.say(
            f"{result.repo_id}: " + ("dry run" if result.dry_run else "changed" if result.changed else "no change")
        )
        for line in format_plan(result.plan):
            runner.say(line)

    for names, spec in batches:
        runner.command("::group::hf-publish publish")
        try:
            if spec is not None:
                resource = oidc_resource(spec.repo_id(policy.organization), spec.type)
                api, source = (
                    make_api(endpoint, exchange_oidc_token(resource, credentials, endpoint, runner)),
                    "Trusted Publishing (OIDC)",
                )
            elif credentials.token:
                api, source = make_api(endpoint, credentials.token), "the token input or HF_TOKEN"
            else:
                api, source = None, None  # a dry run without a token plans against an empty remote
            # Progress bars off and hf_xet's retries capped by the retry budget, for this publish only.
            publish(
                root,
                repos=names or None,
                dry_run=inputs.dry_run,
                tag=decision.tag,
                api=api,
                endpoint=endpoint,
                token_source=source,
                config=config,
                env=publish_env,
                log=runner.say,
                redactor=runner.redactor,
                progress=False,
                findings=checked,
                on_result=done,
            )
        except ChecksFailed as exc:
            for finding in sort_findings([_prefixed(f, prefix) for f in exc.findings]):
                runner.command(github_annotation(finding))
            return EXIT_FINDINGS, results, f"{exc}; nothing was published"
        except HfPublishError as exc:  # `results` holds the repos done before it
            message = str(exc)
            if oidc and exc.exit_code == EXIT_HUB:
                message = f"{message} ({OIDC_HINT})"
            return exc.exit_code, results, message
        finally:
            runner.command("::endgroup::")
    return EXIT_OK, results, ""
