"""The Action's decision: which event this is, what the inputs say, and what the run does
(check, publish or release). Pure functions of the inputs and the event, plus one read-only
git question (`release_commit_problem`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hf_publish._record import Record, field
from hf_publish.errors import AuthError, UsageError
from hf_publish.policy.model import POLICY_FILENAME, ReleasePolicy

MODES = ("auto", "check", "publish", "release", "audit")
# Where a token can arrive; all are masked, then removed from the environment of this process.
TOKEN_VARIABLES = ("INPUT_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_ID_TOKEN")
PULL_REQUEST_TARGET_REFUSAL = (
    "mode {mode!r} on pull_request_target is refused: that event runs with the base repository's "
    "secrets while the checkout can hold the pull request's files, so anyone who opens a pull request "
    "could publish their content with your token. Check pull requests on `pull_request` (no token "
    "needed) and publish on `push` to the default branch or of a release tag"
)
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off", "")


# --- inputs and event ------------------------------------------------------------------------


class Inputs(Record):
    """The action's inputs, validated (composite actions get no INPUT_* for free: action.yml maps them).
    The token is not among them: it travels as `Credentials`."""

    config: str = POLICY_FILENAME
    repos: tuple[str, ...] = ()
    mode: str = "auto"
    dry_run: bool = False
    endpoint: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        mode = env.get("INPUT_MODE", "auto").strip().lower() or "auto"
        if mode not in MODES:
            raise UsageError(f"mode input: {mode!r} is not one of {', '.join(MODES)}. Next: set mode to one of them")
        dry = env.get("INPUT_DRY_RUN", "false").strip().lower()
        if dry not in _TRUE + _FALSE:
            raise UsageError(f"dry-run input: {dry!r} is not true or false. Next: set dry-run: true or false")
        endpoint = env.get("INPUT_ENDPOINT", "").strip().rstrip("/")
        if endpoint and not re.match(r"^https?://[^\s]+$", endpoint):
            raise UsageError(
                f"endpoint input: {endpoint!r} is not an http(s) URL. Next: set it to e.g. https://huggingface.co, or leave it out"
            )
        return cls(
            config=env.get("INPUT_CONFIG", "").strip() or POLICY_FILENAME,
            repos=tuple(r for r in re.split(r"[\s,]+", env.get("INPUT_REPOS", "")) if r),
            mode=mode,
            dry_run=dry in _TRUE,
            endpoint=endpoint,
        )


class Credentials(Record):
    """What this run may publish with: a Hub token, and/or an OIDC id token to exchange."""

    token: str = field(default="", repr=False)
    id_token: str = field(default="", repr=False)

    @classmethod
    def from_secrets(cls, secrets: Mapping[str, str], endpoint: str = "") -> Credentials:
        """The credentials among `secrets`; `endpoint` (the Hub of this run) for the refusal's link."""
        for name, value in secrets.items():
            refuse_unprintable_token(name, value, endpoint)
        token = secrets.get("INPUT_TOKEN") or secrets.get("HF_TOKEN") or secrets.get("HUGGING_FACE_HUB_TOKEN") or ""
        return cls(token=token, id_token=secrets.get("HF_OIDC_ID_TOKEN", ""))


def refuse_unprintable_token(name: str, value: str, endpoint: str = "") -> None:
    """A token with a line break or another control character is never a real token (and the
    runner could not mask it as one string): refuse it, without showing it."""
    if value and not value.isprintable():
        source = "the token input" if name == "INPUT_TOKEN" else name
        raise AuthError(
            f"{source} contains a line break or another control character, so it is not a Hugging "
            "Face token (its lines were masked; it is not shown). Next: copy the token again from "
            f"{(endpoint or 'https://huggingface.co').rstrip('/')}/settings/tokens and save the secret "
            "without extra lines"
        )


class Event(Record):
    """What triggered the run, from GITHUB_EVENT_NAME, GITHUB_REF and the event payload."""

    name: str
    ref: str = ""
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def default_branch(self) -> str:
        repo = self.payload.get("repository") or {}
        return repo.get("default_branch") or "main"

    @property
    def branch(self) -> str | None:
        return self.ref[len("refs/heads/") :] if self.ref.startswith("refs/heads/") else None

    @property
    def tag(self) -> str | None:
        return self.ref[len("refs/tags/") :] if self.ref.startswith("refs/tags/") else None

    @property
    def is_pull_request(self) -> bool:
        """pull_request, pull_request_target, pull_request_review...: the checkout may be a pull request's."""
        return self.name.startswith("pull_request")

    @property
    def is_fork(self) -> bool:
        """A pull request from another repository: GitHub gives it no secrets."""
        pr = self.payload.get("pull_request") or {}
        head = (pr.get("head") or {}).get("repo") or {}
        base = (pr.get("base") or {}).get("repo") or {}
        if head.get("fork") is True:
            return True
        return bool(head.get("full_name") and base.get("full_name") and head["full_name"] != base["full_name"])


