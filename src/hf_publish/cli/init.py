"""`hf-publish init`: scaffold a policy, LFS rules and a model card in an existing git repo."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from hf_publish.errors import EXIT_OK, UnsafeWriteError, UsageError
from hf_publish.policy.load import parse_policy_text
from hf_publish.policy.model import DEFAULT_LFS_PATTERNS, POLICY_FILENAME
from hf_publish.safewrite import make_folders, write_file, write_problem

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor

LFS_RULE = "filter=lfs diff=lfs merge=lfs -text"


def _template(name: str) -> str:
    return resources.files("hf_publish.data").joinpath("templates").joinpath(name).read_text(encoding="utf-8")


def default_name(folder: str) -> str:
    """`My_Model` -> `my-model-v1`: a start that follows the default naming pattern."""
    base = re.sub(r"[^a-z0-9]+", "-", folder.lower()).strip("-") or "project-model"
    return base if re.search(r"-v[0-9]+$", base) else f"{base}-v1"


def render_policy(organization: str, name: str, repo_type: str, path: str) -> str:
    sdk_line = "    sdk: gradio  # gradio | docker | static\n" if repo_type == "space" else ""
    return align_comments(
        _template("hf-publish.yaml").format(
            organization=organization, name=name, type=repo_type, path=path, sdk_line=sdk_line
        )
    )


_TRAILING_COMMENT = re.compile(r"^(\s*[^#\s].*?\S)\s{2,}(# .*)$")
COMMENT_COLUMN = 46  # where the template's comments start, unless a value pushes them right
LONG_LINE = 60  # a line this long keeps its comment two spaces after it


def align_comments(text: str) -> str:
    """Trailing comments start in one column within each block (blank-line separated), whatever
    length the organization, name or path put before them."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        parts = [_TRAILING_COMMENT.match(line) for line in block]
        widths = [len(m.group(1)) for m in parts if m and len(m.group(1)) < LONG_LINE]
        column = max([COMMENT_COLUMN, *(w + 2 for w in widths)])
        for line, match in zip(block, parts, strict=True):
            if match is None:
                out.append(line)
            elif len(match.group(1)) < LONG_LINE:
                out.append(match.group(1).ljust(column) + match.group(2))
            else:
                out.append(f"{match.group(1)}  {match.group(2)}")
        block.clear()

    for line in text.split("\n"):
        if line.strip():
            block.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


# What makes a folder a model folder: a config.json, or a weights file.
WEIGHT_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".onnx",
    ".gguf",
    ".ggml",
    ".h5",
    ".msgpack",
    ".tflite",
    ".mlmodel",
    ".pb",
    ".ot",
)
_NOT_MODEL_FOLDERS = ("node_modules", "site-packages", "__pycache__")


def find_model_folders(root: Path) -> list[tuple[str, list[str]]]:
    """Folders (relative to the git root, "." for the root) holding a config.json or weights among
    the tracked and untracked-not-ignored files, each with the files that show it; a folder inside
    another model folder belongs to it."""
    from hf_publish import _git

    paths = {e.path for e in _git.index_entries(root)} | set(_git.untracked_paths(root))
    found: dict[str, list[str]] = {}
    for path in sorted(paths):
        pure = PurePosixPath(path)
        if any(part.startswith(".") or part in _NOT_MODEL_FOLDERS for part in pure.parts[:-1]):
            continue
        if pure.name == "config.json" or pure.suffix.lower() in WEIGHT_SUFFIXES:
            found.setdefault(pure.parent.as_posix(), []).append(pure.name)
    folders = sorted(found)
    top = [f for f in folders if not any(f != o and (o == "." or f.startswith(o + "/")) for o in folders)]
    return [(f, found[f]) for f in top]


_HUB_REMOTE = re.compile(r"^(?:https?://|ssh://)?(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?[/:](?P<path>.+?)(?:\.git)?/?$")


def organization_from_remotes(root: Path, env: dict[str, str]) -> tuple[str, str] | None:
    """(organization, remote name) from a git remote that points at the Hub (huggingface.co,
    hf.co or HF_ENDPOINT's host): its namespace. Nothing is fetched."""
    from urllib.parse import urlparse

    from hf_publish import _git

    hosts = {"huggingface.co", "hf.co"}
    if env.get("HF_ENDPOINT"):
        hosts.add(urlparse(env["HF_ENDPOINT"]).hostname or "")
    remotes = _git.remote_urls(root)
    for name in sorted(remotes, key=lambda n: (n != "origin", n)):
        match = _HUB_REMOTE.match(remotes[name])
        if match is None or match.group("host").lower() not in hosts:
            continue
        parts = [p for p in match.group("path").split("/") if p]
        if parts and parts[0] in ("datasets", "spaces"):
            parts = parts[1:]
        if len(parts) == 2:
            return parts[0], name
    return None


