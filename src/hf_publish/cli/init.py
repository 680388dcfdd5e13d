"""`hf-publish init`: scaffold a policy, LFS rules and a model card in an existing git repo."""

from __future__ import annotations

import argparse
import re
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
    sdk_line = (
        "    sdk: gradio                                 # gradio | docker | static\n" if repo_type == "space" else ""
    )
    return _template("hf-publish.yaml").format(
        organization=organization, name=name, type=repo_type, path=path, sdk_line=sdk_line
    )


def render_gitattributes(path: str = ".") -> str:
    """LFS rules for the default patterns, anchored ones (saved_model/**/*) under the repo folder."""
    from hf_publish.checks.lfs import required_rules

    return "".join(f"{pattern} {LFS_RULE}\n" for pattern in required_rules(DEFAULT_LFS_PATTERNS, [path]))


def render_card(organization: str, name: str) -> str:
    return _template("modelcard.md").format(organization=organization, name=name)


def scaffold(root: Path, *, organization: str, name: str, repo_type: str, path: str, force: bool = False) -> list[Path]:
    """Write the three files; refuse (writing nothing) if any exists and not `force`."""
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
        raise UsageError(f"{names} already exist(s): nothing was written (use --force to overwrite)")
    for target in files:  # every refusal before the first write: nothing half-written
        problem = write_problem(target, root)
        if problem:
            raise UnsafeWriteError(
                f"refusing to write {target.relative_to(root).as_posix()}: {problem}; "
                "hf-publish never writes through a symlink. Nothing was written. Next: "
                "replace the link with a real file or folder, or pick another --path"
            )
    for target, text in files.items():
        make_folders(target.parent, root)
        write_file(target, text.encode("utf-8"), root=root)
    return list(files)


def command_init(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish import _git

    root = _git.find_root(Path.cwd())
    if root is None:
        raise UsageError("not inside a git repository: run `git init` first, then `hf-publish init`")
    name = args.name or default_name(root.name if args.path == "." else PurePosixPath(args.path).name)
    written = scaffold(
        root, organization=args.organization, name=name, repo_type=args.type, path=args.path, force=args.force
    )
    for target in written:
        print(f"wrote {target.relative_to(root).as_posix()}")
    print(
        "next: fill in the TODOs of the model card, then `hf-publish check --all-files`; "
        "publish with `hf-publish publish --dry-run`"
    )
    return EXIT_OK
