"""--help on the user's path (the CLI as a subprocess): every environment variable the code reads is
listed in the --help of a command that reads it and in docs/cli.md; `init --help` lists only the
exit codes init can end with; `hf-publish sandbox --help` shows serve's options."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from hf_publish.cli.environment import TOP, VARIABLES
from tests.docs.test_reference import code_environment_variables

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "hf_publish"
CLI_DOC = ROOT / "docs" / "cli.md"
# reads: os.environ.get("X"), environ["X"], os.getenv("X"), env.get("X"), env["X"], "X" in env ...
READ = re.compile(r"""(?:environ|getenv|env)\s*(?:\.get\(|\.pop\(|\[|\()\s*["']([A-Z][A-Z0-9_]+)["']""")
MEMBER = re.compile(r"""["']([A-Z][A-Z0-9_]+)["']\s+(?:not\s+)?in\s+(?:os\.environ|environ|env|ctx\.env)\b""")
CONSTANT = re.compile(r"""^[A-Z_]*ENV[A-Z_]*\s*=\s*["']([A-Z][A-Z0-9_]+)["']""", re.M)  # TIMEOUT_ENV = "..."


@cache
def help_of(command: str) -> str:
    args = command.split() if command else []
    proc = subprocess.run(
        [sys.executable, "-m", "hf_publish", *args, "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def read_in_code() -> set[str]:
    """Variables the package reads (the sandbox, a test double, sets its own for tests: left out)."""
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "sandbox" in path.relative_to(SRC).parts:
            continue
        text = path.read_text(encoding="utf-8")
        names |= set(READ.findall(text)) | set(MEMBER.findall(text)) | set(CONSTANT.findall(text))
    return names


def test_the_grep_finds_what_the_code_reads():
    found = read_in_code()
    assert {
        "HF_TOKEN",
        "HF_PUBLISH_DEBUG",
        "HF_PUBLISH_TIMEOUT",
        "HF_PUBLISH_SANDBOX_TOKEN",
        "HF_PUBLISH_NO_CACHE",
        "XDG_CACHE_HOME",
        "PRE_COMMIT_REMOTE_BRANCH",
        "GIT_INDEX_FILE",
        "GITHUB_EVENT_NAME",
    } <= found


def test_every_variable_the_code_reads_is_in_a_commands_help_and_in_cli_md():
    documented = CLI_DOC.read_text(encoding="utf-8").split("<!-- section:environment -->", 1)[1]
    listed = {v.name: v for v in VARIABLES}
    tests_only = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", documented.split("**Set for tests and the sandbox**", 1)[1]))
    names = (read_in_code() | code_environment_variables()) - tests_only
    assert sorted(names - set(listed)) == [], "read by the code, missing from hf_publish/cli/environment.py"
    for name in sorted(names):
        assert any(re.search(rf"^\s+{name}\s", help_of(c), re.M) for c in listed[name].commands), name
        assert f"`{name}`" in documented, f"{name} missing from docs/cli.md's environment section"


@pytest.mark.parametrize("variable", VARIABLES, ids=lambda v: v.name)
def test_each_command_lists_the_variables_it_reads(variable):
    for command in variable.commands:
        assert re.search(rf"^\s+{variable.name}\s", help_of(command), re.M), (variable.name, command or "top")


def test_user_variables_are_in_the_top_level_help():
    top = help_of(TOP).split("environment:", 1)[1]
    for name in ("HF_TOKEN", "HF_PUBLISH_SANDBOX_TOKEN", "HF_PUBLISH_NO_CACHE", "XDG_CACHE_HOME", "HF_PUBLISH_DEBUG"):
        assert re.search(rf"^\s+{name}\s", top, re.M), name


def test_init_help_lists_only_the_exit_codes_init_can_end_with():
    codes = re.findall(r"^\s+(\d+)\s", help_of("init").split("exit codes:", 1)[1].split("\n\n")[0], re.M)
    assert codes == ["0", "2", "3", "130"]


def test_refresh_vocab_endpoint_has_help():
    assert re.search(r"--endpoint URL\s+Hub endpoint to fetch from", help_of("refresh-vocab"))


def test_sandbox_help_shows_serves_options():
    text = help_of("sandbox")
    for option in ("--host", "--port", "--data-dir", "--users", "--allow-remote"):
        assert option in text, option
    assert "users file (YAML)" in text
