"""`hf-publish publish`: the command around `hf_publish.publishing.run.publish`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hf_publish._record import replace
from hf_publish.errors import EXIT_FINDINGS, EXIT_OK, ChecksFailed, HubError, UsageError
from hf_publish.findings import Finding
from hf_publish.publishing.hub import DEFAULT_RETRY_BUDGET, DEFAULT_TIMEOUT, make_api
from hf_publish.publishing.output import PublishReport, PublishResult, format_results
from hf_publish.publishing.run import (
    RETRY_BUDGET_ENV,
    SANDBOX_DEFAULT_TOKEN,
    SANDBOX_TOKEN_ENV,
    TIMEOUT_ENV,
    _seconds,
    publish,
)

if TYPE_CHECKING:
    from hf_publish.sandbox import Sandbox
    from hf_publish.tokens import Redactor


def command_publish(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish.report import default_format, emit_command, github_annotation
    from hf_publish.tokens import Redactor

    redactor = redactor if redactor is not None else Redactor.from_env(os.environ)
    budget = _seconds(args.retry_budget, dict(os.environ), RETRY_BUDGET_ENV, DEFAULT_RETRY_BUDGET)
    timeout = _seconds(args.timeout, dict(os.environ), TIMEOUT_ENV, DEFAULT_TIMEOUT)
    fmt = default_format(args.format)
    path = Path(args.path or ".")
    kwargs: dict[str, Any] = {
        "repos": args.repos or None,
        "dry_run": args.dry_run,
        "tag": args.tag,
        "revision": args.revision,
        "create_pr": args.create_pr,
        "config": args.config,
        "timeout": timeout,
        "retry_budget": budget,
        "redactor": redactor,
        # progress bars are for people at a terminal, not logs (publish scopes the setting to its run)
        "progress": fmt == "text" and sys.stderr.isatty(),
    }
    done: list[PublishResult] = []  # each repo's result as soon as it is published
    kwargs["on_result"] = done.append
    sandbox = None
    try:
        if args.sandbox:
            sandbox, api, source = start_sandbox(path, args.config)
            kwargs.update(api=api, token_source=source)
        else:
            kwargs.update(endpoint=args.endpoint)
        report = publish(path, **kwargs)
    except ChecksFailed as exc:
        _print_findings(exc.findings, fmt, results=[], redactor=redactor)
        print(f"hf-publish: {exc}; nothing was published", file=sys.stderr)
        return EXIT_FINDINGS
    except HubError as exc:
        if fmt == "json" and done:  # what was published before the failure
            _print_findings([], fmt, results=done, redactor=redactor)
        if fmt == "github":
            emit_command(github_annotation(Finding("publish", "", None, redactor.redact(str(exc)))))
        raise
    finally:
        if sandbox is not None:
            sandbox.stop()
    _print_findings(report.findings, fmt, results=report.results, redactor=redactor)
    if fmt != "json":
        print(redactor.redact(format_results(report)))
    return EXIT_OK


def _print_findings(findings: list[Finding], fmt: str, results: list[PublishResult], *, redactor: Redactor) -> None:
    from hf_publish.report import json_text, print_findings

    if fmt == "json":
        report = PublishReport(results=results, findings=findings)
        print(redactor.redact(json_text(report.to_dict())))
        return
    print_findings([replace(f, message=redactor.redact(f.message), fix=redactor.redact(f.fix)) for f in findings], fmt)


def start_sandbox(path: Path, config: str | None) -> tuple[Sandbox, Any, str]:
    """Start an in-process sandbox whose org is the policy's, and an HfApi on it.

    The token is the sandbox's `alice-fg-org` (alice, org admin, fine-grained repo.write on the org)
    unless HF_PUBLISH_SANDBOX_TOKEN names another sandbox token (e.g. dave-fg-org to rehearse a
    refusal). HF_TOKEN is ignored: a real token has no business on a local sandbox.
    """
    import copy

    from hf_publish.policy.load import locate
    from hf_publish.sandbox import Sandbox
    from hf_publish.sandbox.auth import DEFAULT_CONFIG

    policy = locate(path.resolve(), config).policy
    users = copy.deepcopy(DEFAULT_CONFIG)
    org = policy.organization
    if org and org not in users["orgs"]:
        users["orgs"][org] = {"fullname": org, "members": dict(users["orgs"]["acme-ai"]["members"])}
        for spec in users["tokens"].values():
            for entry in list(spec.get("scoped") or []):
                if entry["entity"] == {"type": "org", "name": "acme-ai"}:
                    spec["scoped"].append(
                        {"entity": {"type": "org", "name": org}, "permissions": list(entry["permissions"])}
                    )
    name = os.environ.get(SANDBOX_TOKEN_ENV) or SANDBOX_DEFAULT_TOKEN
    sandbox = Sandbox(users=users).start()
    if name not in sandbox.tokens:
        sandbox.stop()
        raise UsageError(
            f"{SANDBOX_TOKEN_ENV}={name!r} is not a sandbox token. Next: use one of "
            + ", ".join(sorted(sandbox.tokens))
        )
    print(
        f"sandbox: an in-process Hub at {sandbox.endpoint} (no account, no network; gone when this "
        f"command ends); token: {name} ({SANDBOX_TOKEN_ENV} picks another; HF_TOKEN is not used)",
        file=sys.stderr,
        flush=True,
    )
    api = make_api(sandbox.endpoint, sandbox.tokens[name])
    return sandbox, api, f"sandbox token {name}"
