"""`hf-publish check config` (the config hook's command) on the user's path: every problem of a
policy at once (schema and semantic errors together), and an unclosed `[` at the line it opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import git, init_repo, write

HF_PUBLISH = str(Path(sys.executable).with_name("hf-publish"))


def check_config(repo: Path) -> subprocess.CompletedProcess:
    git(repo, "add", "-A")
    return subprocess.run(
        [HF_PUBLISH, "check", "config", ".hf-publish.yaml"], cwd=repo, capture_output=True, text=True, timeout=120
    )


def test_semantic_errors_come_with_the_schema_errors(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(
        repo / ".hf-publish.yaml",
        """organization: acme-ai
repos:
  - name: bert-ko-v1
    path: ../elsewhere
    private: maybe
  - name: bert-ko-v1
    path: models/bert
lfs:
  max_txt_size: 1MB
""",
    )
    proc = check_config(repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.startswith(".hf-publish.yaml:4:") and "points outside the git repo" in line for line in lines)
    assert any(line.startswith(".hf-publish.yaml:5:") and "'maybe' is not of type 'boolean'" in line for line in lines)
    assert any(line.startswith(".hf-publish.yaml:6:") and "'bert-ko-v1' is listed twice" in line for line in lines)
    assert any(line.startswith(".hf-publish.yaml:9:") and "unknown key 'lfs.max_txt_size'" in line for line in lines)
    assert "Traceback" not in proc.stderr


def test_a_duplicate_key_comes_with_the_rest(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / ".hf-publish.yaml", "organization: a\norganization: b\nrepos:\n  - name: x-v1\n    path: /abs\n")
    proc = check_config(repo)
    assert proc.returncode == 1
    assert ".hf-publish.yaml:2:" in proc.stdout and "duplicate key 'organization'" in proc.stdout
    assert ".hf-publish.yaml:5:" in proc.stdout and "points outside the git repo" in proc.stdout


def test_an_unclosed_bracket_is_reported_where_it_opened(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    lines = [
        "organization: acme-ai",
        "repos:",
        "  - name: bert-ko-v1",
        "    path: models/bert",
        "    private: true",
        "naming:",
        "  repo:",
        "    forbidden: [test, temp]",
        "  branch:",
        "    protected: [main]",
        "    # the next line never closes its list",
        "    allowed: [main, 'feature/*'",
        "lfs:",
        "  max_text_size: 10MiB",
    ]
    write(repo / ".hf-publish.yaml", "\n".join(lines) + "\n")
    proc = check_config(repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    finding, fix = proc.stdout.splitlines()
    assert "fix: close it on this line" in fix
    assert finding.startswith(".hf-publish.yaml:12: [config] YAML syntax error: '[' opened here is never closed"), (
        finding
    )
