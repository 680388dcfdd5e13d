"""Untrusted text never becomes a workflow command: every line hf-publish prints, in every format and
command, is judged by a model of the Actions runner's command parser (tests/action/runner_model.py).

The repo under test holds files whose names are workflow commands in every disguise: at the start
of a name, after a newline, a lone carriage return, a unicode line separator, leading unicode
whitespace or an ignorable character, percent-escaped, and the legacy `##[` form mid-name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hf_publish.report import RunnerSafeStream, inert_line, inert_text, json_text
from tests.action.runner_model import commands
from tests.helpers import git, init_repo, write

FORMATS = ["text", "github", "json"]
HOSTILE_NAMES = [
    "::set-output name=changed::true",
    "::stop-commands::pwned",
    "::error file=README.md,line=1::forged",
    "::add-mask::model",
    "a\rb::warning::forged",
    "c\r::error::after-cr",
    "\n::error::after-newline",
    "%0A::error::percent",
    "d\u2028::error::line-separator",
    "e\u0085::error::next-line",
    "\u00a0::error::nbsp",
    "\u3000::notice::ideographic-space",
    "\u200b::error::zero-width",
    ":\u00ad:error::soft-hyphen",
    "\t::debug::tab",
    "x##[error]legacy",
    "##[set-output name=changed;]true",
    "#\u200b#[error]ignorable",
    "$(touch pwned)`id`.txt",
]
TOKEN = "hf_" + "Q" * 34  # token-shaped: every file gets a secrets finding


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo", branch="main")
    write(repo / ".hf-publish.yaml", "organization: acme-ai\nrepos:\n  - name: kor-sentiment-v1\n    path: model\n")
    shutil_copy_card(repo)
    for name in HOSTILE_NAMES:
        write(repo / "model" / name, f'token = "{TOKEN}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile names")
    return repo


def shutil_copy_card(repo: Path) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "action" / "fixtures" / "consumer"
    write(repo / "model" / "README.md", (fixtures / "model" / "README.md").read_text())
    write(repo / ".gitattributes", (fixtures / ".gitattributes").read_text())


def cli(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HF_TOKEN"))}
    return subprocess.run(
        [sys.executable, "-m", "hf_publish", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=120,
    )


def only_annotations(output: str, expected: int) -> None:
    """Every command in `output` is one of our annotations (`::error file=...,title=hf-publish ...`)."""
    found = commands(output)
    assert all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in found), found
    assert len(found) == expected, found


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_output_in_every_format_holds_no_forged_command(hostile_repo, fmt):
    result = cli(hostile_repo, "check", "secrets", "--all-files", "--format", fmt)
    assert result.returncode == 1, result.stderr
    assert commands(result.stderr) == []
    if fmt == "github":
        only_annotations(result.stdout, len(HOSTILE_NAMES))
    else:
        assert commands(result.stdout) == [], result.stdout
    if fmt == "json":
        paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
        assert paths == {f"model/{name}" for name in HOSTILE_NAMES}  # the value is intact
    if fmt == "text":
        assert "model/::set-output name=changed::true" in result.stdout  # shown, just inert


def _has_control(name: str) -> bool:
    """C0 controls and DEL: what the Hub refuses in a path (C1 controls such as U+0085 are stored)."""
    return any(ord(char) < 32 or ord(char) == 127 for char in name)


PUBLISHABLE_NAMES = [name for name in HOSTILE_NAMES if not _has_control(name)]
REFUSED_NAMES = [name for name in HOSTILE_NAMES if _has_control(name)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_publish_dry_run_plan_in_every_format_holds_no_forged_command(hostile_repo, fmt):
    """Names the Hub accepts are planned and printed inert; the ones with control characters (the
    Hub refuses them) are removed first: the next test covers them."""
    for name in REFUSED_NAMES:
        (hostile_repo / "model" / name).unlink()
    for name in PUBLISHABLE_NAMES:
        write(hostile_repo / "model" / name, "plain text\n")
    git(hostile_repo, "add", "-A")
    git(hostile_repo, "commit", "-q", "-m", "no tokens, no control characters")
    result = cli(hostile_repo, "publish", "--dry-run", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert commands(result.stdout) == [] and commands(result.stderr) == [], result.stdout + result.stderr
    if fmt == "json":
        (plan,) = [r["plan"] for r in json.loads(result.stdout)["results"]]
        assert set(PUBLISHABLE_NAMES) <= set(plan["add"])
    else:
        assert "::stop-commands::pwned" in result.stdout  # the plan names it


@pytest.mark.parametrize("fmt", FORMATS)
def test_names_the_hub_refuses_are_findings_before_upload_and_print_inert(hostile_repo, fmt):
    for name in HOSTILE_NAMES:
        write(hostile_repo / "model" / name, "plain text\n")
    git(hostile_repo, "commit", "-q", "-am", "no tokens")
    result = cli(hostile_repo, "publish", "--dry-run", "--format", fmt)
    assert result.returncode == 1, result.stdout + result.stderr
    assert commands(result.stdout) == [] or fmt == "github", result.stdout
    if fmt == "github":
        only_annotations(result.stdout, len(REFUSED_NAMES))
    assert commands(result.stderr) == [], result.stderr
    assert "control character" in result.stdout + result.stderr


def test_matrix_json_keeps_hostile_repo_names_intact_and_inert(tmp_path):
    repo = init_repo(tmp_path / "mono", branch="main")
    names = ["a##[error]b-v1", "c\u2028::error::d-v1", "e-v1"]
    entries = "".join(f"  - name: {json.dumps(n)}\n    path: d{i}\n" for i, n in enumerate(names))
    write(repo / ".hf-publish.yaml", "organization: acme-ai\nrepos:\n" + entries)
    for i in range(len(names)):
        write(repo / f"d{i}" / "f.txt", "x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    result = cli(repo, "matrix")
    assert result.returncode == 0, result.stderr
    assert commands(result.stdout) == []
    assert json.loads(result.stdout) == {"repo": names}


def test_a_policy_error_echoing_hostile_text_is_inert(tmp_path):
    repo = init_repo(tmp_path / "bad", branch="main")
    write(repo / ".hf-publish.yaml", 'organization: acme-ai\n"::error::x\\r::warning::y": 1\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bad policy")
    for fmt in ("text", "json"):
        result = cli(repo, "check", "config", "--format", fmt)
        assert result.returncode == 1  # the config check reports the policy's problems as findings
        assert commands(result.stdout) == [] and commands(result.stderr) == [], result.stdout + result.stderr
    result = cli(repo, "check", "config", "--format", "github")
    only_annotations(result.stdout, 1)


# --- the output layer itself -----------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_inert_text_leaves_nothing_the_runner_would_parse(name):
    for text in (name, f"  {name}", f"prefix {name}", f"{name}\n{name}", f"ok\r{name}"):
        assert commands(inert_text(text)) == []
    assert inert_line(inert_line(name)) == inert_line(name)  # applying it twice changes nothing


def test_the_stream_guards_a_command_split_over_writes_and_passes_real_commands():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    sink = Sink()
    stream = RunnerSafeStream(sink)
    for piece in (" ", ":", ":error::split\n", "#", "#", "[set-output]x\n", "tail without newline"):
        stream.write(piece)
    stream.write_command("::notice title=hf-publish::ours")
    stream.close_line()
    lines = sink.text.splitlines()
    assert commands(sink.text) == ["::notice title=hf-publish::ours"], lines
    assert lines[-2] == "tail without newline"


def test_json_text_is_inert_and_means_the_same():
    data = {"paths": HOSTILE_NAMES}
    text = json_text(data)
    assert commands(text) == [] and json.loads(text) == data
