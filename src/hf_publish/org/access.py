"""Gated repos and access requests as code: `hf-publish access review` and `access grant`.

Pure: `decide` (one pending request against `access.auto_accept` / `access.reject`),
`expired` (accepted access older than `access.expire_after_days`) and `plan_review` build the plan;
`log_record` is one line of the decision log. Hub-facing, all through `publishing.hub.Hub` (so every
failure is a HubError ending with the next step): the gated setting, the request listings and the
three writes (accept, reject, revoke via `cancel_access_request`: huggingface_hub 2.4.0 has no
"revoke"; a cancelled request goes back to pending and the user loses access, which is the Hub's own
re-review).

Org commands are read-only unless --apply: without it the plan is printed and nothing is written,
neither to the Hub nor to the log.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

from hf_publish._record import Record, field
from hf_publish.errors import EXIT_OK, HubError, UsageError
from hf_publish.policy.model import AccessPolicy, Policy, RepoSpec
from hf_publish.publishing.hub import settings_url

Action = Literal["accept", "reject", "leave", "revoke", "grant"]
GATED_WORDS = {False: "not gated", "auto": "gated: auto", "manual": "gated: manual"}


# --- pure ----------------------------------------------------------------------------------------


class Request(Record):
    """An access request as the Hub lists it (`AccessRequest`)."""

    username: str | None
    request_id: str
    email: str | None
    fullname: str | None
    status: str
    timestamp: datetime

    @property
    def who(self) -> str:
        name = self.username or f"request {self.request_id}"
        return f"{name} <{self.email}>" if self.email else name


class Decision(Record):
    repo_id: str
    repo_type: str
    request: Request
    action: Action
    why: str


def _domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rpartition("@")[2].strip().lower() or None


def decide(
    request: Request, policy: AccessPolicy, now: datetime, repo_id: str = "", repo_type: str = "model"
) -> Decision:
    """What the policy says of one pending request: accept, reject, or leave it for a human."""
    domain = _domain(request.email)

    def out(action: Action, why: str) -> Decision:
        return Decision(repo_id, repo_type, request, action, why)

    if domain is None:
        return out("leave", "the Hub did not share the requester's email, so no domain rule applies")
    if domain in policy.reject_domains:
        return out("reject", f"email domain {domain} is in access.reject.email_domains")
    if domain in policy.auto_accept_domains:
        if policy.expire_after_days and now - request.timestamp > timedelta(days=policy.expire_after_days):
            return out(
                "leave",
                f"email domain {domain} is in access.auto_accept.email_domains, but the request is "
                f"older than access.expire_after_days ({policy.expire_after_days}): accepting it "
                "would expire at once (access revoked earlier?)",
            )
        return out("accept", f"email domain {domain} is in access.auto_accept.email_domains")
    return out("leave", f"no rule for email domain {domain}: a human decides")


def expired(
    request: Request,
    policy: AccessPolicy,
    now: datetime,
    repo_id: str = "",
    repo_type: str = "model",
    granted_at: datetime | None = None,
) -> Decision | None:
    """Revoke accepted access older than `access.expire_after_days`, else None.

    huggingface_hub 2.4.0 lists an accepted request with the date it was MADE (`timestamp`), not the
    date it was accepted: a request made 40 days ago and accepted yesterday looks 40 days old. So the
    age runs from the later of that date and `granted_at`, when hf-publish last accepted or granted
    this user's access (from the decision log, see `granted_dates`)."""
    days = policy.expire_after_days
    since = max(request.timestamp, granted_at) if granted_at else request.timestamp
    if not days or now - since <= timedelta(days=days):
        return None
    age = (now - since).days
    source = "accepted on" if granted_at and granted_at >= request.timestamp else "requested on"
    return Decision(
        repo_id,
        repo_type,
        request,
        "revoke",
        f"accepted access ({source} {since:%Y-%m-%d}) is {age} days old, over access.expire_after_days ({days})",
    )


