"""The lfs check on real git repos with real git-lfs: rules asked of git, staged pointers, sizes, --fix."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from hf_publish import _git
from hf_publish.checks import lfs
from hf_publish.checks._inputs import CheckContext
from hf_publish.cli import main
from hf_publish.policy.load import policy_from_data
from hf_publish.policy.model import DEFAULT_LFS_PATTERNS, LfsPolicy, Policy
from tests.helpers import commit_all, git, init_repo, write

# The Hub's own .gitattributes for a new model repo, as it writes it (hub-rules.md: 35 patterns).
HUB_PATTERNS = (
    "*.7z",
    "*.arrow",
    "*.bin",
    "*.bz2",
    "*.ckpt",
    "*.ftz",
    "*.gz",
    "*.h5",
    "*.joblib",
    "*.lfs.*",
    "*.mlmodel",
    "*.model",
    "*.msgpack",
    "*.npy",
    "*.npz",
    "*.onnx",
    "*.ot",
    "*.parquet",
    "*.pb",
    "*.pickle",
    "*.pkl",
    "*.pt",
    "*.pth",
    "*.rar",
    "*.safetensors",
    "saved_model/**/*",
    "*.tar.*",
    "*.tar",
    "*.tflite",
    "*.tgz",
    "*.wasm",
    "*.xz",
    "*.zip",
    "*.zst",
    "*tfevents*",
)
HUB_GITATTRIBUTES = "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in HUB_PATTERNS)
POLICY_TWO = "lfs:\n  required_patterns: ['*.safetensors', '*.gguf']\n"


def run_check(repo: Path, monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)  # text output, as on a developer's machine
    code = main(["check", "lfs", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def weights(path: Path, size: int = 2_000_000) -> Path:
    """A small stand-in for a weights file: binary (NUL bytes), over the 1 MB binary limit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x01weights" + os.urandom(64) + bytes(size - 73))
    return path


# --- pure functions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [
        ("*.safetensors", "hf-publish-sample.safetensors"),
        ("saved_model/**/*", "saved_model/a/hf-publish-sample"),
        ("*tfevents*", "hf-publish-sample.tfevents.x"),
        ("*.tar.*", "hf-publish-sample.tar.x"),
        ("[Mm]odel.bin", "Model.bin"),
        ("/weights/*.pt", "weights/hf-publish-sample.pt"),
        ("checkpoints/", "a/checkpoints/a"),
    ],
)
def test_sample_paths(pattern, sample):
    assert lfs.sample_path(pattern) == sample


def test_every_default_pattern_sample_is_matched_by_git_itself(tmp_path):
    """The samples are only useful if git agrees they match: ask it, with each rule alone."""
    repo = init_repo(tmp_path / "r", lfs=False)
    for pattern in DEFAULT_LFS_PATTERNS:
        write(repo / ".gitattributes", f"{pattern} filter=lfs diff=lfs merge=lfs -text\n")
        sample = lfs.sample_path(pattern)
        assert lfs.covered(_git.check_attr(repo, [sample])[sample]), pattern


def test_required_rules_for_a_repo_in_a_folder():
    rules = lfs.required_rules(DEFAULT_LFS_PATTERNS, ["models/bert"])
    assert "*.safetensors" in rules and "models/bert/saved_model/**/*" in rules and "saved_model/**/*" not in rules
    assert lfs.required_rules(["*.pt", "saved_model/**/*"]) == ["*.pt", "saved_model/**/*"]


def test_incomplete_rules_name_what_is_missing():
    lines = lfs.parse_gitattributes(
        "# weights\n*.bin\tfilter=lfs -text\n*.pt filter=lfs diff=lfs merge=lfs -text\n"
        "*.onnx filter=lfs diff=lfs merge=lfs text\n*.md text\n"
    )
    found = [(line.line, line.pattern, missing) for line, missing in lfs.incomplete_rules(lines)]
    assert found == [(2, "*.bin", ["diff=lfs", "merge=lfs"]), (4, "*.onnx", ["-text"])]


def test_append_rules_keeps_content_and_adds_the_missing_newline():
    assert lfs.append_rules("*.md text", ["*.gguf"]) == "*.md text\n*.gguf filter=lfs diff=lfs merge=lfs -text\n"
    assert lfs.append_rules("", ["a b/*"]) == '"a b/*" filter=lfs diff=lfs merge=lfs -text\n'
    assert lfs.append_rules("x\r\n", ["*.pt"]) == "x\r\n*.pt filter=lfs diff=lfs merge=lfs -text\r\n"


