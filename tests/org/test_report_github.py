"""The github format: annotations and the job summary stay inert whatever the repo and card say."""

from __future__ import annotations

import io

from hf_publish.org import report_github
from hf_publish.report import RunnerSafeStream
from tests.org.records import record, result_of, sample_org

EVIL_TITLE = "fine\n::error::injected\r::set-output name=x::y %0A::warning::z"


def test_each_finding_is_one_annotation_and_hostile_text_cannot_start_a_command():
    repos = sample_org() + [record("acme/" + EVIL_TITLE)]  # the Hub refuses such a name; the report must not care
    result = result_of(repos)
    raw = io.StringIO()
    stream = RunnerSafeStream(raw)
    for line in report_github.annotation_lines(result):
        stream.write_command(line)
    printed = raw.getvalue().splitlines()
    commands = [line for line in printed if line.startswith("::")]
    assert (
        len(commands)
        == len(printed)
        == min(len(result.findings), report_github.MAX_ANNOTATIONS)
        + (len(result.findings) > report_github.MAX_ANNOTATIONS)
        + len(result.access.notes)
    )
    assert all(line.split("::")[1].split(" ")[0] in ("error", "warning", "notice") for line in commands)
    # the crafted name is quoted in the naming findings: escaped, never a line of its own
    quoted = [line for line in commands if "injected" in line]
    assert quoted and all("\n" not in line and "\r" not in line for line in quoted)


def test_the_job_summary_escapes_names_commit_titles_and_card_text(tmp_path, monkeypatch):
    summary_path = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_path))
    raw = io.StringIO()
    markdown = report_github.emit(result_of(sample_org()), RunnerSafeStream(raw))
    assert summary_path.read_text() == markdown
    assert "<img" not in markdown and "&lt;img src=x onerror=" in markdown
    assert "| acme" not in markdown  # repo cells are links or code, never raw text
    assert "[acme/bert\\-sentiment\\-v1]" not in markdown
    assert "](https://huggingface.co/datasets/acme/old-corpus-v1)" in markdown
    assert "### Largest repos" in markdown and "### Activity in the last 7 days" in markdown
