"""`hf-publish migrate SRC DST`: a repo (e.g. from a personal account) into the org, checked first.

1. content checks on the repo as it is on the Hub: its README.md (the model-card check, with the
   org's card policy), its .gitattributes (the org's required LFS patterns, asked of git) and the
   file listing; no weights are downloaded (only README.md and .gitattributes, each under 1 MB).
   The destination name goes through the repo-name check.
2. token preflight for both namespaces (`preflight.judge`): write on SRC, create in DST's.
3. `move_repo`, which keeps the history, discussions and pull requests, and makes the old id
   redirect. When the Hub refuses, nothing is copied behind the user's back: the refusal is
   reported with the steps of a copy that keeps history (git clone --mirror, then push), and why
   that beats snapshot + upload_folder. The local sandbox does not serve git, so that copy cannot
   be rehearsed offline.
4. the policy entry of the new repo: printed, or inserted with --write-policy (text inserted at
   the end of `repos:`, so comments and layout are kept; see `insert_repo_entry`).
"""

from __future__ import annotations

import argparse
import shlex
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from hf_publish._record import replace
from hf_publish.errors import EXIT_FINDINGS, EXIT_HUB, EXIT_OK, HubError, UsageError
from hf_publish.findings import Finding, has_errors
from hf_publish.policy.model import POLICY_FILENAME, Policy, RepoSpec
from hf_publish.yamltree import node_at

if TYPE_CHECKING:
    from hf_publish.publishing.hub import Hub

MAX_SMALL_FILE = 1_000_000


# --- pure: the policy entry ---------------------------------------------------------------------


def repo_entry_lines(spec: RepoSpec, indent: str = "  ") -> list[str]:
    lines = [f"{indent}- name: {spec.name}"]
    if spec.type != "model":
        lines.append(f"{indent}  type: {spec.type}")
    lines.append(f"{indent}  path: {spec.path}  # the folder that holds its files in this git repo")
    if spec.gated is not None:
        lines.append(f"{indent}  gated: {str(spec.gated).lower() if spec.gated is False else spec.gated}")
    return lines


