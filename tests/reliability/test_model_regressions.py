"""Failures the model machine (test_model.py) found, each kept as a plain sequence.

Each test replays the shrunk sequence Hypothesis printed, against the sandbox with the real client.
"""

from __future__ import annotations

import shutil

from tests.publish.helpers import REPO, Checkout


def test_a_foreign_file_is_not_deleted_two_publishes_later_by_another_clone(publisher, checkout, hub_sandbox):
    # Shrunk by the machine while the Hub's tree after a publish was taken as its base (the bug of
    # issue 10): the second clone's second publish deleted the colleague's notes.md.
    hub_sandbox.create_repo_as("alice", REPO)
    second = Checkout(checkout.path.parent / "second")
    shutil.copytree(checkout.path, second.path, symlinks=True)  # second_clone_syncs
    bob = publisher.api("bob-fg-org")
    bob.upload_file(path_or_fileobj=b"hub: one\n", path_in_repo="config.json", repo_id=REPO)
    checkout.write("config.json", "one\n")  # not committed: the publish is of a dirty tree
    publisher.run(checkout)
    publisher.run(checkout)
    bob.upload_file(path_or_fileobj=b"hub: one\n", path_in_repo="notes.md", repo_id=REPO)

    publisher.run(second)  # its HEAD is the commit published dirty: config.json is its change
    publisher.run(second)

    assert hub_sandbox.read_file(REPO, "notes.md") == b"hub: one\n"
    assert hub_sandbox.read_file(REPO, "config.json") == (second.path / "config.json").read_bytes()
