"""Properties of the lfs check's .gitattributes handling: parsing never raises, a sample path made
from a pattern is matched by that pattern (as git itself says), appended rules re-parse complete,
and `--fix` round-trips: after it (and `git add`), the check finds no missing or incomplete rule."""

from __future__ import annotations

import fnmatch
import os
import subprocess
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hf_publish.checks.lfs import (
    COMPLETE,
    append_rules,
    attribute_state,
    complete_line,
    incomplete_rules,
    parse_gitattributes,
    sample_path,
)
from hf_publish.cli import main
from tests.helpers import git

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GIT = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(st.text(max_size=2000))
def test_any_text_parses_without_raising(text: str):
    count = len(text.splitlines())
    for line in parse_gitattributes(text):
        assert 1 <= line.line <= count
        assert isinstance(line.pattern, str) and isinstance(line.attributes, tuple)
        attribute_state(line.attributes)
    incomplete_rules(parse_gitattributes(text))


@FUZZ
@given(st.text(max_size=60))
def test_any_pattern_gives_a_sample_path(pattern: str):
    assert isinstance(sample_path(pattern), str)


# Patterns in the shapes org policies use: extensions, infixes, folders, char classes, spaces.
segment = st.from_regex(r"[a-z0-9_-]{1,8}", fullmatch=True)
pattern = st.one_of(
    segment.map(lambda s: f"*.{s}"),
    segment.map(lambda s: f"*{s}*"),
    st.tuples(segment, segment).map(lambda t: f"{t[0]}.*.{t[1]}"),
    segment.map(lambda s: f"{s}/**/*"),
    segment.map(lambda s: f"*.{s}[0-9]"),
    segment.map(lambda s: f"*.{s}?"),
    st.tuples(segment, segment).map(lambda t: f"{t[0]} {t[1]}.bin"),
)


def _check_attr(root: Path, path: str) -> dict[str, str]:
    out = subprocess.run(
        ["git", "-C", str(root), "check-attr", "filter", "diff", "merge", "text", "--", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.rsplit(": ", 2)[1]: line.rsplit(": ", 2)[2] for line in out.splitlines()}


@GIT
@given(pattern)
def test_the_sample_path_of_a_pattern_is_matched_by_it_as_git_says(pattern: str):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        git(root, "init", "-q")
        (root / ".gitattributes").write_text(append_rules("", [pattern]))
        assert _check_attr(root, sample_path(pattern)) == COMPLETE, (pattern, sample_path(pattern))


@FUZZ
@given(st.text(max_size=500), st.lists(pattern, min_size=1, max_size=5, unique=True))
def test_appended_rules_keep_the_text_and_parse_as_complete_rules(text: str, patterns: list[str]):
    out = append_rules(text, patterns)
    assert out.startswith(text)
    lines = parse_gitattributes(out)
    for p in patterns:
        assert any(
            line.pattern == p
            and not incomplete_rules([line])
            and attribute_state(line.attributes).get("filter") == "lfs"
            for line in lines
        ), (p, out)


@FUZZ
@given(
    pattern,
    st.lists(
        st.sampled_from(
            ["filter=lfs", "diff=lfs", "merge=lfs", "-text", "text", "eol=lf", "linguist-generated", "-diff", "!merge"]
        ),
        max_size=6,
    ),
)
def test_completing_a_line_keeps_its_other_attributes(pattern: str, attributes: list[str]):
    quoted = f'"{pattern}"' if " " in pattern else pattern
    line = "  " + " ".join([quoted, "filter=lfs", *attributes])
    out = complete_line(line, pattern)
    (parsed,) = parse_gitattributes(out)
    assert parsed.pattern == pattern and not incomplete_rules([parsed])
    assert attribute_state(parsed.attributes)["filter"] == "lfs"
    others = [a for a in attributes if a.lstrip("-!").partition("=")[0] not in COMPLETE]
    assert [a for a in parsed.attributes if a in others] == others


# --- --fix on a real repo -------------------------------------------------------------------------

existing_line = st.one_of(
    st.sampled_from(
        [
            "# comment",
            "",
            "*.bin filter=lfs",
            "*.pt filter=lfs diff=lfs merge=lfs -text",
            "[attr]weights filter=lfs diff=lfs merge=lfs -text",
            "*.onnx weights",
            "*.safetensors -filter",
            "*.gguf !filter",
            "*.h5 text",
            "*.zip filter=lfs diff=lfs merge=lfs -text export-ignore",
            "*.npy filter=lfs diff=lfs merge=lfs text",
            "*.txt text eol=lf",
            "   *.pkl   filter=lfs  ",
        ]
    ),
    pattern.map(lambda p: (f'"{p}"' if " " in p else p) + " filter=lfs"),
)


@SLOW
@given(st.lists(existing_line, max_size=12), st.lists(pattern, max_size=3, unique=True), st.booleans(), st.booleans())
def test_fix_then_stage_leaves_no_lfs_rule_finding(tmp_path_factory, lines, extra, crlf, final_newline):
    # A required pattern matching the repo's own two files would (rightly) want them in LFS too.
    patterns = extra + [line.pattern for line in parse_gitattributes("\n".join(lines))]
    assume(not any(fnmatch.fnmatch(name, p) for p in patterns for name in (".gitattributes", ".hf-publish.yaml")))
    root = tmp_path_factory.mktemp("fix")
    git(root, "init", "-q", "-b", "feature/lfs-rules")
    newline = "\r\n" if crlf else "\n"
    original = newline.join(lines) + (newline if final_newline and lines else "")
    (root / ".gitattributes").write_bytes(original.encode())
    if extra:
        (root / ".hf-publish.yaml").write_text(yaml.safe_dump({"lfs": {"required_patterns": extra}}))
    git(root, "add", "-A")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        first = main(["check", "lfs", "--fix", "--all-files", "--format", "json"])
        fixed = (root / ".gitattributes").read_bytes().decode()
        git(root, "add", ".gitattributes")
        second = main(["check", "lfs", "--all-files", "--format", "json"])
    finally:
        os.chdir(cwd)

    assert first in (0, 1)
    assert second == 0, fixed
    # --fix touched only incomplete filter=lfs lines, and appended after the original content.
    before, after = original.splitlines(), fixed.splitlines()
    assert len(after) >= len(before)
    for old, new in zip(before, after):
        parsed = parse_gitattributes(old)
        if not (parsed and incomplete_rules(parsed)):
            assert new == old