def test_size_rules_and_the_exact_track_fix():
    policy = LfsPolicy()
    text = b"plain text\n" * 10
    assert lfs.judge_staged_file("notes.txt", 5_000_000, text, False, policy) is None  # text under 10 MiB
    assert lfs.judge_staged_file("small.dat", 900_000, b"\0\1", False, policy) is None  # binary under 1 MB
    big_binary = lfs.judge_staged_file("data/x.dat", 1_500_000, b"\0\1", False, policy)
    assert "binary" in big_binary.message and big_binary.path == "data/x.dat"
    assert big_binary.fix == (
        "git lfs track data/x.dat && git add .gitattributes && git add --renormalize data/x.dat"
        " (the file itself: `*.dat` would move every .dat file of the repo into LFS)"
    )
    big_text = lfs.judge_staged_file("corpus/train.jsonl", 11 * 2**20, None, False, policy)
    assert (
        "over lfs.max_text_size (10 MiB)" in big_text.message
        and "git lfs track corpus/train.jsonl " in big_text.fix
        and "`*.jsonl` would move every .jsonl file" in big_text.fix
    )
    assert lfs.judge_staged_file("Makefile", 11 * 2**20, None, False, policy).fix.startswith("git lfs track Makefile")


def test_a_huge_blob_is_never_read():
    policy = LfsPolicy()
    assert not lfs.needs_head(2 * 2**30, in_lfs=False, policy=policy)  # over max_text_size: size says it all
    assert not lfs.needs_head(2 * 2**30, in_lfs=True, policy=policy)  # too big to be a pointer
    assert not lfs.needs_head(500_000, in_lfs=False, policy=policy)  # under both limits
    assert lfs.needs_head(130, in_lfs=True, policy=policy) and lfs.needs_head(2_000_000, False, policy)


def test_blob_prefixes_streamed_or_read_at_once_agree(tmp_path):
    """gitrepo's reader for these checks: many blobs (the oid list overflows a pipe, so git is fed
    from a thread), each cut at `limit`, the same whether streamed or read in one go."""
    repo = init_repo(tmp_path / "r", lfs=False)
    contents = [f"file {i}\n".encode() * (i % 7) for i in range(1500)] + [b"x" * 50_000]
    for i, content in enumerate(contents):
        write(repo / f"f{i}.txt", content)
    oids = git(repo, "hash-object", "-w", *[f"f{i}.txt" for i in range(len(contents))]).split()
    sizes = _git.blob_sizes(repo, oids)
    assert [sizes[o] for o in oids] == [len(c) for c in contents]
    streamed = _git.read_blob_prefixes(repo, oids, limit=20)
    at_once = _git.read_blob_prefixes(repo, oids, limit=20, sizes=sizes)
    assert streamed == at_once == {o: c[:20] for o, c in zip(oids, contents)}


# --- real repos through the CLI ---------------------------------------------------------------


def test_hub_gitattributes_and_real_pointers_pass(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    weights(repo / "model.safetensors")
    weights(repo / "saved_model" / "variables" / "variables.data-00000-of-00001")
    write(repo / "config.json", '{"architectures": ["BertModel"]}\n')
    git(repo, "add", "-A")
    staged = git(repo, "cat-file", "-p", ":model.safetensors")
    assert staged.startswith("version https://git-lfs.github.com/spec/v1")  # git-lfs really cleaned it
    assert run_check(repo, monkeypatch, capsys) == (0, "")
    assert run_check(repo, monkeypatch, capsys, "--all-files")[0] == 0


def test_default_required_patterns_are_the_hubs_own_list():
    assert DEFAULT_LFS_PATTERNS == HUB_PATTERNS


def test_the_hubs_current_default_passes_for_a_model_without_gguf(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    weights(repo / "model.safetensors")
    git(repo, "add", "-A")
    assert run_check(repo, monkeypatch, capsys, "--all-files") == (0, "")
    assert run_check(repo, monkeypatch, capsys, "model.safetensors") == (0, "")


@pytest.mark.parametrize("name", ["model-q4_k_m.gguf", "quant/ggml-model-f16.ggml"])
def test_a_gguf_file_requires_its_rule_only_where_it_is(tmp_path, monkeypatch, capsys, name):
    repo = init_repo(tmp_path / "r")
    write(repo / ".hf-publish.yaml", "repos:\n  - {name: a-v1, path: models/a}\n  - {name: b-v1, path: models/b}\n")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES.replace("saved_model/**/*", "models/*/saved_model/**/*"))
    write(repo / "models" / "a" / name, "not big, but named like weights\n")
    write(repo / "models" / "b" / "config.json", "{}\n")
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys, "--all-files")
    pattern = "*." + name.rpartition(".")[2]
    assert code == 1 and out.count("[lfs]") == 1, out
    assert f"has no LFS rule for 1 required pattern(s): `{pattern}` (models/a/{name} is one)" in out
    assert f"git lfs track '{pattern}'" in out and "models/b" not in out
    write(
        repo / ".gitattributes",
        HUB_GITATTRIBUTES.replace("saved_model/**/*", "models/*/saved_model/**/*")
        + f"{pattern} filter=lfs diff=lfs merge=lfs -text\n",
    )
    git(repo, "add", "-A")
    assert run_check(repo, monkeypatch, capsys, "--all-files")[0] == 0