def render_gitattributes(path: str = ".") -> str:
    """LFS rules for the default patterns, anchored ones (saved_model/**/*) under the repo folder."""
    from hf_publish.checks.lfs import required_rules

    return "".join(f"{pattern} {LFS_RULE}\n" for pattern in required_rules(DEFAULT_LFS_PATTERNS, [path]))


def render_card(organization: str, name: str) -> str:
    return _template("modelcard.md").format(organization=organization, name=name)


def scaffold(
    root: Path,
    *,
    organization: str,
    name: str,
    repo_type: str,
    path: str,
    force: bool = False,
    report: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the three files; refuse (writing nothing) if any exists and not `force`. With `force`
    an existing file that differs is kept as `<name>.bak` first, and `report` is told so."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        raise UsageError(f"--path {path!r} must be a folder inside the repo, relative to its root")
    policy_text = render_policy(organization, name, repo_type, pure.as_posix())
    problems, _ = parse_policy_text(policy_text.encode(), POLICY_FILENAME)
    if problems:
        first = problems[0]
        raise UsageError(f"cannot scaffold with these values: {first.message} ({first.fix})")
    files = {
        root / POLICY_FILENAME: policy_text,
        root / ".gitattributes": render_gitattributes(pure.as_posix()),
        root / pure / "README.md": render_card(organization, name),
    }
    existing = [p for p in files if p.exists() or p.is_symlink()]
    if existing and not force:
        names = ", ".join(p.relative_to(root).as_posix() for p in existing)
        raise UsageError(
            f"{names} already exist(s): nothing was written. Next: keep them and write the policy by hand, "
            "or rerun with --force to replace them (each replaced file is kept as <name>.bak)"
        )
    backups = {p: _backup_path(p) for p in existing if p.is_file() and p.read_bytes() != files[p].encode("utf-8")}
    for target in [*files, *backups.values()]:  # every refusal before the first write: nothing half-written
        problem = write_problem(target, root)
        if problem:
            raise UnsafeWriteError(
                f"refusing to write {target.relative_to(root).as_posix()}: {problem}; "
                "hf-publish never writes through a symlink. Nothing was written. Next: "
                "replace the link with a real file or folder, or pick another --path"
            )
    for original, backup in backups.items():
        write_file(backup, original.read_bytes(), root=root)
        if report is not None:
            report(
                f"replaced {original.relative_to(root).as_posix()} (your file is kept as "
                f"{backup.relative_to(root).as_posix()})"
            )
    for target, text in files.items():
        make_folders(target.parent, root)
        write_file(target, text.encode("utf-8"), root=root)
    return list(files)


def _backup_path(path: Path) -> Path:
    """`README.md.bak`, or `README.md.bak.2`... when that exists already."""
    candidate, n = path.with_name(path.name + ".bak"), 2
    while candidate.exists() or candidate.is_symlink():
        candidate, n = path.with_name(f"{path.name}.bak.{n}"), n + 1
    return candidate


def command_init(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    import os

    from hf_publish import _git

    root = _git.find_root(Path.cwd())
    if root is None:
        raise UsageError("not inside a git repository: run `git init` first, then `hf-publish init`")
    path = args.path
    if path is None:
        folders = find_model_folders(root)
        if len(folders) > 1:
            listed = ", ".join(f"{f}/" for f, _ in folders)
            raise UsageError(
                f"found {len(folders)} model folders ({listed}): one repo is scaffolded at a time. "
                "Next: run `hf-publish init --path DIR` with the one to publish (add the others to repos: after)"
            )
        path = folders[0][0] if folders else "."
        if folders and path != ".":
            shown = ", ".join(folders[0][1][:3]) + (", ..." if len(folders[0][1]) > 3 else "")
            print(f"found a model folder: {path}/ ({shown}): it is the repo's path, and {path}/README.md its card")
    organization = args.organization
    if organization is None:
        derived = organization_from_remotes(root, dict(os.environ))
        if derived is None:
            raise UsageError(
                "no Hub organization given, and no git remote points at the Hub. Next: run "
                "`hf-publish init --organization ORG` with the Hub organization (or user) the repo lives in"
            )
        organization = derived[0]
        print(f"organization: {organization} (from git remote {derived[1]})")
    name = args.name or default_name(root.name if path == "." else PurePosixPath(path).name)
    written = scaffold(
        root, organization=organization, name=name, repo_type=args.type, path=path, force=args.force, report=print
    )
    for target in written:
        print(f"wrote {target.relative_to(root).as_posix()}")
    print(
        "next: fill in the TODOs of the model card, then `hf-publish check --all-files`; "
        "publish with `hf-publish publish --dry-run`"
    )
    return EXIT_OK
