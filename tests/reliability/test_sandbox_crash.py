"""The sandbox's crash fault: the server dies on a request, as a killed process would, and comes back
from its data dir. What the fault scenarios rely on."""

from __future__ import annotations

import time

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd

REPO = "acme-ai/bert-korean-sentiment-v2"


def _commit(api, name: str, data: bytes):
    return api.create_commit(REPO, operations=[CommitOperationAdd(name, data)], commit_message=f"add {name}")


@pytest.mark.parametrize("point, lands", [("before", False), ("commit", False), ("after", True)])
def test_a_crash_cuts_the_request_and_a_restart_reads_the_data_dir(point, lands, hub_api, hub_sandbox):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    old = hub_sandbox.head(REPO)
    hub_sandbox.inject(method="POST", path=r"/commit/", crash=point)

    with pytest.raises(httpx2.TransportError):
        _commit(api, "a.txt", b"a")
    assert hub_sandbox.crashes == 1
    with pytest.raises(httpx2.TransportError):  # down: nothing answers until a restart
        httpx2.get(f"{hub_sandbox.endpoint}/api/models/{REPO}", timeout=2)

    hub_sandbox.restart()
    assert (hub_sandbox.head(REPO) != old) is lands
    assert ("a.txt" in hub_sandbox.list_files(REPO)) is lands
    info = _commit(api, "b.txt", b"b")  # same port, same data, a new "process"
    assert hub_sandbox.head(REPO) == info.oid
    assert len(hub_sandbox.commits(REPO)) == (3 if lands else 2)  # a crashed commit never reaches the branch


def test_restart_after_brings_the_server_back_by_itself(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    hub_sandbox.inject(method="POST", path=r"/commit/", crash="commit", restart_after=0.2)
    with pytest.raises(httpx2.TransportError):
        _commit(api, "a.txt", b"a")
    started = time.monotonic()
    assert hub_sandbox.wait_until_running(timeout=5)
    assert time.monotonic() - started < 3
    _commit(api, "a.txt", b"a")
    assert hub_sandbox.read_file(REPO, "a.txt") == b"a"
    assert len(hub_sandbox.commits(REPO)) == 2  # the crashed commit never reached the branch


def test_crash_only_accepts_known_points(hub_sandbox):
    with pytest.raises(ValueError):
        hub_sandbox.inject(path="/commit/", crash="sometime")