WHOLE_INDEX = ["ls-files", "-s", "-z", "--full-name"]  # `git ls-files` with no pathspec
ONE_REPO = "repos:\n  - {name: a-v1, path: models/a}\n"
IN_FOLDERS = HUB_GITATTRIBUTES.replace("saved_model/**/*", "models/*/saved_model/**/*")
GGUF_RULE = "*.gguf filter=lfs diff=lfs merge=lfs -text\n"
EXACT_NAME = HUB_GITATTRIBUTES.replace("*.safetensors filter", "model.safetensors filter")  # git lfs track <file>


@pytest.mark.parametrize(
    ("policy", "files", "expected", "whole_index"),
    [
        # a .gguf file committed earlier: its rule is required whatever this commit holds (and
        # each .gguf file is looked at: one may be covered by a rule of its own)
        (ONE_REPO, {".gitattributes": IN_FOLDERS, "models/a/q4.gguf": "x\n"}, "models/a/q4.gguf is one", True),
        # ... and with its rule: nothing to find, and no need to list the index
        (ONE_REPO, {".gitattributes": IN_FOLDERS + GGUF_RULE, "models/a/q4.gguf": "x\n"}, None, False),
        # a weights file covered by its exact name, committed earlier: covered, file by file
        ("{}\n", {".gitattributes": EXACT_NAME, "model.safetensors": b"\0w"}, None, True),
        # ... and a second weights file that rule does not cover: the pattern is required
        (
            "{}\n",
            {".gitattributes": EXACT_NAME, "model.safetensors": b"\0w", "extra.safetensors": b"\0w"},
            "has no LFS rule for 1 required pattern(s): `*.safetensors`",
            True,
        ),
        # a repo folder's own .gitattributes, not part of the commit, with an incomplete rule
        (
            ONE_REPO,
            {".gitattributes": IN_FOLDERS + GGUF_RULE, "models/a/.gitattributes": "*.onnx filter=lfs\n"},
            "models/a/.gitattributes:1: [lfs] incomplete LFS rule for `*.onnx`",
            False,
        ),
    ],
    ids=["gguf-elsewhere", "gguf-covered", "exact-name", "exact-name-and-another", "folder-gitattributes"],
)
def test_a_hook_judges_the_rules_as_all_files_does(
    tmp_path, monkeypatch, capsys, git_started, policy, files, expected, whole_index
):
    """A hook names the files of the commit, and the rules depend on files it does not name. It
    asks git for the entries that can matter (the .gitattributes files, the weights kinds whose
    presence requires a rule), and lists the whole index only where each file a pattern names has
    to be looked at (a pattern covered file by file)."""
    repo = init_repo(tmp_path / "r")
    write(repo / ".hf-publish.yaml", policy)
    for path, content in files.items():
        write(repo / path, content)
    commit_all(repo)
    write(repo / "models/a/notes.md", "# notes\n")
    git(repo, "add", "-A")
    all_files = run_check(repo, monkeypatch, capsys, "--all-files")
    git_started.clear()
    hook = run_check(repo, monkeypatch, capsys, "models/a/notes.md")
    assert hook == all_files
    assert hook[0] == (0 if expected is None else 1) and (expected is None or expected in hook[1]), hook
    assert (WHOLE_INDEX in git_started) == whole_index, git_started


def test_presence_is_judged_on_what_a_publish_uploads(tmp_path):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    write(repo / "model-q8_0.gguf", "untracked, but in the folder a publish uploads\n")
    ctx = CheckContext(root=repo, policy=Policy(), source="worktree")
    [finding] = lfs.check_rules(ctx)
    assert "`*.gguf` (model-q8_0.gguf is one)" in finding.message


