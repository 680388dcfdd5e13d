"""Every hook in .pre-commit-hooks.yaml, run by its real entry over its pass/fail examples.

The manifest itself is under test: a wrong `entry`, `files` pattern or `pass_filenames` makes an
example behave differently from what its folder says.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import git, init_repo

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
HOOKS = {hook["id"]: hook for hook in MANIFEST}
CASE_FILES = {"case.yaml", "expect.txt"}  # describe the case; never copied into its repo


def expected_findings(case: Path) -> list[str]:
    """The lines of a fail case's expect.txt: each must appear in one finding line the hook prints
    (`*` stands for any text, e.g. a line number)."""
    lines = (case / "expect.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def finding_matches(expected: str, output: str) -> bool:
    pattern = ".*?".join(re.escape(part) for part in expected.split("*"))
    return any(re.search(pattern, line) for line in output.splitlines())


def _cases():
    for hook_id in HOOKS:
        for outcome in ("pass", "fail"):
            folder = ROOT / "hooks" / hook_id / "examples" / outcome
            for case in sorted(folder.iterdir()) if folder.is_dir() else []:
                yield pytest.param(hook_id, outcome, case, id=f"{hook_id}-{outcome}-{case.name}")


def build_case_repo(case: Path, dest: Path) -> tuple[Path, dict]:
    spec = yaml.safe_load((case / "case.yaml").read_text()) if (case / "case.yaml").exists() else {}
    spec = spec or {}
    repo = init_repo(dest, branch=spec.get("branch", "feature/example"))
    for item in case.iterdir():
        if item.name in CASE_FILES:
            continue
        target = dest / spec.get("rename", {}).get(item.name, item.name)
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)
    for name, gen in (spec.get("generate") or {}).items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        size = int(gen["size"])
        if gen.get("binary"):
            chunk = bytes(range(256))
        else:
            chunk = b"generated line of text for an example file\n"
        with path.open("wb") as fh:
            for _ in range(size // len(chunk)):
                fh.write(chunk)
            fh.write(chunk[: size % len(chunk)])
    git(repo, "add", "-A")
    return repo, spec


def hook_command(hook: dict, repo: Path) -> list[str]:
    """What pre-commit would run: entry + args + the staged files matching `files`/`exclude`."""
    entry = shlex.split(hook["entry"])
    exe = shutil.which(entry[0]) or entry[0]
    command = [exe, *entry[1:], *hook.get("args", [])]
    if hook.get("pass_filenames", True):
        staged = git(repo, "diff", "--cached", "--name-only", "-z").split("\0")
        files = re.compile(hook.get("files", ""))
        exclude = re.compile(hook["exclude"]) if hook.get("exclude") else None
        command += [f for f in staged if f and files.search(f) and not (exclude and exclude.search(f))]
    return command


@pytest.mark.parametrize(("hook_id", "outcome", "case"), list(_cases()))
def test_hook_example(hook_id: str, outcome: str, case: Path, tmp_path: Path) -> None:
    hook = HOOKS[hook_id]
    repo, spec = build_case_repo(case, tmp_path / "repo")
    env = {**os.environ, **{k: str(v) for k, v in (spec.get("env") or {}).items()}}
    for var in ("GITHUB_ACTIONS", "GITHUB_HEAD_REF", "GITHUB_REF"):
        if var not in (spec.get("env") or {}):
            env.pop(var, None)
    result = subprocess.run(hook_command(hook, repo), cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    output = result.stdout + result.stderr
    what = spec.get("description", case.name)
    assert "Traceback" not in output
    if outcome == "pass":
        assert result.returncode == 0, f"{hook_id} should pass on {what}:\n{output}"
    else:
        assert result.returncode in (1, 2), f"{hook_id} should fail on {what}:\n{output}"
        assert f"[{hook_id}]" in output, f"{hook_id} failed without its own finding:\n{output}"
        for expected in expected_findings(case):
            assert finding_matches(expected, output), f"{hook_id} on {what}: no finding {expected!r}:\n{output}"


def test_every_fail_case_states_the_finding_it_must_produce() -> None:
    for hook_id in HOOKS:
        for case in sorted((ROOT / "hooks" / hook_id / "examples" / "fail").iterdir()):
            assert (case / "expect.txt").is_file(), f"{case.relative_to(ROOT)} has no expect.txt"
            expected = expected_findings(case)
            assert expected and all(f"[{hook_id}]" in line for line in expected), case.relative_to(ROOT)


def test_an_example_failing_for_another_reason_is_caught() -> None:
    output = ".hf-publish.yaml:4: [repo-name] repo name 'test123' does not match the org pattern ^[a-z0-9]+$\n"
    assert not finding_matches(".hf-publish.yaml:4: [repo-name] repo name 'test123' is too generic", output)
    assert finding_matches(".hf-publish.yaml:*: [repo-name] repo name 'test123' does not match", output)


def test_every_hook_has_docs_and_both_kinds_of_example() -> None:
    for hook_id in HOOKS:
        folder = ROOT / "hooks" / hook_id
        assert (folder / "README.md").is_file(), f"hooks/{hook_id}/README.md is missing"
        for outcome in ("pass", "fail"):
            cases = list((folder / "examples" / outcome).glob("*"))
            assert cases, f"hooks/{hook_id} has no {outcome} example"


def test_manifest_is_valid_for_pre_commit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_entries_match_the_checks() -> None:
    from hf_publish.checks.registry import CHECK_IDS

    assert set(HOOKS) == set(CHECK_IDS)
    for hook_id, hook in HOOKS.items():
        assert hook["entry"] == f"hf-publish check {hook_id}"
        assert hook["language"] == "python"
        assert hook["minimum_pre_commit_version"] == "3.2.0"
        assert set(hook["stages"]) <= {"pre-commit", "pre-push", "manual"}
    assert HOOKS["branch-name"]["always_run"] is True and HOOKS["branch-name"]["pass_filenames"] is False
    assert re.search(HOOKS["model-card"]["files"], "models/bert/README.md")
    assert re.search(HOOKS["config"]["files"], ".hf-publish.yaml")


def test_readme_and_docs_document_every_hook() -> None:
    readme = (ROOT / "README.md").read_text()
    checks_doc = (ROOT / "docs" / "checks.md").read_text()
    for hook_id in HOOKS:
        assert f"id: {hook_id}" in readme, f"README's pre-commit snippet lacks {hook_id}"
        assert re.search(rf"^## {re.escape(hook_id)}$", checks_doc, re.M), (
            f"docs/checks.md has no section for {hook_id}"
        )
