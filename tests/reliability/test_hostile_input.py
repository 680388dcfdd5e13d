"""Hostile and broken input: each is a clear finding or error with the documented exit code, no
traceback, and nothing is written to the Hub."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hf_publish.cli import main
from hf_publish.errors import EXIT_FINDINGS, EXIT_HUB, EXIT_OK, EXIT_USAGE
from tests.publish.helpers import EXAMPLE, weights
from tests.reliability.helpers import REPO, HubState, git, write_requests

LEAK = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"  # token-shaped, known to no Hub
# The YAML bomb: 9 aliases of 9 aliases ... 9 levels deep = 387 million "lol"s once expanded.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)
DEEP = "a: " + "[" * 50_000 + "]" * 50_000 + "\n"  # libyaml's C composer used to crash (SIGSEGV) on this


@pytest.fixture
def cli(capsys, hub_sandbox, monkeypatch):
    """`cli("publish", path, ...)` -> (exit code, stdout, stderr), in-process, HF_TOKEN = alice-fg-org."""
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])

    def run(command: str, path: Path, *args: str) -> tuple[int, str, str]:
        argv = [command]
        if command == "publish":
            argv += ["--path", str(path), "--endpoint", hub_sandbox.endpoint]
        monkeypatch.chdir(path)
        code = main(argv + list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


# --- symlinks out of the repo ----------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "private.txt").write_text("content from outside the repo\n")
    return folder


def _plant_links(folder: Path, outside: Path) -> None:
    os.symlink(outside / "private.txt", folder / "linked.txt")  # a file link out of the repo
    os.symlink(outside, folder / "linked-folder")  # a folder link out of the repo
    os.symlink("/etc/hostname", folder / "hostname")
    os.symlink("/etc", folder / "etc")


@pytest.mark.parametrize("how", ["untracked", "committed"])
def test_symlinks_out_of_the_repo_are_never_followed(how, cli, checkout, outside, hub_sandbox):
    _plant_links(checkout.path, outside)
    if how == "committed":
        checkout.commit("links")

    code, out, err = cli("publish", checkout.path)

    assert code == EXIT_OK, out + err
    files = hub_sandbox.list_files(REPO)
    assert not {"linked.txt", "hostname"} & set(files)
    assert not [p for p in files if p.startswith(("linked-folder/", "etc/"))]
    assert all(b"content from outside" not in hub_sandbox.read_file(REPO, p) for p in files)


def test_a_plain_folder_listing_never_follows_symlinks(checkout, outside, tmp_path):
    # Outside git, publish stops at the lfs check's finding; the listing itself must be safe too.
    from hf_publish.selection import list_folder

    folder = tmp_path / "plain"
    shutil.copytree(checkout.path, folder, ignore=shutil.ignore_patterns(".git"))
    _plant_links(folder, outside)
    assert sorted(list_folder(folder)) == [
        ".gitattributes",
        ".hf-publish.yaml",
        "README.md",
        "config.json",
        "model.safetensors",
    ]


def test_a_tracked_file_replaced_by_a_symlink_is_not_followed(cli, checkout, outside, hub_sandbox):
    assert cli("publish", checkout.path)[0] == EXIT_OK
    (checkout.path / "config.json").unlink()
    os.symlink(outside / "private.txt", checkout.path / "config.json")  # not staged: git sees a typechange

    code, _, err = cli("publish", checkout.path)

    assert code == EXIT_OK, err
    assert "config.json" not in hub_sandbox.list_files(REPO)


# --- the policy file ---------------------------------------------------------------------------------

POLICIES = {
    "malformed": (
        "organization: acme-ai\nrepos:\n  - name: bert-korean-sentiment-v2\n   type: model\n",
        ".hf-publish.yaml:4: [config] YAML syntax error",
    ),
    "billion-laughs": (LAUGHS, "billion laughs"),
    "nested-too-deep": (DEEP, "nested too deep"),
    "huge": ("organization: acme-ai\n" + "# padding\n" * 200_000, "the limit is"),
    "path-outside-the-repo": (
        "organization: acme-ai\nrepos:\n  - name: bert-korean-sentiment-v2\n    path: ../../etc\n",
        ".hf-publish.yaml:4: [config] repos[0].path: '../../etc' points outside the git repo",
    ),
    "not-utf8": ("organization: acme-ai\n# caf\xe9\n".encode("latin-1"), "not valid UTF-8"),
}


@pytest.mark.parametrize("case", sorted(POLICIES))
@pytest.mark.parametrize("command", ["check", "publish"])
def test_broken_policy_is_an_invalid_policy_error_at_its_line(case, command, cli, checkout, hub_sandbox):
    text, expected = POLICIES[case]
    policy = checkout.path / ".hf-publish.yaml"
    policy.write_bytes(text if isinstance(text, bytes) else text.encode())

    started = time.monotonic()
    code, out, err = cli(command, checkout.path, *(["--all-files"] if command == "check" else []))

    assert code == EXIT_USAGE, out + err
    assert expected in out + err
    assert "invalid policy" in err
    assert time.monotonic() - started < 5  # bounded: no expansion, no runaway recursion
    assert hub_sandbox.requests == []


# --- the model card ----------------------------------------------------------------------------------


def _card(checkout, case: str) -> None:
    card = checkout.path / "README.md"
    text = card.read_text()
    _, front, body = text.split("---", 2)
    if case == "billion-laughs":
        card.write_text("---" + front + LAUGHS + "---" + body)
    elif case == "nested-too-deep":
        card.write_text("---" + front + DEEP + "---" + body)
    elif case == "malformed":
        card.write_text("---" + front + "tags: [a, b\n---" + body)
    elif case == "20MB":
        card.write_text(text + "| dataset | 0.91 | 0.88 |\n" * 800_000)
    elif case == "not-utf8":
        card.write_bytes(text.replace("Overview", "개요").encode("cp949"))
    elif case == "binary":
        card.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 8)
    checkout.commit(f"card: {case}")


CARDS = {
    "billion-laughs": "README.md:1: [model-card] the metadata expands to too many YAML nodes",
    "nested-too-deep": "README.md:1: [model-card] the metadata is nested too deep",
    "malformed": "[model-card] metadata YAML error",
    "20MB": "README.md: [model-card] card is 20,",
    "not-utf8": "[model-card] the card is not valid UTF-8",
    "binary": "README.md:3: [model-card] the card is binary, not Markdown text (NUL byte at line 3)",
}


@pytest.mark.parametrize("case", sorted(CARDS))
def test_broken_card_is_a_finding_and_publishes_nothing(case, cli, checkout, hub_sandbox):
    _card(checkout, case)
    assert case != "20MB" or (checkout.path / "README.md").stat().st_size > 20_000_000

    started = time.monotonic()
    code, out, err = cli("check", checkout.path, "model-card", "README.md")
    assert code == EXIT_FINDINGS and CARDS[case] in out, out + err

    code, out, err = cli("publish", checkout.path)
    assert code == EXIT_FINDINGS and CARDS[case] in out, out + err
    assert "nothing was published" in err
    assert time.monotonic() - started < 10
    assert hub_sandbox.requests == []  # checks run before any network call


def test_the_deep_card_no_longer_crashes_the_process(checkout):
    # In-process a SIGSEGV would take pytest down: this one runs the real command in a child.
    _card(checkout, "nested-too-deep")
    proc = subprocess.run(
        [sys.executable, "-m", "hf_publish", "check", "model-card", "README.md"],
        cwd=checkout.path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == EXIT_FINDINGS, (proc.returncode, proc.stderr)
    assert "nested too deep" in proc.stdout and "Traceback" not in proc.stderr


# --- file names ----------------------------------------------------------------------------------------

NAMES = [
    "모델/설명서.md",
    "café ñ.txt",
    "comma,colon:equals=percent%.txt",
    " leading space.txt",
    "emoji-🤗.txt",
    "[brackets] and 'quotes'.txt",
]


def test_unusual_file_names_are_published_exactly(cli, checkout, hub_sandbox):
    for i, name in enumerate(NAMES):
        checkout.write(name, f"file {i}\n")
    checkout.commit("names")

    code, out, err = cli("publish", checkout.path, "--format", "json")

    assert code == EXIT_OK, err
    plan = json.loads(out)["results"][0]["plan"]
    assert set(NAMES) <= set(plan["add"])
    for i, name in enumerate(NAMES):
        assert hub_sandbox.read_file(REPO, name) == f"file {i}\n".encode()
    code, out, _ = cli("publish", checkout.path, "--format", "json")  # a re-run sees no change
    assert code == EXIT_OK and json.loads(out)["results"][0]["changed"] is False


def test_a_file_name_cannot_forge_annotation_lines(cli, checkout):
    checkout.write("x\n::error file=README.md::forged.py", f'token = "{LEAK}"\n')
    checkout.commit("hostile name")

    code, out, _ = cli("check", checkout.path, "secrets", "--all-files", "--format", "github")

    assert code == EXIT_FINDINGS
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=x%0A%3A%3Aerror file=README.md%3A%3Aforged.py,line=1,")
    assert LEAK not in out


# --- repository states -----------------------------------------------------------------------------


def test_an_empty_repo_has_nothing_to_publish(cli, tmp_path, hub_sandbox):
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")

    code, _, err = cli("publish", empty)
    assert code == EXIT_USAGE and "no repos configured" in err and "hf-publish init" in err

    code, out, _ = cli("check", empty, "--all-files")  # the default policy's findings, nothing else
    assert code == EXIT_FINDINGS
    assert {line.split(" [")[1].split("]")[0] for line in out.splitlines() if " [" in line} <= {"branch-name", "lfs"}
    assert hub_sandbox.requests == []


def test_a_repo_with_no_commits_publishes_its_files(cli, tmp_path, hub_sandbox):
    fresh = tmp_path / "fresh"
    shutil.copytree(EXAMPLE, fresh)
    (fresh / "model.safetensors").write_bytes(weights())
    git(fresh, "init", "-q", "-b", "main")
    git(fresh, "lfs", "install", "--local")

    code, _, err = cli("publish", fresh)

    assert code == EXIT_OK, err
    assert hub_sandbox.read_file(REPO, "model.safetensors") == weights()
    assert hub_sandbox.commits(REPO)  # created and committed without any git commit


def test_a_shallow_clone_publishes_and_its_matrix_lists_every_repo(cli, checkout, tmp_path, hub_sandbox):
    checkout.write("config.json", '{"v": 2}\n')
    checkout.commit("v2")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{checkout.path}", str(shallow)], check=True)
    assert git(shallow, "rev-parse", "--is-shallow-repository").strip() == "true"

    code, _, err = cli("publish", shallow)
    assert code == EXIT_OK, err
    assert hub_sandbox.read_file(REPO, "config.json") == b'{"v": 2}\n'
    assert hub_sandbox.read_file(REPO, "model.safetensors") == weights()  # real bytes, not an LFS pointer

    code, out, _ = cli("matrix", shallow)
    assert code == EXIT_OK and json.loads(out) == {"repo": ["bert-korean-sentiment-v2"]}


def test_a_detached_head_is_checked_with_a_note_and_published(cli, checkout, hub_sandbox):
    first = checkout.head()
    checkout.write("config.json", '{"v": 2}\n')
    checkout.commit("v2")
    git(checkout.path, "checkout", "-q", "--detach", first)

    code, out, _ = cli("check", checkout.path, "--all-files")
    assert code == EXIT_OK and "detached HEAD" in out

    code, _, err = cli("publish", checkout.path)
    assert code == EXIT_OK, err
    assert hub_sandbox.read_file(REPO, "config.json") == (checkout.path / "config.json").read_bytes()


@pytest.mark.parametrize("tag", ["latest", "v1.0", "1.0.0", "v1.0.0-rc.1", "v01.0.0", "v1.0.0\n", "../v1.0.0"])
def test_a_tag_that_is_not_semver_is_a_usage_error(tag, cli, checkout, hub_sandbox):
    code, _, err = cli("publish", checkout.path, "--tag", tag)

    assert code == EXIT_USAGE and "does not match release.tag_pattern" in err and "Next:" in err
    assert hub_sandbox.requests == []


def test_a_github_ref_tag_that_is_not_semver_publishes_without_a_release(cli, checkout, hub_sandbox, monkeypatch):
    monkeypatch.setenv("GITHUB_REF", "refs/tags/nightly")

    code, _, err = cli("publish", checkout.path)

    assert code == EXIT_OK and "does not match release.tag_pattern: publishing without a release tag" in err
    assert not [r for r in hub_sandbox.requests if "/tag/" in r.path]


# --- tokens ----------------------------------------------------------------------------------------

TOKENS = {
    "garbage": ("not-a-token", "the Hub rejected the token"),
    "too-short": ("hf_short", "the Hub rejected the token"),
    "token-shaped-unknown": ("hf_" + "x" * 34, "the Hub rejected the token"),
    "with-newline": ("hf_tok\nen", "the Hub rejected the token"),
    "non-ascii": ("hf_tökén", "contains non-ASCII characters"),
    "blank": ("   ", "no Hugging Face token found"),
    "expired": ("@expired", "the Hub rejected the token"),
    "revoked": ("@alice-revoked", "the org acme-ai has revoked this token"),
}


@pytest.mark.parametrize("case", sorted(TOKENS))
def test_a_bad_token_is_refused_before_anything_is_written(case, cli, checkout, hub_sandbox, monkeypatch):
    value, expected = TOKENS[case]
    value = hub_sandbox.tokens[value[1:]] if value.startswith("@") else value
    monkeypatch.setenv("HF_TOKEN", value)

    code, out, err = cli("publish", checkout.path)

    assert code == EXIT_HUB, out + err
    assert expected in err and ("Next:" in err or "Fix:" in err)
    assert write_requests(hub_sandbox) == []
    assert hub_sandbox.head(REPO) is None
    if len(value.strip()) >= 8:
        assert value not in out + err


def test_a_token_revoked_by_the_org_mid_publish_gets_the_hubs_403_and_changes_nothing(
    cli, checkout, hub_sandbox, monkeypatch
):
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])
    assert cli("publish", checkout.path)[0] == EXIT_OK
    checkout.write("config.json", '{"v": 2}\n')
    checkout.commit("v2")
    before = HubState.of(hub_sandbox)
    # The org's token policy starts blocking the token after the preflight passed.
    token = hub_sandbox.auth.tokens["alice-fg-org"]
    original = hub_sandbox.hub.preupload

    def revoke_then_preupload(req, **kwargs):
        if "acme-ai" not in token.revoked_in:
            token.revoked_in.append("acme-ai")
        return original(req, **kwargs)

    routes = hub_sandbox.hub.routes
    monkeypatch.setattr(
        hub_sandbox.hub, "routes", [(m, p, revoke_then_preupload if f == original else f) for m, p, f in routes]
    )
    try:
        code, out, err = cli("publish", checkout.path)
    finally:
        token.revoked_in.clear()

    assert code == EXIT_HUB
    assert "The organization acme-ai has revoked this access token" in err and "Next:" in err
    assert HubState.of(hub_sandbox) == before