@pytest.mark.parametrize("weight", ["model.safetensors", "weights/model-00001-of-00002.safetensors"])
def test_a_weights_file_covered_by_its_exact_name_is_covered(tmp_path, monkeypatch, capsys, weight):
    repo = init_repo(tmp_path / "r")
    # An older Hub default without *.safetensors, plus `git lfs track <the file>`.
    older = HUB_GITATTRIBUTES.replace("*.safetensors filter=lfs diff=lfs merge=lfs -text\n", "")
    write(repo / ".gitattributes", older + f"{weight} filter=lfs diff=lfs merge=lfs -text\n")
    weights(repo / weight)
    git(repo, "add", "-A")
    assert run_check(repo, monkeypatch, capsys, "--all-files") == (0, "")
    # A second weights file the exact-name rule does not cover: the pattern is required again.
    weights(repo / "extra.safetensors")
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys, "--all-files")
    assert code == 1 and "has no LFS rule for 1 required pattern(s): `*.safetensors`" in out


def test_a_required_pattern_with_no_file_of_its_kind_is_still_required(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES.replace("*.onnx filter=lfs diff=lfs merge=lfs -text\n", ""))
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys, "--all-files")
    assert code == 1 and "has no LFS rule for 1 required pattern(s): `*.onnx`\n" in out + "\n"


def test_coverage_is_asked_of_git_not_compared_as_strings(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".hf-publish.yaml", POLICY_TWO)
    # Neither line is spelled like a required pattern, yet git puts both samples in LFS.
    write(
        repo / ".gitattributes",
        "*.safe* filter=lfs diff=lfs merge=lfs -text\n"
        "[attr]weights filter=lfs diff=lfs merge=lfs -text\n*.[gG]guf weights\n",
    )
    git(repo, "add", "-A")
    assert run_check(repo, monkeypatch, capsys)[0] == 0
    # A rule that only exists in this clone's own config does not count: other clones lack it.
    write(repo / ".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
    write(tmp_path / "mine", "*.gguf filter=lfs diff=lfs merge=lfs -text\n")
    git(repo, "config", "core.attributesFile", str(tmp_path / "mine"))
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys)
    assert code == 1
    assert ".gitattributes: [lfs] .gitattributes (as staged) has no LFS rule for 1 required pattern(s): `*.gguf`" in out
    assert "git lfs track '*.gguf'" in out


def test_missing_gitattributes_lists_the_patterns_and_the_fix(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".hf-publish.yaml", POLICY_TWO)
    write(repo / "README.md", "# model\n")
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys)
    assert code == 1
    assert "does not exist: no LFS rule for the 2 required pattern(s) `*.safetensors`, `*.gguf`" in out
    assert "git lfs track '*.safetensors' '*.gguf'" in out and "hf-publish check lfs --fix" in out


def test_incomplete_rule_is_reported_at_its_line(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".hf-publish.yaml", POLICY_TWO)
    write(repo / ".gitattributes", "# weights\n*.gguf filter=lfs diff=lfs merge=lfs -text\n*.safetensors filter=lfs\n")
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys)
    assert code == 1
    assert (
        ".gitattributes:3: [lfs] incomplete LFS rule for `*.safetensors`: it has filter=lfs but not "
        "diff=lfs merge=lfs -text"
    ) in out
    assert "make the line `*.safetensors filter=lfs diff=lfs merge=lfs -text`" in out
    assert out.count("[lfs]") == 1  # the same problem is not reported again as an uncovered pattern


def test_fix_appends_then_exits_1_and_the_staged_result_passes(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".hf-publish.yaml", "lfs:\n  required_patterns: ['*.safetensors', '*.gguf', '*.bin']\n")
    original = "# ours\n*.csv text eol=lf\n*.bin filter=lfs -text"  # no final newline, one incomplete rule
    write(repo / ".gitattributes", original)
    git(repo, "add", "-A")

    code, out = run_check(repo, monkeypatch, capsys, "--fix")
    assert code == 1 and "fixed: completed 1 LFS rule(s) in .gitattributes" in out
    assert "appended 2 LFS rule(s) to .gitattributes: *.safetensors *.gguf" in out
    fixed = (repo / ".gitattributes").read_text()
    assert fixed == (
        "# ours\n*.csv text eol=lf\n*.bin filter=lfs diff=lfs merge=lfs -text\n"
        "*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.gguf filter=lfs diff=lfs merge=lfs -text\n"
    )

    # Fixing again before staging adds nothing, and says what is left to do.
    code, out = run_check(repo, monkeypatch, capsys, "--fix")
    assert code == 1 and (repo / ".gitattributes").read_text() == fixed
    assert "not staged" in out and "git add .gitattributes" in out

    git(repo, "add", ".gitattributes")
    assert run_check(repo, monkeypatch, capsys, "--fix") == (0, "")
    assert run_check(repo, monkeypatch, capsys) == (0, "")


