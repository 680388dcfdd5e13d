"""One way through: the Action publishes by calling `publish()` in this process (no child
`hf-publish` whose output it parses), and every check runs once per action run, not twice."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from hf_publish.checks import registry
from tests.action.test_gh_action import REPO_ID, REPOSITORY, checkout  # noqa: F401 (a fixture)
from tests.action.test_mode import parse_output_file


def _env(checkout: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main", "repository": REPOSITORY}))
    (tmp_path / "output.txt").write_text("")
    (tmp_path / "summary.md").write_text("")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_WORKSPACE": str(checkout),
        **extra,
    }


@pytest.fixture
def counted(monkeypatch) -> Counter:
    """How often each check's `run` is called, by check id (the registry calls `module.run`)."""
    import importlib

    calls: Counter = Counter()
    for check_id, name in registry.CHECKS.items():
        module = importlib.import_module(name)
        original = module.run

        def counting(ctx, _original=original, _id=check_id):
            calls[_id] += 1
            return _original(ctx)

        monkeypatch.setattr(module, "run", counting)
    return calls


def test_a_publishing_run_checks_once_and_publishes_in_process(
    checkout, tmp_path, hub_sandbox, counted, monkeypatch, capsys
):
    from hf_publish.action.runner import command_gh_action

    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def watch(args, *rest, **kwargs):
        started.append([str(a) for a in args] if isinstance(args, (list, tuple)) else [str(args)])
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", watch)
    # hf_publish._git starts git with os.posix_spawnp (no subprocess import in a hook): watched too
    real_spawnp = os.posix_spawnp

    def watch_spawnp(path, args, *rest, **kwargs):
        started.append([str(a) for a in args])
        return real_spawnp(path, args, *rest, **kwargs)

    monkeypatch.setattr(os, "posix_spawnp", watch_spawnp)
    monkeypatch.chdir(checkout)
    env = _env(checkout, tmp_path, INPUT_TOKEN=hub_sandbox.tokens["bob-fg-org"], INPUT_ENDPOINT=hub_sandbox.endpoint)
    code = command_gh_action(None, env)
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    outputs = parse_output_file((tmp_path / "output.txt").read_text())
    assert outputs["changed"] == "true" and hub_sandbox.head(REPO_ID) == outputs["commit-sha"]
    # each content check once, none twice (branch-name is about committing: a publish does not run it)
    assert dict(counted) == dict.fromkeys(registry.CONTENT_CHECK_IDS, 1)
    # No hf-publish child process: only git (and git-lfs) ran below this process.
    assert started and all(Path(args[0]).name in ("git", "git-lfs") for args in started), started


def test_a_check_run_checks_once_too(checkout, tmp_path, counted, monkeypatch, capsys):
    from hf_publish.action.runner import command_gh_action

    monkeypatch.chdir(checkout)
    env = _env(checkout, tmp_path, INPUT_MODE="check")
    assert command_gh_action(None, env) == 0, capsys.readouterr()
    assert dict(counted) == dict.fromkeys(registry.CHECK_IDS, 1)