def plan_review(
    repo_id: str,
    repo_type: str,
    pending: Iterable[Request],
    accepted: Iterable[Request],
    policy: AccessPolicy,
    now: datetime,
    granted: Mapping[tuple[str, str], datetime] | None = None,
) -> list[Decision]:
    """The decisions for one repo; `granted`: (repo id, username) -> when hf-publish last accepted or
    granted it (lowercase keys; from the decision log)."""
    granted = granted or {}
    decisions = [decide(r, policy, now, repo_id, repo_type) for r in pending]
    for r in accepted:
        at = granted.get((repo_id.lower(), (r.username or "").lower())) if r.username else None
        if (d := expired(r, policy, now, repo_id, repo_type, at)) is not None:
            decisions.append(d)
    return decisions


def log_record(decision: Decision, *, actor: str, applied: bool, when: datetime) -> dict[str, Any]:
    """One line of the decision log: who (the requester), what, why, when, repo, actor."""
    r = decision.request
    return {
        "when": when.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "repo": decision.repo_id,
        "repo_type": decision.repo_type,
        "who": r.username,
        "email": r.email,
        "request_id": r.request_id,
        "what": decision.action,
        "why": decision.why,
        "actor": actor,
        "applied": applied,
    }


# --- the log -------------------------------------------------------------------------------------


