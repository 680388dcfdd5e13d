"""The repo runs its own hooks and ruff (.pre-commit-config.yaml): the config is valid for pre-commit,
its local hooks are the manifest's hooks, and the repo passes them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.docs.helpers import ROOT

CONFIG = ROOT / ".pre-commit-config.yaml"


def pre_commit(*args: str, cwd: Path = ROOT, home: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"PRE_COMMIT_HOME": str(home)} if home else {})}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_pre_commit_accepts_the_config_and_refuses_a_broken_one(tmp_path: Path):
    ok = pre_commit("validate-config", str(CONFIG))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(CONFIG.read_text().replace("entry: hf-publish check secrets", "entree: hf-publish check secrets"))
    assert pre_commit("validate-config", str(broken)).returncode != 0


def test_ruff_and_the_repos_own_hooks_are_configured():
    config = yaml.safe_load(CONFIG.read_text())
    repos = {repo["repo"]: repo for repo in config["repos"]}
    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    assert ruff["rev"].startswith("v") and {h["id"] for h in ruff["hooks"]} == {"ruff-check", "ruff-format"}
    manifest = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    local = {hook["id"]: hook for hook in repos["local"]["hooks"]}
    assert set(local) == {"config", "branch-name", "lfs", "secrets"}
    for hook_id, hook in local.items():  # the same entry and file selection as the published hooks
        for key, default in (
            ("entry", None),
            ("files", ""),
            ("types", ["file"]),
            ("always_run", False),
            ("pass_filenames", True),
        ):
            assert hook.get(key, default) == manifest[hook_id].get(key, default), (hook_id, key)


def test_the_repo_passes_its_own_hooks(tmp_path: Path):
    """pre-commit runs the local hooks over every tracked file (branch-name aside: it judges the branch
    CI happens to be on, and its own tests cover it)."""
    config = yaml.safe_load(CONFIG.read_text())
    local = next(repo for repo in config["repos"] if repo["repo"] == "local")
    local["hooks"] = [hook for hook in local["hooks"] if hook["id"] != "branch-name"]
    only_local = tmp_path / "local.yaml"
    only_local.write_text(yaml.safe_dump({"repos": [local]}))
    result = pre_commit("run", "--all-files", "--config", str(only_local), home=tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("hf-publish policy file", "hf-publish LFS rules", "hf-publish leaked Hugging Face tokens"):
        assert name in result.stdout
    assert "Passed" in result.stdout and "Failed" not in result.stdout
