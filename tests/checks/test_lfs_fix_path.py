"""The lfs check on the user's path (real git + git-lfs, the CLI as a subprocess): a big
`vocab.txt` gets the fix for the file itself, saying why; following the fix makes the check pass
without moving the repo's other .txt files into LFS; sizes compare in one unit system."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.helpers import git, init_repo, write

HF_PUBLISH = str(Path(sys.executable).with_name("hf-publish"))


def check_lfs(repo: Path, *files: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT"))}
    return subprocess.run(
        [HF_PUBLISH, "check", "lfs", *files], cwd=repo, capture_output=True, text=True, env=env, timeout=120
    )


def test_a_big_vocab_txt_gets_the_fix_for_its_own_path(tmp_path: Path):
    repo = init_repo(tmp_path / "r")
    write(repo / "notes.txt", "small notes stay in git\n")
    write(repo / "tokenizer" / "vocab.txt", "token\n" * (23 * 2**20 // 12))  # 11.5 MiB of text
    git(repo, "add", "-A")
    proc = check_lfs(repo, "tokenizer/vocab.txt", "notes.txt")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "tokenizer/vocab.txt: [lfs] staged without LFS but it is 11.5 MiB, over lfs.max_text_size (10 MiB)"
        in proc.stdout
    )
    assert " MB" not in proc.stdout  # one unit system: MiB against MiB
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("tokenizer/vocab.txt: [lfs]"))
    fix = lines[at + 1].strip().removeprefix("fix: ")
    assert fix.startswith("git lfs track tokenizer/vocab.txt && git add .gitattributes && git add --renormalize")
    assert "*.txt" in fix and "would move every .txt file of the repo into LFS" in fix
    command = fix.split(" (the file itself", 1)[0]
    for part in command.split(" && "):  # do exactly what the fix says
        subprocess.run(shlex.split(part), cwd=repo, check=True, capture_output=True)
    proc = check_lfs(repo, "tokenizer/vocab.txt", "notes.txt")
    assert "tokenizer/vocab.txt" not in proc.stdout, proc.stdout + proc.stderr
    assert "tokenizer/vocab.txt filter=lfs" in (repo / ".gitattributes").read_text()
    assert git(repo, "check-attr", "filter", "notes.txt").strip().endswith("unspecified")


def test_a_big_weights_file_gets_the_hub_format_pattern(tmp_path: Path):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", "")
    write(repo / "model.onnx", b"\0" * 1_500_000)
    git(repo, "add", "-A")
    proc = check_lfs(repo, "model.onnx")
    assert proc.returncode == 1
    assert "it is a 1.5 MB binary file, over lfs.max_binary_size (1 MB)" in proc.stdout
    assert "git lfs track '*.onnx' && git add .gitattributes" in proc.stdout and "the file itself" not in proc.stdout