class DecisionLog:
    """An append-only JSON Lines file: opened with O_APPEND (never truncated), one line a decision,
    flushed after each, so a run cut short keeps what it did."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.is_symlink():
            raise UsageError(
                f"--log {self.path}: is a symlink; the decision log is written only to a real file. "
                "Next: name the file itself"
            )
        if self.path.exists() and not self.path.is_file():
            raise UsageError(f"--log {self.path}: not a file. Next: name a file (it is created if missing)")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise UsageError(
                f"--log {self.path}: cannot open for appending ({exc.strerror}). Next: name a writable file"
            ) from None
        self._file = os.fdopen(fd, "a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def granted_dates(path: str | os.PathLike[str]) -> dict[tuple[str, str], datetime]:
    """(repo id, username), lowercase -> when hf-publish last accepted or granted that access, read
    from a decision log (lines that are not applied accept/grant records are skipped). A missing
    file is an empty log. Read only: the dry run uses it too."""
    out: dict[tuple[str, str], datetime] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            lines = list(file)
    except FileNotFoundError:
        return out
    except OSError as exc:
        raise UsageError(f"--log {path}: cannot be read ({exc.strerror}). Next: name a readable file") from None
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if (
            not isinstance(record, dict)
            or record.get("what") not in ("accept", "grant")
            or record.get("applied") is not True
        ):
            continue
        repo, who, when = record.get("repo"), record.get("who"), record.get("when")
        if not (isinstance(repo, str) and isinstance(who, str) and isinstance(when, str)):
            continue
        try:
            at = _aware(datetime.fromisoformat(when))
        except ValueError:
            continue
        key = (repo.lower(), who.lower())
        if key not in out or at > out[key]:
            out[key] = at
    return out


# --- the Hub -------------------------------------------------------------------------------------


def list_requests(hub: Any, repo_id: str, repo_type: str, status: str) -> list[Request]:
    return [
        Request(r.username, r.request_id, r.email, r.fullname, r.status, _aware(r.timestamp))
        for r in hub.access_requests(repo_id, repo_type, status)
    ]


def apply_decision(hub: Any, d: Decision) -> None:
    r, repo_id, repo_type = d.request, d.repo_id, d.repo_type
    who: dict[str, str] = {"user": r.username} if r.username else {"request_id": r.request_id}
    extra: dict[str, str] = {"rejection_reason": _reason(d.why)} if d.action == "reject" else {}
    action = {"accept": "accept", "reject": "reject", "revoke": "cancel"}.get(d.action)
    if action is None:
        return
    doing = {"accept": "accepting", "reject": "rejecting", "revoke": "revoking"}[d.action]
    hub.handle_access_request(
        action, repo_id, repo_type, who, f"{doing} the access request of {r.who} on {repo_id}", **extra
    )


def _reason(why: str) -> str:
    return f"Refused by the organization's access policy ({why})"[:200]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# --- commands ------------------------------------------------------------------------------------


class _Context(Record, frozen=False):
    policy: Policy
    hub: Any
    actor: str
    endpoint: str
    notes: list[str] = field(default_factory=list)


def _connect(args: argparse.Namespace) -> _Context:
    from hf_publish.org.members import load_cli_policy
    from hf_publish.publishing.hub import Hub, make_api, resolve_token

    policy = load_cli_policy(args.config)
    token = resolve_token()
    if token.value is None:
        raise UsageError(
            "no Hugging Face token found. Next: set HF_TOKEN to a token with write access to the "
            "gated repos (reading access requests needs the write or admin role)"
        )
    hub = Hub(make_api(args.endpoint, token.value))
    actor = str(hub.whoami().get("name") or "unknown")
    return _Context(policy, hub, actor, hub.endpoint)


def resolve_repos(
    policy: Policy, names: list[str], repo_type: str | None = None
) -> list[tuple[str, str, RepoSpec | None]]:
    """(repo id, type, spec) for the named repos (configured names or full ids); with none, every
    configured repo the policy gates."""
    out: list[tuple[str, str, RepoSpec | None]] = []
    if not names:
        for spec in policy.repos:
            if policy.gated_for(spec) in ("auto", "manual"):
                out.append((spec.repo_id(policy.organization), spec.type, spec))
        if not out:
            raise UsageError(
                "no configured repo is gated (gated: auto or manual), so there is nothing to review. "
                "Next: name repos (hf-publish access review ORG/NAME), or set `gated: manual` in "
                ".hf-publish.yaml"
            )
        return out
    for name in names:
        found = next((s for s in policy.repos if name in (s.name, s.repo_id(policy.organization))), None)
        if found is not None:
            out.append((found.repo_id(policy.organization), repo_type or found.type, found))
        elif "/" in name:
            out.append((name, repo_type or "model", None))
        else:
            known = ", ".join(s.name for s in policy.repos) or "none"
            raise UsageError(
                f"no repo named {name!r} in the policy (configured: {known}). Next: name a configured "
                "repo, or give its full id (ORG/NAME)"
            )
    return out


def command_access(args: argparse.Namespace) -> int:
    if args.access_command == "review":
        return command_review(args)
    if args.access_command == "grant":
        return command_grant(args)
    raise UsageError("usage: hf-publish access review|grant ... (see hf-publish access --help)")


def command_review(args: argparse.Namespace) -> int:
    from hf_publish.tokens import redact

    if args.apply and not args.log:
        raise UsageError(
            "--apply writes every decision to a log, and no --log FILE was given. Next: add "
            "--log access-decisions.jsonl (appended to, never truncated)"
        )
    log = DecisionLog(args.log) if args.apply else None  # refused before the Hub is asked
    try:
        return _review(args, log, redact)
    finally:
        if log is not None:
            log.close()


def _review(args: argparse.Namespace, log: DecisionLog | None, redact: Any) -> int:
    ctx = _connect(args)
    repos = resolve_repos(ctx.policy, args.repos, args.type)
    granted = granted_dates(args.log) if args.log and ctx.policy.access.expire_after_days else {}
    now = datetime.now(timezone.utc)
    plan: list[Decision] = []
    human: list[str] = []
    # 1. the plan, from reads only
    for repo_id, repo_type, _ in repos:
        gated = ctx.hub.gated(repo_id, repo_type)
        if gated is False:
            print(
                f"{repo_id}: not gated on the Hub, so there are no access requests to review. Fix: set "
                "`gated: manual` (or auto) for it in .hf-publish.yaml and run hf-publish publish"
            )
            continue
        pending = list_requests(ctx.hub, repo_id, repo_type, "pending")
        accepted = list_requests(ctx.hub, repo_id, repo_type, "accepted") if ctx.policy.access.expire_after_days else []
        decisions = plan_review(repo_id, repo_type, pending, accepted, ctx.policy.access, now, granted)
        print(
            f"{repo_id} ({GATED_WORDS[gated]}): {len(pending)} pending"
            + (f", {len(accepted)} accepted" if ctx.policy.access.expire_after_days else "")
        )
        if not decisions:
            print("  nothing to decide")
        for d in decisions:
            print(redact(f"  {d.action:<7} {d.request.who}: {d.why}"))
            if d.action == "leave":
                human.append(f"{d.request.who} on {repo_id}: {settings_url(ctx.endpoint, repo_id, repo_type)}")
        plan += decisions
    counts = {action: sum(d.action == action for d in plan) for action in ("accept", "reject", "revoke", "leave")}
    done = (
        f"{counts['accept']} accept, {counts['reject']} reject, {counts['revoke']} revoke, "
        f"{counts['leave']} left for a human"
    )
    # 2. with --apply, the writes, each logged as it is done
    if log is not None:
        for number, d in enumerate(plan, 1):
            applied = d.action != "leave"
            if applied:
                try:
                    apply_decision(ctx.hub, d)
                except HubError as exc:
                    record = log_record(d, actor=ctx.actor, applied=False, when=datetime.now(timezone.utc))
                    log.append({**record, "error": redact(str(exc))})
                    print_err(
                        f"hf-publish: stopped at decision {number} of {len(plan)} ({d.action} {d.request.who} "
                        f"on {d.repo_id}): the ones before it are applied; each, and this failure "
                        f"(applied: false), is in {args.log}"
                    )
                    raise
            log.append(log_record(d, actor=ctx.actor, applied=applied, when=datetime.now(timezone.utc)))
        print(f"applied: {done}; every decision appended to {args.log}")
    else:
        print(f"dry run: {done}; nothing was changed or logged. Next: re-run with --apply --log FILE")
    if human:
        print(
            f"left for a human ({len(human)}): decide each under 'Gated user access requests' on the "
            "repo's settings page:"
        )
        for line in human:
            print(redact(f"  {line}"))
    return EXIT_OK


def command_grant(args: argparse.Namespace) -> int:
    ctx = _connect(args)
    ((repo_id, repo_type, _),) = resolve_repos(ctx.policy, [args.repo], args.type)
    gated = ctx.hub.gated(repo_id, repo_type)
    if gated is False:
        raise UsageError(
            f"{repo_id} is not gated: everyone who can see it downloads it, so there is no access to "
            "grant. Next: set `gated: manual` for it in .hf-publish.yaml and run hf-publish publish "
            "(or make it private and add the user to the org)"
        )
    request = Request(args.user, "", None, None, "accepted", datetime.now(timezone.utc))
    decision = Decision(
        repo_id,
        repo_type,
        request,
        "grant",
        f"manual grant by {ctx.actor}" + (f": {args.reason}" if args.reason else ""),
    )
    print(f"{repo_id} ({GATED_WORDS[gated]}): grant {args.user}: {decision.why}")
    if not args.apply:
        print("dry run: nothing was changed or logged. Next: re-run with --apply")
        return EXIT_OK
    log = DecisionLog(args.log) if args.log else None  # opened first: a grant is never left unlogged
    try:
        try:
            ctx.hub.grant_access(repo_id, args.user, repo_type)
        except HubError as exc:
            message = str(exc).split(". Next:")[0]
            status = getattr(exc, "status", None)
            if status == 400:
                raise HubError(
                    f"{message}. Next: nothing to grant if {args.user} already has access; to renew "
                    f"access that expires, cancel it on {settings_url(ctx.endpoint, repo_id, repo_type)} "
                    "first, then grant again"
                ) from None
            if status == 404:  # the repo was just read: what the Hub does not find is the user
                raise HubError(
                    f"{message}. Next: check the username (the Hub username, not the email: "
                    f"{ctx.endpoint.rstrip('/')}/{args.user} must be their profile)"
                ) from None
            raise
        if log is not None:
            log.append(log_record(decision, actor=ctx.actor, applied=True, when=datetime.now(timezone.utc)))
    finally:
        if log is not None:
            log.close()
    print(
        f"granted: {args.user} may download {repo_id}"
        + (
            f"; logged to {args.log}"
            if args.log
            else "; not logged (add --log FILE: access review counts access.expire_after_days from the logged grant)"
        )
    )
    return EXIT_OK


def print_err(line: str) -> None:
    print(line, file=sys.stderr)