def read_event(env: Mapping[str, str]) -> Event:
    payload: dict[str, Any] = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
            payload = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            payload = {}
    ref = env.get("GITHUB_REF") or payload.get("ref") or ""
    return Event(name=env.get("GITHUB_EVENT_NAME", ""), ref=str(ref), payload=payload)


class Decision(Record):
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
            return Decision(
                "check",
                "workflow_dispatch without a mode",
                notice="Publishing skipped: a manual run publishes only with mode publish or release "
                "(set the action's mode input, or a dispatch input named mode)",
            )
    if mode == "auto":
        return _decide_auto(event, release)
    if mode in ("publish", "release") and event.name == "pull_request_target":
        raise UsageError(PULL_REQUEST_TARGET_REFUSAL.format(mode=mode))
    if mode == "release":
        tag = event.tag
        if not tag:
            raise UsageError(
                f"mode release needs a tag push (GITHUB_REF is {event.ref or 'unset'!r}): run on `push: tags: ['v*']`"
            )
        if not release.matches(tag):
            raise UsageError(
                f"tag {tag!r} does not match release.tag_pattern {release.tag_pattern!r} (a full "
                "match): push a matching tag or change the pattern in the policy"
            )
        return Decision("release", reason, tag=tag)
    return Decision(mode, reason)


def _decide_auto(event: Event, release: ReleasePolicy) -> Decision:
    if event.is_pull_request:
        why = "fork pull request" if event.is_fork else "pull request"
        return Decision(
            "check",
            why,
            notice=(
                "Publishing skipped: pull requests are checked, not published "
                f"(a push to {event.default_branch} publishes, a release tag releases)"
                + ("; fork pull requests get no secrets and need none for checks" if event.is_fork else "")
            ),
        )
    if event.name == "push":
        if event.payload.get("deleted"):
            return Decision("check", "push that deleted a ref", notice="Publishing skipped: the push deleted a ref")
        if event.tag is not None:
            if release.matches(event.tag):
                return Decision("release", f"push of release tag {event.tag}", tag=event.tag)
            return Decision(
                "check",
                f"push of tag {event.tag}",
                notice=(f"Publishing skipped: tag {event.tag!r} does not match release.tag_pattern (a full match)"),
            )
        if event.branch == event.default_branch:
            return Decision("publish", f"push to the default branch {event.default_branch}")
        return Decision(
            "check",
            f"push to branch {event.branch or event.ref or '?'}",
            notice=(f"Publishing skipped: only a push to {event.default_branch} publishes"),
        )
    return Decision(
        "check",
        f"{event.name or 'unknown'} event",
        notice=(
            f"Publishing skipped: mode auto publishes only on push events (this is {event.name or 'unknown'}); "
            "set mode to publish to publish anyway"
        ),
    )


def release_commit_problem(root: Path, event: Event, tag: str) -> str | None:
    """Why the checked-out commit of release `tag` may not be released, or None when it is on the
    default branch. The branch is `origin/<default>` as the checkout fetched it (actions/checkout
    with `fetch-depth: 0`), else a local branch of that name; never the network."""
    from hf_publish import _git

    default = event.default_branch
    head = _git.head_commit(root)
    allow = "or set `release.require_on_default_branch: false` in the policy"
    for ref in (f"refs/remotes/origin/{default}", f"refs/heads/{default}"):
        tip = _git.resolve_commit(root, ref)
        if tip is None:
            continue
        if head and _git.is_ancestor(root, head, tip):
            return None
        return (
            f"release tag {tag!r} points at {(head or '?')[:12]}, which is not on the default branch "
            f"{default} ({ref} is {tip[:12]}): only commits that reached {default} are released. Next: tag a "
            f"commit of {default} (with a shallow checkout, use actions/checkout with fetch-depth: 0), {allow}"
        )
    return (
        f"cannot tell whether release tag {tag!r} is on the default branch {default}: the checkout has no "
        f"origin/{default}. Next: check out with `fetch-depth: 0` (actions/checkout), {allow}"
    )
