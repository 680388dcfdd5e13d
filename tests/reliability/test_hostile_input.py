"""Hostile and broken input: each is a clear finding or error with the documented exit code, no
traceback, and nothing is written to the Hub."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hf_publish.cli import main
from hf_publish.errors import EXIT_FINDINGS, EXIT_HUB, EXIT_OK, EXIT_USAGE
from tests.publish.helpers import EXAMPLE
from tests.reliability.helpers import REPO, HubState, git, write_requests


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
    from hf_publish.plan import list_folder

    folder = tmp_path / "plain"
    shutil.copytree(checkout.path, folder, ignore=shutil.ignore_patterns(".git"))
    _plant_links(folder, outside)
    assert sorted(list_folder(folder)) == [".gitattributes", ".hf-publish.yaml", "README.md", "config.json",
                                           "model.safetensors"]


def test_a_tracked_file_replaced_by_a_symlink_is_not_followed(cli, checkout, outside, hub_sandbox):
    assert cli("publish", checkout.path)[0] == EXIT_OK
    (checkout.path / "config.json").unlink()
    os.symlink(outside / "private.txt", checkout.path / "config.json")  # not staged: git sees a typechange

    code, _, err = cli("publish", checkout.path)

    assert code == EXIT_OK, err
    assert "config.json" not in hub_sandbox.list_files(REPO)