def insert_repo_entry(text: str, spec: RepoSpec, organization: str) -> str:
    """The policy text with `spec` appended to `repos:` (created if missing); every other byte kept.

    Raises UsageError when the text cannot take the entry as it is written (a flow list, another
    organization, the repo already listed)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    data = yaml.safe_load(text) if text.strip() else {}
    data = data or {}
    org = data.get("organization")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if text.endswith("\r\n") else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    if org is not None and org.lower() != organization.lower():
        raise UsageError(
            f"the policy's organization is {org}, and the repo moved to {organization}: one policy "
            "file describes one organization. Next: add the entry to that org's policy file (printed "
            "above)"
        )
    if any(str(r.get("name", "")).lower() == spec.name.lower() for r in data.get("repos") or []):
        raise UsageError(f"{spec.name} is already in the policy's repos. Next: nothing to add")
    head = [] if org is not None else [f"organization: {organization}{newline}"]
    seq = node_at(root, ["repos"]) if root is not None else None
    if seq is None:
        entry = [f"repos:{newline}"] + [line + newline for line in repo_entry_lines(spec)]
        return "".join(head + lines + entry)
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
        raise UsageError(
            "the policy's `repos:` is not a block list (`- name: ...` lines), so hf-publish cannot add "
            "to it without rewriting it. Next: paste the entry printed above into it"
        )
    indent = " " * max(0, seq.value[0].start_mark.column - 2)
    end = seq.value[-1].end_mark.line  # 0-based; the item's last line is at or before it
    if seq.value[-1].end_mark.column == 0:
        end -= 1
    while end > 0 and not lines[end].strip():
        end -= 1
    entry = [line + newline for line in repo_entry_lines(spec, indent)]
    return "".join(head + lines[: end + 1] + entry + lines[end + 1 :])


def copy_steps(endpoint: str, src: str, dst: str, repo_type: str, sdk: str | None = None) -> list[str]:
    """How to copy a repo WITH its history when the Hub refuses to move it.

    Only branches and tags are pushed (explicit refspecs, not `git push --mirror`): a mirror clone
    also holds the Hub's own refs (refs/pr/N of pull requests, refs/convert/* of datasets), which a
    push may not create, so a mirror push would fail. LFS objects go first, so that every pointer
    the push brings has its object; --force replaces the initial commit `hf repos create` makes."""
    prefix = {"model": "", "dataset": "datasets/", "space": "spaces/"}[repo_type]
    base = endpoint.rstrip("/")
    folder = src.split("/")[1] + ".git"
    kind = f" --type {repo_type}" if repo_type != "model" else ""
    if repo_type == "space":
        kind += f" --sdk {shlex.quote(sdk)}" if sdk else " --sdk SDK  # the sdk: of SRC's README.md"
    return [
        f"git lfs install && git clone --mirror {base}/{prefix}{src} {folder} && cd {folder}",
        "git lfs fetch --all",
        f"hf repos create {dst}{kind} --private",
        f"git lfs push --all {base}/{prefix}{dst}",
        f"git push --force {base}/{prefix}{dst} 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'",
        "(git asks for credentials: your Hub username and a token with repo.write on the destination)",
    ]


COPY_TRADE_OFF = (
    "a git mirror keeps every commit, branch and tag (and the LFS files); it loses what is not in git: "
    "discussions and pull requests, likes, download counts, the old id's redirect, gated settings and the "
    "access lists. A snapshot + upload_folder (the usual script) keeps only the latest files, in one commit or "
    'several "(part N)" commits, and loses the history too. So: ask for the move first (an org admin, or the '
    "owner of SRC, can do it on the repo's settings page), copy with git when it cannot be moved."
)


# --- the Hub side -------------------------------------------------------------------------------


def content_findings(hub: Hub, src: str, repo_type: str, dst_name: str, policy: Policy) -> tuple[list[Finding], int]:
    """The checks on SRC as it is on the Hub: (findings, number of files)."""
    from hf_publish import _git
    from hf_publish.checks.lfs import (
        PRESENCE_PATTERNS,
        covered,
        matching_files,
        sample_path,
    )
    from hf_publish.checks.model_card import check_card
    from hf_publish.errors import NotFoundError

    try:
        info = hub.repo_info(src, repo_type)
    except NotFoundError as exc:
        raise NotFoundError(
            f"{str(exc).split('. Next:')[0]}. Next: check SRC (namespace/name) and --type "
            f"({repo_type}), and that the token can read {src}"
        ) from None
    moved_to = str(getattr(info, "id", None) or src)
    if moved_to.lower() != src.lower():  # the Hub answered for the old id with the repo's new one
        raise UsageError(
            f"{src} was already moved: the Hub redirects it to {moved_to}. Next: nothing to move; "
            f"if {moved_to} belongs to the org, add its policy entry (hf-publish migrate prints it "
            "for a repo it moves)"
        )
    tree = hub.tree(src, repo_type, info.sha)
    where = f"{src}@{str(info.sha)[:12]}"
    findings: list[Finding] = []
    spec = RepoSpec(name=dst_name, type=repo_type)
    with tempfile.TemporaryDirectory(prefix="hf-publish-migrate-") as tmp:
        folder = Path(tmp)
        small = {}
        for name in ("README.md", ".gitattributes"):
            entry = tree.get(name)
            if entry is None or entry.lfs or entry.size > MAX_SMALL_FILE:
                continue
            path = hub.download(src, name, repo_type, info.sha, tmp)
            small[name] = Path(path).read_bytes()
        if "README.md" in small:
            findings += [
                replace(f, path=f"{where}:README.md")
                for f in check_card(small["README.md"], "README.md", repo_type, policy.card, spec)
            ]
        else:
            findings.append(
                Finding(
                    "model-card",
                    f"{where}:README.md",
                    None,
                    "the repo has no model card (README.md)",
                    "add a card from the org template (hf-publish init writes one) before moving",
                )
            )
        (folder / ".gitattributes").write_bytes(small.get(".gitattributes", b""))
        _git._git(folder, "init", "-q")
        required = list(policy.lfs.required_patterns)
        required += [p for p in PRESENCE_PATTERNS if p not in required and matching_files(p, "", list(tree))]
        attributes = _git.check_attr(folder, [sample_path(p) for p in required])
        missing = [p for p in required if not covered(attributes.get(sample_path(p)))]
        if missing:
            findings.append(
                Finding(
                    "lfs",
                    f"{where}:.gitattributes",
                    None,
                    f"no complete LFS rule for {len(missing)} required pattern(s): {', '.join(missing)}",
                    "add the rules (hf-publish check lfs --fix in a clone) before publishing to it",
                )
            )
    for path, entry in sorted(tree.items()):
        if not entry.lfs and entry.size > policy.lfs.max_binary_size and path != "README.md":
            findings.append(
                Finding(
                    "lfs",
                    f"{where}:{path}",
                    None,
                    f"a {entry.size}-byte file stored without LFS",
                    "track it with LFS before the org's checks publish to this repo",
                )
            )
    return findings, len(tree)


def command_migrate(args: argparse.Namespace) -> int:
    from hf_publish.checks.repo_name import check_repo, hub_id_problem
    from hf_publish.errors import NotFoundError
    from hf_publish.org.members import load_cli_policy
    from hf_publish.publishing.hub import Hub, make_api, repo_url, resolve_token
    from hf_publish.publishing.preflight import Target, decode_whoami, judge
    from hf_publish.report import print_findings

    src, dst, repo_type = args.src, args.dst, args.type
    for name, value in (("SRC", src), ("DST", dst)):
        problem = hub_id_problem(value) if value.count("/") == 1 else "it must be namespace/name"
        if problem:
            raise UsageError(f"{name} {value!r} is not a Hub repo id: {problem}. Next: pass e.g. alice/my-model")
    if src.lower() == dst.lower():
        raise UsageError("SRC and DST are the same repo. Next: name where it goes, e.g. acme-ai/my-model-v1")
    dst_ns, dst_name = dst.split("/")
    policy = load_cli_policy(args.config)
    token = resolve_token()
    if token.value is None:
        raise UsageError(
            "no Hugging Face token found. Next: set HF_TOKEN to a token with repo.write on both "
            f"{src.split('/')[0]} and {dst_ns}"
        )
    hub = Hub(make_api(args.endpoint, token.value))

    # 1. content checks, and the new name against the policy
    print(f"migrate {src} -> {dst} ({repo_type})")
    findings, count = content_findings(hub, src, repo_type, dst_name, policy)
    named = replace(policy, organization=dst_ns)
    findings += [replace(f, path=f"{dst} (DST)") for f in check_repo(RepoSpec(dst_name, repo_type), named, dst)]
    print(f"checks: {count} file(s) on {src} (README.md and .gitattributes read, no weights downloaded)")
    if findings:
        print_findings(findings, "text")
    if has_errors(findings):
        print(f"hf-publish: {sum(f.is_error for f in findings)} error(s) on {src}: fix them first; nothing was moved")
        return EXIT_FINDINGS

    # 2. preflight for both namespaces
    info = decode_whoami(hub.whoami(), source=token.source)
    if hub.repo_exists(dst, repo_type):
        raise UsageError(f"{dst} already exists. Next: pick another name, or delete it first if it is a leftover")
    write_src, why = hub.can_write(src, repo_type)
    verdicts = [
        judge(
            info,
            Target(src, repo_type, exists=True, write_check=write_src, write_check_message=why),
            require_fine_grained=policy.auth.require_fine_grained,
            endpoint=hub.endpoint,
        ),
        judge(
            info,
            Target(dst, repo_type, exists=False),
            require_fine_grained=policy.auth.require_fine_grained,
            endpoint=hub.endpoint,
        ),
    ]
    refused = [p for v in verdicts for p in v.problems]
    for line in dict.fromkeys(line for verdict in verdicts for line in verdict.lines()):
        print(f"preflight: {line}")  # the token's kind and scope once, then each namespace
    entry = repo_entry_lines(RepoSpec(dst_name, repo_type, path="."))
    if args.dry_run:
        print(
            "dry run: a migrate would "
            + (
                "be refused by the preflight above"
                if refused
                else f"move {src} to {dst} (move_repo: history, discussions and the old id's redirect kept)"
            )
            + "; nothing was moved or written"
        )
        print("policy entry (add it to .hf-publish.yaml, or re-run with --write-policy):")
        print("\n".join(["repos:", *entry]))
        if refused:  # the dry run predicts a failure: a scripted check must see it
            print_err(
                f"hf-publish: the preflight refuses this migrate ({len(refused)} problem(s) above). Next: "
                "fix each (its 'Fix:'), then re-run the dry run"
            )
            return EXIT_HUB
        return EXIT_OK
    if refused:
        reasons = "\n".join(f"  - {p.reason}. Fix: {p.fix}" for p in refused)
        raise HubError(
            f"this token cannot move the repo:\n{reasons}\nNext: fix each, then check again without "
            f"moving anything: hf-publish migrate {src} {dst} --dry-run"
        )

    # 3. the move
    try:
        hub.move_repo(src, dst, repo_type)
    except HubError as exc:
        status = getattr(exc, "status", None)
        if status == 409 or isinstance(exc, NotFoundError) or status is None or status >= 500:
            raise  # taken meanwhile, gone, or the Hub failing: a copy is not the answer; the error names the step
        print(f"hf-publish: the Hub refused the move: {str(exc).split('. Next:')[0]}")
        print("nothing was copied. To copy it WITH its history instead:")
        for step in copy_steps(hub.endpoint, src, dst, repo_type, _sdk(hub, src, repo_type)):
            print(f"  {step}")
        print(f"trade-off: {COPY_TRADE_OFF}")
        if _is_local(hub.endpoint):
            print("note: the local sandbox does not serve git, so this copy cannot be rehearsed offline")
        print_err(
            f"hf-publish: error: the Hub refused to move {src} to {dst}; nothing was copied. Next: ask the "
            f"owner of {src} or an admin of {dst_ns} to move it (on {repo_url(hub.endpoint, src, repo_type)}"
            "/settings: 'Rename or transfer'), or copy it with its history (the steps above)"
        )
        return EXIT_HUB
    try:
        hub.repo_info(dst, repo_type)
    except NotFoundError:
        raise HubError(
            f"the Hub accepted the move, but {dst} cannot be read yet. Next: check "
            f"{repo_url(hub.endpoint, dst, repo_type)} in a minute"
        ) from None
    print(f"moved: {repo_url(hub.endpoint, dst, repo_type)} (history, discussions kept; {src} redirects to it)")

    # 4. the policy entry
    if not args.write_policy:
        print("policy entry (add it to .hf-publish.yaml, or re-run the next migrate with --write-policy):")
        print("\n".join(["repos:", *entry]))
        return EXIT_OK
    try:
        write_policy_entry(args.config, RepoSpec(dst_name, repo_type, path="."), dst_ns)
    except UsageError as exc:  # the move is done: the entry is still the user's to add
        print("policy entry (add it to the policy by hand):")
        print("\n".join(["repos:", *entry]))
        raise UsageError(
            f"{dst} was moved, but the policy was not changed: {exc}. Next: add the printed repo entry to the policy by hand"
        ) from None
    return EXIT_OK


def _sdk(hub: Hub, src: str, repo_type: str) -> str | None:
    """A Space's sdk (for `hf repos create`), None for other types or when it cannot be read."""
    if repo_type != "space":
        return None
    try:
        info = hub.repo_info(src, repo_type)
    except HubError:
        return None
    return getattr(info, "sdk", None)


def _is_local(endpoint: str) -> bool:
    from urllib.parse import urlparse

    return (urlparse(endpoint).hostname or "") in ("127.0.0.1", "localhost", "::1")


def print_err(line: str) -> None:
    import sys

    print(line, file=sys.stderr)


def write_policy_entry(config: str | None, spec: RepoSpec, organization: str) -> Path:
    from hf_publish import _git
    from hf_publish.policy.load import find_policy_file, parse_policy_text
    from hf_publish.safewrite import write_file

    root = _git.find_root(Path.cwd()) or Path.cwd()
    path = find_policy_file(root, config) or root / POLICY_FILENAME
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new = insert_repo_entry(text, spec, organization)
    problems, _ = parse_policy_text(new.encode(), path.name)
    if problems:  # never leave an invalid policy behind
        raise UsageError(
            f"{path.name}: adding the entry would make the policy invalid ({problems[0].message}). Next: add it by hand"
        )
    write_file(
        path,
        new.encode("utf-8"),
        root=root if path.resolve().is_relative_to(root.resolve()) else None,
        what="the policy",
    )
    print(f"policy: added {spec.name} to {path.name} (the rest of the file is unchanged)")
    return path
