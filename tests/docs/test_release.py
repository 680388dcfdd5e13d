"""The release procedure: scripts/release-check agrees with the repo as it is and catches each kind
of disagreement, CHANGELOG.md has the Keep a Changelog shape, and the release workflow is pinned,
least-privileged and lint-clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.docs.helpers import ROOT, package_version, script

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The files release-check reads, copied, so a test can make them disagree."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy(ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return tmp_path


def version_file(root: Path) -> Path:
    attr = re.search(r'version\s*=\s*\{\s*attr\s*=\s*"([\w.]+)"', (root / "pyproject.toml").read_text()).group(1)
    return root / "src" / Path(*attr.split(".")[:-1]) / "__init__.py"


def check(root: Path, *args: str) -> subprocess.CompletedProcess:
    return script("release-check", "--root", str(root), *args)


def test_the_repo_as_it_is_agrees_with_its_own_tag():
    version = package_version()
    ok = script("release-check", "--tag", f"v{version}")
    assert ok.returncode == 0, ok.stderr
    assert f"version {version}" in ok.stdout


def test_a_tag_that_is_not_the_version_is_refused(repo_copy: Path):
    result = check(repo_copy, "--tag", "v9.9.9")
    assert result.returncode == 1
    assert "the tag 'v9.9.9' does not name the package version" in result.stderr


def test_a_version_bump_without_a_changelog_entry_is_refused(repo_copy: Path):
    source = version_file(repo_copy)
    source.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "9.9.9"', source.read_text()))
    result = check(repo_copy, "--tag", "v9.9.9")
    assert result.returncode == 1
    assert "CHANGELOG.md has no entry for 9.9.9" in result.stderr and "## [Unreleased]" in result.stderr


def test_the_procedure_as_documented_passes(repo_copy: Path):
    """Bump, move Unreleased to a dated entry, tag: release-check passes."""
    source = version_file(repo_copy)
    source.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "9.9.9"', source.read_text()))
    changelog = repo_copy / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace("## [Unreleased]", "## [Unreleased]\n\n## [9.9.9] - 2027-01-02", 1)
    )
    result = check(repo_copy, "--tag", "v9.9.9")
    assert result.returncode == 0, result.stderr
    # an entry without its date is not a release yet
    changelog.write_text(changelog.read_text().replace("## [9.9.9] - 2027-01-02", "## [9.9.9]"))
    assert "has no date" in check(repo_copy).stderr


def test_an_older_entry_is_not_the_release(repo_copy: Path):
    changelog = repo_copy / "CHANGELOG.md"
    version = package_version()
    changelog.write_text(
        changelog.read_text().replace("## [Unreleased]", "## [Unreleased]\n\n## [99.0.0] - 2027-01-02", 1)
    )
    result = check(repo_copy)
    assert result.returncode == 1 and f"newest release is 99.0.0, not {version}" in result.stderr


def test_changelog_has_the_keep_a_changelog_shape():
    text = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert headings[0] == ("Unreleased", "")
    assert all(date for version, date in headings[1:]), headings
    assert headings[1][0] == package_version()  # the newest release is the package version
    unreleased = text.split("## [Unreleased]")[1].split("\n## [")[0]
    assert set(re.findall(r"^### (\w+)", unreleased, re.M)) <= {
        "Added",
        "Changed",
        "Deprecated",
        "Removed",
        "Fixed",
        "Security",
    }


def test_the_release_workflow_is_pinned_and_least_privileged():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {}
    assert workflow[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    [job] = workflow["jobs"].values()
    assert (
        job["permissions"] == {"contents": "write"} and job["environment"] and isinstance(job["timeout-minutes"], int)
    )
    for step in job["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
        assert "${{" not in step.get("run", ""), step.get("name")
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "scripts/release-check --tag" in runs and "merge-base --is-ancestor" in runs


def test_actionlint_and_zizmor_find_nothing_in_the_release_workflow():
    actionlint = subprocess.run(
        [shutil.which("actionlint") or "actionlint", "-no-color", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert actionlint.returncode == 0, actionlint.stdout + actionlint.stderr
    zizmor = subprocess.run(
        [shutil.which("zizmor") or "zizmor", "--offline", "--no-progress", "--persona", "pedantic", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert zizmor.returncode == 0 and "No findings" in zizmor.stdout + zizmor.stderr, zizmor.stdout + zizmor.stderr
