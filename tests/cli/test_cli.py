from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hf_publish import __version__
from hf_publish.cli import build_parser, main
from hf_publish.cli.check import split_targets
from hf_publish.errors import EXIT_CODES_HELP

ROOT = Path(__file__).resolve().parents[2]


def test_version_and_help_teach_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and __version__ in capsys.readouterr().out
    help_text = build_parser().format_help()
    assert "exit codes:" in help_text and "HF_PUBLISH_DEBUG" in help_text


def test_exit_codes_in_help_match_the_readme():
    readme = (ROOT / "README.md").read_text()
    for line in EXIT_CODES_HELP.splitlines()[1:]:
        code = line.split()[0]
        assert f"| {code} |" in readme, f"README's exit code table lacks {code}"


def test_check_ids_then_files():
    assert split_targets(["lfs", "secrets", "a.py", "lfs"]) == (["lfs", "secrets"], ["a.py", "lfs"])
    assert split_targets(["README.md"]) == ([], ["README.md"])


def test_unexpected_errors_are_one_line_unless_debug(tmp_path: Path):
    bad = tmp_path / "policy-dir"
    bad.mkdir()  # a directory where a file is expected: an OS error deep inside
    env = {k: v for k, v in os.environ.items() if k != "HF_PUBLISH_DEBUG"}
    run = lambda extra: subprocess.run(
        [sys.executable, "-m", "hf_publish", "check", "lfs", "--config", str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, **extra},
    )
    quiet = run({})
    assert quiet.returncode == 2 and "Traceback" not in quiet.stderr
    assert len(quiet.stderr.strip().splitlines()) == 1


def test_github_format_escapes_properties_and_messages(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / ".hf-publish.yaml").write_text("organization: acme-ai\nrepos:\n  - name: 'a,b:c'\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "repo-name", "--format", "github"]) == 1
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 2  # one annotation per finding, each on one line
    for line in lines:
        assert line.startswith("::error file=.hf-publish.yaml,line=3,title=hf-publish repo-name::")
        assert "%0Afix: " in line


def test_workflow_command_escaping_matches_the_runner():
    from hf_publish.report import escape_data, escape_property

    assert escape_property("dir,a/b:c%.md") == "dir%2Ca/b%3Ac%25.md"
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"


def test_check_accepts_options_between_file_names(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / ".hf-publish.yaml").write_text("organization: acme-ai\nrepos:\n  - name: test123\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "repo-name", "--format", "json", ".hf-publish.yaml", "--all-files"]) == 1
    import json

    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["check"] for f in findings} == {"repo-name"} and findings[0]["line"] == 3


def test_text_output_escapes_control_characters_in_paths():
    from hf_publish.findings import Finding
    from hf_publish.report import text_line

    line = text_line(Finding("secrets", "evil\nREADME.md:1: [secrets] forged", 2, "real finding"))
    assert "\n" not in line.split("\n    fix")[0]
    assert line.startswith("evil\\nREADME.md:1: [secrets] forged:2: [secrets] real finding")
    assert text_line(Finding("lfs", "모델/가중치.bin", 1, "m")).startswith("모델/가중치.bin:1:")


def test_publish_caps_hf_xet_retries_and_hides_progress_bars_only_while_it_runs(
    tmp_path: Path, monkeypatch, hub_sandbox
):
    from huggingface_hub.utils import are_progress_bars_disabled, enable_progress_bars

    from hf_publish.publishing.hub import make_api
    from hf_publish.publishing.run import publish

    (tmp_path / ".hf-publish.yaml").write_text("organization: acme-ai\nrepos:\n  - name: kor-sentiment-v1\n")
    monkeypatch.delenv("HF_XET_CLIENT_RETRY_MAX_DURATION", raising=False)
    tqdm_module = sys.modules["huggingface_hub.utils.tqdm"]
    monkeypatch.setattr(tqdm_module, "HF_HUB_DISABLE_PROGRESS_BARS", None)  # the variable is read at import time
    enable_progress_bars()
    seen: list[tuple[str | None, bool]] = []

    def run(**kwargs) -> None:
        seen.clear()
        api = make_api(hub_sandbox.endpoint, hub_sandbox.tokens["alice-fg-org"])
        publish(
            tmp_path,
            dry_run=True,
            api=api,
            findings=[],
            env={},
            log=lambda line: seen.append(
                (os.environ.get("HF_XET_CLIENT_RETRY_MAX_DURATION"), are_progress_bars_disabled())
            ),
            **kwargs,
        )

    run(progress=False)
    assert seen and set(seen) == {("120s", True)}  # the retry budget, while the run lasts
    assert "HF_XET_CLIENT_RETRY_MAX_DURATION" not in os.environ and not are_progress_bars_disabled()
    run(retry_budget=30)
    assert set(seen) == {("30s", False)}
    monkeypatch.setenv("HF_XET_CLIENT_RETRY_MAX_DURATION", "5m")
    run()
    assert set(seen) == {("5m", False)} and os.environ["HF_XET_CLIENT_RETRY_MAX_DURATION"] == "5m"


def test_the_closing_line_counts_each_severity_and_never_says_passed_for_findings():
    from hf_publish.findings import Finding
    from hf_publish.report import summary_line

    warning = Finding("model-card", "README.md", 3, "license other", severity="warning")
    notice = Finding("lfs", ".gitattributes", None, "fixed: appended 1 LFS rule(s)", severity="notice")
    error = Finding("secrets", "a.py", 1, "a token")
    assert summary_line([]) == "hf-publish: all checks passed"
    assert summary_line([warning]) == "hf-publish: no errors; 1 warning(s) (warnings pass unless --strict)"
    assert summary_line([notice]) == "hf-publish: no errors; 1 notice(s)"
    assert summary_line([error, warning, notice]) == "hf-publish: 1 error(s), 1 warning(s), 1 notice(s)"
    assert summary_line([notice], fixed=True).startswith("hf-publish: --fix changed files")
