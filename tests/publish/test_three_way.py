"""The three-way plan: the base's local side is what this checkout published (the repo folder at the
base's git commit, read from git), never the Hub tree after that publish. Each guarantee of README's
Publishing section, with the real client against the sandbox."""

from __future__ import annotations

import pytest

from tests.publish.helpers import REPO, git


def upload_as_colleague(hub_api, path: str, data: bytes, token: str = "bob-fg-org") -> None:
    hub_api(token).upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=REPO)


def changes(result) -> list[tuple[str, str]]:
    return [(c.path, c.action) for c in result.plan.changes]


def test_a_file_a_colleague_added_survives_any_number_of_later_publishes(publish_with, checkout, hub_sandbox,
                                                                         hub_api, upload_lane):
    # The sequence: the kept foreign file used to be deleted two publishes later.
    publish_with("alice-fg-org", checkout)
    upload_as_colleague(hub_api, "x.txt", b"from a colleague\n")
    publish_with("alice-fg-org", checkout)
    publish_with("alice-fg-org", checkout)
    checkout.write("config.json", '{"model_type": "bert", "v": 2}\n')
    checkout.commit("config change")
    assert changes(publish_with("alice-fg-org", checkout).results[0]) == [("config.json", "update")]
    commits = len(hub_sandbox.commits(REPO))

    again = publish_with("alice-fg-org", checkout).results[0]

    assert changes(again) == [] and not again.changed
    assert len(hub_sandbox.commits(REPO)) == commits
    assert hub_sandbox.read_file(REPO, "x.txt") == b"from a colleague\n"


def test_a_file_a_colleague_changed_survives_publishes_that_do_not_touch_it(publish_with, checkout, hub_sandbox,
                                                                            hub_api):
    publish_with("alice-fg-org", checkout)
    upload_as_colleague(hub_api, "README.md", (checkout.path / "README.md").read_bytes() + b"\nEdited online.\n")
    for round_ in range(3):
        checkout.write("notes.md", f"round {round_}\n")
        checkout.commit(f"round {round_}")
        result = publish_with("alice-fg-org", checkout).results[0]
        assert changes(result) == [("notes.md", "add" if round_ == 0 else "update")]
    assert hub_sandbox.read_file(REPO, "README.md").endswith(b"Edited online.\n")
