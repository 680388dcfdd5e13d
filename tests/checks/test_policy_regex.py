"""Policy regexes come from the policy file, i.e. possibly from a pull request: each one runs with a
time bound, and a pattern that backtracks catastrophically is a config finding at its line, in
every place a policy regex is used. Bounds are on the WHOLE command, generous (a hang is hours)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hf_publish.errors import PatternTimeout, PolicyError
from hf_publish.policy.load import load_policy
from hf_publish.policy.model import ReleasePolicy, RepoNaming
from tests.helpers import git, init_repo, write

WALL_LIMIT = 20.0  # seconds for a whole command; each of these patterns takes hours without the bound
# Each takes hours on a 63-character name with a backtracking engine (Python's `re`). The `regex`
# engine defuses some by itself (those end as an ordinary mismatch); the rest hit the time bound.
EVIL_PATTERNS = {
    "alternation": r"^(a|aa)+$",
    "overlapping classes": r"^([a-z0-9]|[a-z])+-v[0-9]+x$",
    "same branch twice": r"(a|a)+$",
    "nested quantifiers": r"^(a+)+$",
    "nested groups": r"^((a*)*b)*$",
    "backreference": r"^(a*)*\1$",
}
TIMING_OUT = ("alternation", "overlapping classes", "same branch twice")
NAME = "a" * 60 + "-v1"  # 63 characters
TAG = "a" * 60 + "-v1"


def cli(repo: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HF_TOKEN"))}
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "hf_publish", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**env, "HF_PUBLISH_NO_CACHE": "1"},
        timeout=300,
    )
    return result, time.monotonic() - start


def repo_with(tmp_path: Path, policy: str, *, names: tuple[str, ...] = (NAME,)) -> Path:
    repo = init_repo(tmp_path / "repo", branch="main")
    entries = "".join(f"  - name: {n}\n    path: m{i}\n" for i, n in enumerate(names))
    write(repo / ".hf-publish.yaml", f"organization: acme-ai\n{policy}repos:\n{entries}")
    for i in range(len(names)):
        write(repo / f"m{i}" / "f.txt", "x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "policy")
    return repo


@pytest.mark.parametrize("kind", EVIL_PATTERNS)
def test_a_catastrophic_repo_pattern_ends_fast_as_a_finding(tmp_path, kind):
    repo = repo_with(
        tmp_path, f"naming:\n  repo:\n    pattern: '{EVIL_PATTERNS[kind]}'\n", names=(NAME, NAME[1:], NAME[2:])
    )
    result, took = cli(repo, "check", "repo-name", "--format", "text")
    assert took < WALL_LIMIT, took
    assert result.returncode == 1, result.stdout + result.stderr
    if kind in TIMING_OUT:  # a config finding at the pattern's line, once (not once per repo)
        assert ".hf-publish.yaml:4: [config]" in result.stdout and "naming.repo.pattern" in result.stdout
        assert "catastrophic backtracking" in result.stdout and result.stdout.count("[config]") == 1
    else:  # the engine needed no bound: an ordinary mismatch
        assert result.stdout.count("does not match the org pattern") == 3


@pytest.mark.parametrize("pattern", [EVIL_PATTERNS[kind] for kind in TIMING_OUT])
def test_a_catastrophic_tag_pattern_stops_publish_tag_with_its_line(tmp_path, pattern):
    repo = repo_with(tmp_path, f"release:\n  tag_pattern: '{pattern}'\n", names=("good-name-v1",))
    result, took = cli(repo, "publish", "--dry-run", "--tag", TAG, "--format", "text")
    assert took < WALL_LIMIT, took
    assert result.returncode == 2, result.stdout + result.stderr
    assert ".hf-publish.yaml:3: [config]" in result.stdout and "release.tag_pattern" in result.stdout


def test_a_catastrophic_tag_pattern_stops_the_action_with_an_annotation(tmp_path):
    repo = repo_with(tmp_path, f"release:\n  tag_pattern: '{EVIL_PATTERNS['alternation']}'\n", names=("good-name-v1",))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HF_TOKEN", "INPUT_"))}
    env.update(GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="push", GITHUB_REF=f"refs/tags/{TAG}", INPUT_DRY_RUN="true")
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "hf_publish", "gh-action"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert time.monotonic() - start < WALL_LIMIT
    assert result.returncode == 2, result.stdout + result.stderr
    assert any(line.startswith("::error file=.hf-publish.yaml,line=3,") for line in result.stdout.splitlines())


def test_over_long_or_invalid_patterns_are_config_findings_at_their_line(tmp_path):
    long = "a" * 501
    repo = repo_with(tmp_path, f"naming:\n  repo:\n    pattern: '{long}'\nrelease:\n  tag_pattern: '(?<=a+)b('\n")
    result, _ = cli(repo, "check", "config")
    assert result.returncode in (1, 2)
    assert ".hf-publish.yaml:4:" in result.stdout and "500" in result.stdout
    assert ".hf-publish.yaml:6:" in result.stdout


def test_the_time_bound_applies_to_the_typed_policy_too():
    naming = RepoNaming(pattern=EVIL_PATTERNS["same branch twice"], pattern_line=7, source="p.yaml")
    start = time.monotonic()
    with pytest.raises(PatternTimeout) as caught:
        naming.matches(NAME)
    assert time.monotonic() - start < 5
    (finding,) = caught.value.findings
    assert (finding.path, finding.line, finding.check) == ("p.yaml", 7, "config")
    assert isinstance(caught.value, PolicyError)
    with pytest.raises(PatternTimeout):
        ReleasePolicy(tag_pattern=EVIL_PATTERNS["alternation"]).matches(TAG)


def test_good_patterns_still_match_fully():
    assert RepoNaming().matches("bert-korean-sentiment-v2") and not RepoNaming().matches("x-v1 ")
    release = ReleasePolicy(tag_pattern=r"v\d+")
    assert release.matches("v2") and not release.matches("nightly-v2") and not release.matches("v2-rc")


def test_load_policy_records_the_pattern_lines(tmp_path):
    path = write(
        tmp_path / ".hf-publish.yaml", "naming:\n  repo:\n    pattern: '^x$'\nrelease:\n  tag_pattern: 'v\\d+'\n"
    )
    policy = load_policy(path, display_path=".hf-publish.yaml")
    assert policy.repo_naming.pattern_line == 3 and policy.release.tag_pattern_line == 5


def test_the_shipped_defaults_stay_linear_on_the_stdlib_engine():
    # The default repo and tag patterns skip the `regex` engine (a hook's start-up): they must stay
    # linear. Inputs shaped to make a backtracking engine retry every split, far longer than any
    # name, finish in well under the whole-command bound (hours if a default ever stopped being linear).
    naming, release = RepoNaming(), ReleasePolicy()
    start = time.monotonic()
    for text in ("a-" * 50_000 + "a", "a" * 100_000 + "-", "ab-" * 30_000 + "v", "a-v" * 30_000 + "x"):
        assert not naming.matches(text)
    for text in ("v1.2.3-" + "a." * 50_000 + "!", "v1.2.3+" + "a-" * 50_000 + ".", "v1.2.3-" + "a" * 100_000 + ".."):
        assert not release.matches(text)
    assert naming.matches("bert-sentiment-" * 200 + "v1") and release.matches("v1.2.3-rc." + "1." * 1000 + "1")
    assert time.monotonic() - start < WALL_LIMIT
