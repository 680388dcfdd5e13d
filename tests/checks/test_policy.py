"""The policy file: typed defaults, every schema error at its line, hostile YAML refused cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_publish.cli import main
from hf_publish.errors import PolicyError
from hf_publish.policy.load import load_policy, load_schema, parse_policy_text
from hf_publish.policy.model import DEFAULT_LFS_PATTERNS, Policy, parse_size


@pytest.fixture(autouse=True)
def _no_validation_cache(monkeypatch):
    monkeypatch.setenv("HF_PUBLISH_NO_CACHE", "1")


def problems(text: str):
    findings, _ = parse_policy_text(text.encode(), ".hf-publish.yaml")
    return [(f.line, f.message, f.fix) for f in findings]


def test_no_policy_file_gives_the_documented_defaults():
    policy = load_policy(None)
    assert policy == Policy()
    assert policy.branch_naming.protected == ("main",)
    assert "*.safetensors" in policy.lfs.required_patterns and len(policy.lfs.required_patterns) == 35
    assert "*.gguf" not in policy.lfs.required_patterns  # required only where a .gguf file exists
    assert policy.lfs.max_text_size == 10 * 1024 * 1024 and policy.lfs.max_binary_size == 1_000_000
    assert policy.card.required_sections == ("Overview", "Usage", "Performance", "License", "Contact")
    assert policy.auth.require_fine_grained is True


def test_full_policy_is_typed(tmp_path: Path):
    path = tmp_path / ".hf-publish.yaml"
    path.write_text(
        "organization: acme-ai\n"
        "repos:\n"
        "  - name: bert-korean-sentiment-v2\n"
        "    type: model\n"
        "    path: models/bert\n"
        "    ignore: ['*.tmp']\n"
        "  - name: reviews-corpus-v1\n"
        "    type: dataset\n"
        "    private: false\n"
        "lfs:\n  max_text_size: 5MiB\n  max_binary_size: 2MB\n"
        "card:\n  section_headings: {Usage: [Quickstart]}\n"
    )
    policy = load_policy(path)
    first, second = policy.repos
    assert (first.repo_id(policy.organization), first.path, first.ignore, first.private, first.line) == (
        "acme-ai/bert-korean-sentiment-v2",
        "models/bert",
        ("*.tmp",),
        True,
        3,
    )
    assert (second.type, second.private, second.path, second.line) == ("dataset", False, ".", 7)
    assert policy.lfs.max_text_size == 5 * 2**20 and policy.lfs.max_binary_size == 2_000_000
    assert "Quickstart" in policy.card.headings_for("Usage") and "사용법" in policy.card.headings_for("Usage")
    assert policy.lfs.required_patterns == DEFAULT_LFS_PATTERNS


def test_every_schema_error_is_reported_at_its_line():
    found = problems(
        "organization: acme-ai\n"  # 1
        "repos:\n"  # 2
        "  - name: bert-v1\n"  # 3
        "    typ: model\n"  # 4
        "    private: 'yes'\n"  # 5
        "naming:\n"  # 6
        "  branch:\n"  # 7
        "    allowed: main\n"  # 8
        "lfs:\n"  # 9
        "  max_binary_size: huge\n"  # 10
        "organisation: x\n"  # 11
    )
    lines = {line: (message, fix) for line, message, fix in found}
    assert set(lines) == {4, 5, 8, 10, 11}
    assert lines[4] == ("unknown key 'repos[0].typ'", "did you mean 'type'?")
    assert "not of type 'boolean'" in lines[5][0]
    assert "naming.branch.allowed" in lines[8][0]
    assert "not a size" in lines[10][0]
    assert lines[11] == ("unknown key 'organisation'", "did you mean 'organization'?")


def test_yaml_syntax_error_has_its_line():
    [(line, message, _)] = problems("organization: acme-ai\nrepos:\n  - name: [unclosed\n")
    assert line == 3 and message.startswith("YAML syntax error: '[' opened here is never closed")


def test_duplicate_keys_are_refused():
    [(line, message, _)] = problems("organization: a\norganization: b\n")
    assert line == 2 and "duplicate key 'organization' (first at line 1)" in message


def test_billion_laughs_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    [(line, message, _)] = problems("\n".join(lines) + "\n")
    assert "billion laughs" in message


def test_huge_and_non_utf8_files_are_findings_not_crashes():
    findings, _ = parse_policy_text(b"# x\n" * 400_000, "p.yaml")
    assert "limit" in findings[0].message
    [finding], _ = parse_policy_text(b"organization: acme\nrepos: \xff\n", "p.yaml")
    assert finding.line == 2 and "UTF-8" in finding.message


def test_semantic_rules_paths_and_duplicates():
    found = problems("repos:\n  - name: a-v1\n    path: ../../etc\n  - name: A-v1\n  - name: b-v1\n    sdk: gradio\n")
    messages = {line: message for line, message, _ in found}
    assert "outside the git repo" in messages[3]
    assert "listed twice" in messages[4]
    assert "only a space has an sdk" in messages[6]


def test_load_policy_raises_with_all_findings(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("foo: 1\nbar: 2\n")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert [f.line for f in info.value.findings] == [1, 2]


def test_sizes():
    assert parse_size("10MiB") == 10485760
    assert parse_size("1MB") == 1_000_000
    assert parse_size(512) == 512
    assert parse_size("1.5 KB") == 1500
    with pytest.raises(ValueError):
        parse_size("lots")


def test_schema_command_prints_the_shipped_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == load_schema()


def test_invalid_policy_exits_2_with_file_and_line(tmp_path: Path, capsys, monkeypatch):
    (tmp_path / ".hf-publish.yaml").write_text("organization: acme-ai\nrepoz: []\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "repo-name"]) == 2
    assert "is invalid (1 problem(s))" in capsys.readouterr().err
    assert main(["check", "config"]) == 1
    out = capsys.readouterr()
    assert ".hf-publish.yaml:2: [config] unknown key 'repoz'" in out.out
    assert "did you mean 'repos'?" in out.out
    assert "Traceback" not in out.err


def test_validation_cache_skips_nothing_on_invalid(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("HF_PUBLISH_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    good = b"organization: acme-ai\n"
    assert parse_policy_text(good, "p")[0] == []
    assert list((tmp_path / "cache" / "hf-publish" / "valid-policies").iterdir())
    assert parse_policy_text(good, "p")[0] == []  # served from the cache
    assert parse_policy_text(b"organization: 1\n", "p")[0]  # never cached as valid
