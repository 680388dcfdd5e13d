"""`repo-name`: every configured Hub repo id is valid on the Hub and follows the org's naming."""

from __future__ import annotations

import re

from hf_publish.checks._inputs import CheckContext
from hf_publish.errors import PatternTimeout
from hf_publish.findings import Finding
from hf_publish.policy.model import Policy, RepoNaming, RepoSpec

CHECK_ID = "repo-name"
# The Hub's rule (hub-rules.md), mirrored so the common case needs no huggingface_hub import;
# a name that fails it is re-checked with validate_repo_id for the client's exact message.
_HUB_SEGMENT = re.compile(r"^(?!-|\.)(?!.*(--|\.\.))[A-Za-z0-9_.-]{1,96}(?<!-|\.)$")


def hub_id_problem(repo_id: str) -> str | None:
    """Why the Hub would refuse `repo_id`, or None."""
    segments = repo_id.split("/")
    if len(segments) <= 2 and all(_HUB_SEGMENT.match(s) for s in segments) and not repo_id.endswith(".git"):
        return None
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils._validators import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        return str(exc).splitlines()[0]
    return (
        "Only regular characters and '-', '_', '.' are accepted. '--' and '..' are forbidden. "
        "'-' and '.' cannot start or end the name. The name cannot end with \".git\". Max length is 96."
    )


def _words(name: str) -> list[str]:
    """Lowercase words of a name, trailing digits dropped: `Test123-model` -> ["test", "model"]."""
    return [w.rstrip("0123456789") for w in re.split(r"[-_.]+", name.lower()) if w]


def forbidden_word(name: str, forbidden: tuple[str, ...]) -> str | None:
    """The first forbidden entry that the name is, or contains as whole words (`my-org`, `test123`)."""
    words = _words(name)
    joined = "-" + "-".join(words) + "-"
    for entry in forbidden:
        entry_words = _words(entry)
        if entry_words and "-" + "-".join(entry_words) + "-" in joined:
            return entry
    return None


def suggest_name(name: str, naming: RepoNaming) -> str:
    """A conforming name close to `name`: lowercase kebab-case, forbidden words dropped, `-v1` added."""
    raw = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    words = [w for w in raw.split("-") if w]
    version = None
    if len(words) > 1 and re.fullmatch(r"v[0-9]+", words[-1]):
        version = words.pop()
    bad = {entry.lower() for entry in naming.forbidden if len(_words(entry)) == 1}
    kept = [w for w in words if w.rstrip("0123456789") not in bad]
    if forbidden_word("-".join(kept), naming.forbidden):
        kept = []
    base = "-".join(kept) or "project-model-type"
    candidate = f"{base}-{version or 'v1'}"
    fallback = "<project>-<model-type>-v1"
    try:
        return candidate if naming.matches(candidate) else fallback
    except PatternTimeout:
        return fallback


def check_repo(spec: RepoSpec, policy: Policy, path: str, *, use_pattern: bool = True) -> list[Finding]:
    """The rules for one repo; `use_pattern=False` skips the org pattern (it already timed out).
    Raises PatternTimeout when the pattern backtracks past the time bound."""
    findings = []
    naming = policy.repo_naming
    repo_id = spec.repo_id(policy.organization)
    mismatch = use_pattern and not naming.matches(spec.name)
    suggestion = suggest_name(spec.name, naming) if use_pattern else "<project>-<model-type>-v1"

    def finding(message: str, fix: str) -> Finding:
        return Finding(CHECK_ID, path, spec.line, message, fix)

    problem = hub_id_problem(repo_id)
    if problem:
        findings.append(
            finding(f"{repo_id!r} is not a valid Hub repo id: {problem}", f"rename it, e.g. name: {suggestion}")
        )
    if mismatch:
        findings.append(
            finding(
                f"repo name {spec.name!r} does not match the org pattern {naming.pattern}",
                f"use a name like {suggestion!r} ({{project}}-{{model-type}}-v{{N}}, lowercase kebab-case)",
            )
        )
    word = forbidden_word(spec.name, naming.forbidden)
    if word:
        findings.append(
            finding(
                f"repo name {spec.name!r} is too generic or temporary: {word!r} is a forbidden name",
                f"name what it is, e.g. {suggestion!r}",
            )
        )
    if not policy.organization:
        findings.append(
            finding(
                f"repo {spec.name!r} has no organization: it would be published to the token owner's namespace",
                "set `organization:` at the top of the policy",
            )
        )
    return findings


def check_repo_names(policy: Policy, path: str) -> list[Finding]:
    """Every repo's findings; a pattern that times out is one config finding at its line, and the
    pattern is not tried again for the other repos."""
    findings: list[Finding] = []
    use_pattern = True
    for spec in policy.repos:
        try:
            findings.extend(check_repo(spec, policy, path, use_pattern=use_pattern))
        except PatternTimeout as exc:
            findings.extend(exc.findings)
            use_pattern = False
            findings.extend(check_repo(spec, policy, path, use_pattern=False))
    return findings


def run(ctx: CheckContext) -> list[Finding]:
    path = ctx.policy.source or ".hf-publish.yaml"
    policy = ctx.policy
    if ctx.repos is not None:
        from hf_publish._record import replace

        policy = replace(policy, repos=ctx.selected_repos())
    return check_repo_names(policy, path)