def test_fix_through_the_real_command_exits_1_then_0(tmp_path):
    """The console script, as pre-commit runs it (`args: [--fix]`)."""
    repo = init_repo(tmp_path / "r")
    write(repo / ".hf-publish.yaml", POLICY_TWO)
    write(repo / ".gitattributes", "*.md text\n")
    git(repo, "add", "-A")
    run = lambda: subprocess.run(
        [sys.executable, "-m", "hf_publish", "check", "lfs", "--fix"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    first = run()
    assert first.returncode == 1, first.stdout + first.stderr
    # the closing line says files changed and what to do; a run that changed files never "passed"
    assert "--fix changed files" in first.stderr and "stage them" in first.stderr, first.stderr
    assert "passed" not in first.stderr
    assert (repo / ".gitattributes").read_text().startswith("*.md text\n*.safetensors filter=lfs")
    git(repo, "add", ".gitattributes")
    second = run()
    assert second.returncode == 0, second.stdout + second.stderr


def test_repo_folder_needs_anchored_patterns_of_its_own(tmp_path, monkeypatch, capsys):
    """`saved_model/**/*` at the root does not reach models/bert/saved_model: the Hub repo's root is the folder."""
    repo = init_repo(tmp_path / "r")
    write(
        repo / ".hf-publish.yaml",
        "organization: acme-ai\nrepos:\n  - name: bert-korean-sentiment-v2\n"
        "    path: models/bert\nlfs:\n  required_patterns: ['*.safetensors', 'saved_model/**/*']\n",
    )
    write(
        repo / ".gitattributes",
        "*.safetensors filter=lfs diff=lfs merge=lfs -text\nsaved_model/**/* filter=lfs diff=lfs merge=lfs -text\n",
    )
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys)
    assert code == 1 and "`models/bert/saved_model/**/*`" in out
    assert run_check(repo, monkeypatch, capsys, "--fix")[0] == 1
    assert (
        (repo / ".gitattributes")
        .read_text()
        .endswith("models/bert/saved_model/**/* filter=lfs diff=lfs merge=lfs -text\n")
    )
    git(repo, "add", ".gitattributes")
    weights(repo / "models/bert/saved_model/variables/variables.index")
    git(repo, "add", "-A")
    assert run_check(repo, monkeypatch, capsys) == (0, "")


def test_lfs_path_staged_as_a_whole_blob_is_refused(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r", lfs=False)  # a clone where git-lfs was never set up
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    weights(repo / "models" / "model.safetensors")
    write(repo / "README.md", "# model\n")
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys, "models/model.safetensors", "README.md")
    assert code == 1
    assert (
        "models/model.safetensors: [lfs] git's attributes put this file in LFS, but it is staged as a "
        "regular git blob (1.9 MiB), not an LFS pointer"
    ) in out
    assert "git add --renormalize models/model.safetensors" in out and "git lfs install" in out
    # The fix, as printed, once git-lfs is set up: a pointer is staged and the check passes.
    git(repo, "lfs", "install", "--local")
    git(repo, "add", "--renormalize", "models/model.safetensors")
    assert run_check(repo, monkeypatch, capsys, "models/model.safetensors") == (0, "")


def test_big_files_outside_lfs_are_refused_staged_content_decides(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    write(repo / ".hf-publish.yaml", "lfs:\n  max_text_size: 2MiB\n")
    weights(repo / "data" / "features.dat", 1_500_000)
    write(repo / "data" / "train.jsonl", '{"text": "a sentence"}\n' * 100_000)  # 2.3 MB of text
    write(repo / "data" / "small.dat", b"\0" * 900_000)
    write(repo / "notes.txt", "x" * 900_000)
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys)
    assert code == 1
    assert "data/features.dat: [lfs] staged without LFS but it is a 1.5 MB binary file" in out
    assert "git lfs track data/features.dat && git add .gitattributes && git add --renormalize data/features.dat" in out
    assert "data/train.jsonl: [lfs] staged without LFS but it is 2.2 MiB, over lfs.max_text_size (2 MiB)" in out
    assert "small.dat" not in out and "notes.txt" not in out
    # What counts is the staged blob: shrinking the working-tree file does not pass the commit.
    write(repo / "data" / "features.dat", b"tiny")
    assert "data/features.dat" in run_check(repo, monkeypatch, capsys, "data/features.dat")[1]


def _stage_huge_sparse_blob(repo: Path, name: str, size: int) -> str:
    """Stage a `size`-byte file of zeros without `git add` reading it: write the loose object
    (zlib of `blob <size>\\0` + zeros, named by its sha1) and point the index at it."""
    header = f"blob {size}\0".encode()
    sha, deflate, chunk = hashlib.sha1(header), zlib.compressobj(1), bytes(1 << 24)
    parts = [deflate.compress(header)]
    for _ in range(size // len(chunk)):
        sha.update(chunk)
        parts.append(deflate.compress(chunk))
    parts.append(deflate.flush())
    oid = sha.hexdigest()
    obj = repo / ".git" / "objects" / oid[:2] / oid[2:]
    obj.parent.mkdir(parents=True, exist_ok=True)
    obj.write_bytes(b"".join(parts))
    with open(repo / name, "wb") as handle:
        handle.truncate(size)  # the sparse working-tree file
    git(repo, "update-index", "--add", "--cacheinfo", f"100644,{oid},{name}")
    return oid


READS = """
import json, subprocess, sys
def rchar():
    return int(dict(l.split(': ') for l in open('/proc/self/io').read().splitlines())['rchar'])
before = rchar()
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": result.returncode, "out": result.stdout + result.stderr, "read": rchar() - before}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/<pid>/io")
def test_a_2gb_staged_file_outside_lfs_is_refused_without_being_read(tmp_path):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    size = 2 * 2**30
    oid = _stage_huge_sparse_blob(repo, "model.dat", size)
    assert _git.blob_sizes(repo, [oid]) == {oid: size}  # git agrees: a 2 GiB staged blob
    # The hook, with every byte it (and its git children) read counted by the kernel.
    measured = subprocess.run(
        [sys.executable, "-c", READS, sys.executable, "-m", "hf_publish", "check", "lfs", "model.dat"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(measured.stdout)
    assert result["code"] == 1
    assert "model.dat: [lfs] staged without LFS but it is 2 GiB, over lfs.max_text_size (10 MiB)" in result["out"]
    assert "git lfs track model.dat" in result["out"]
    assert result["read"] < 64 * 2**20, f"read {result['read']} bytes for a 2 GiB blob"


def test_publish_time_pointer_in_the_working_tree_is_refused(tmp_path):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    weights(repo / "models/bert/model.safetensors")
    weights(repo / "other/model.safetensors")
    commit_all(repo)
    # What a checkout without `git lfs pull` leaves: the pointer text in place of the weights.
    for path in ("models/bert/model.safetensors", "other/model.safetensors"):
        (repo / path).write_text(git(repo, "cat-file", "-p", f"HEAD:{path}"))
    policy = policy_from_data({"organization": "acme-ai", "repos": [{"name": "bert-v1", "path": "models/bert"}]})
    ctx = CheckContext(root=repo, policy=policy, source="worktree")
    [finding] = lfs.check_worktree_files(ctx)
    assert finding.path == "models/bert/model.safetensors"  # other/ is not published
    assert "publishing it uploads a" in finding.message and "git lfs pull" in finding.fix
    assert "lfs: true" in finding.fix
    git(repo, "checkout", "--", "models/bert/model.safetensors")  # smudged back to the real file
    assert lfs.check_worktree_files(ctx) == []


def test_outside_git_says_so_once(tmp_path, monkeypatch, capsys):
    write(tmp_path / "model.safetensors", b"\0" * 10)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert main(["check", "lfs"]) == 1
    out = capsys.readouterr().out
    assert out.count("[lfs]") == 1 and "not inside a git work tree" in out and "git init" in out


def test_context_with_default_policy_and_files_named(tmp_path):
    """The Python API: CheckContext + run, files as pre-commit passes them."""
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", HUB_GITATTRIBUTES)
    weights(repo / "x.dat")
    git(repo, "add", "-A")
    findings = lfs.run(CheckContext(root=repo, policy=Policy(), files=("x.dat", ".gitattributes")))
    assert [(f.path, f.check) for f in findings] == [("x.dat", "lfs")]
