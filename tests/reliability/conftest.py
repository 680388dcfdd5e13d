"""Fixtures for the reliability suite: real git checkouts, publish through its Python API against
the sandbox with the real client, and snapshots of the Hub state to compare before and after."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.publish.helpers import Checkout, make_checkout
from tests.reliability.helpers import Publisher


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    """The shipped example model repo as a git + git-lfs checkout (README, config, 4 kB weights)."""
    return make_checkout(tmp_path / "work")


@pytest.fixture
def publisher(hub_sandbox) -> Publisher:
    """`publisher.run(checkout, token="alice-fg-org", **publish_kwargs)`: the Python API on the sandbox.
    Backoff sleeps are recorded and really slept only when `real_sleep=True`."""
    return Publisher(hub_sandbox)
