"""The Action's hash lock (requirements/action.txt) is current with pyproject.toml and is what
action.yml installs, hashes required. Offline: pins and recorded inputs are compared, nothing is
re-resolved (`python scripts/lock-action-deps` does that, with the network)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import subprocess
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.action.conftest import ACTION_YML, ROOT

LOCK = ROOT / "requirements" / "action.txt"
SCRIPT = ROOT / "scripts" / "lock-action-deps"


def lock_script():
    loader = importlib.machinery.SourceFileLoader("lock_action_deps", str(SCRIPT))
    spec = importlib.util.spec_from_loader("lock_action_deps", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def locked() -> list[tuple[str, str, list[str]]]:
    """(name, version, hashes) of every entry, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", LOCK.read_text())
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert match, f"not a pinned requirement: {line}"
        entries.append(
            (canonicalize_name(match.group(1)), match.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
        )
    return entries


def test_the_lock_records_the_current_inputs_of_pyproject():
    script = lock_script()
    assert script.recorded_digest(LOCK) == script.inputs_digest(script.lock_inputs()), (
        "requirements/action.txt is out of date: run python scripts/lock-action-deps"
    )
    assert subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True).returncode == 0


def test_every_runtime_and_build_requirement_is_pinned_within_its_range_with_hashes():
    entries = locked()
    assert all(hashes for _, _, hashes in entries)
    versions: dict[str, list[str]] = {}
    for name, version, _ in entries:
        versions.setdefault(name, []).append(version)
    for requirement in map(Requirement, lock_script().lock_inputs()):
        name = canonicalize_name(requirement.name)
        assert name in versions, f"{requirement} is not in the lock"
        assert all(requirement.specifier.contains(v) for v in versions[name]), (requirement, versions[name])


def test_the_check_notices_a_changed_dependency_list(tmp_path):
    script = lock_script()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text((ROOT / "pyproject.toml").read_text().replace('"PyYAML>=6.0",', '"PyYAML>=6.0",\n    "rich",'))
    assert script.inputs_digest(script.lock_inputs(pyproject)) != script.recorded_digest(LOCK)


def test_action_yml_installs_the_lock_with_hashes_then_itself_without_dependencies():
    text = ACTION_YML.read_text()
    assert 'lock="$GITHUB_ACTION_PATH/requirements/action.txt"' in text
    installs = [line for line in text.splitlines() if " install " in line]
    assert sum("--require-hashes --no-deps" in line for line in installs) == 2  # uv and pip
    assert sum('--no-deps --no-build-isolation "$GITHUB_ACTION_PATH"' in line for line in installs) == 2
    assert "--no-config" in text and "--isolated" in text and "PIP_CONFIG_FILE=/dev/null" in text
    assert "PIP_*|UV_*|PYTHON*" in text
