"""Fixtures for publish tests: a real git + git-lfs checkout of the shipped example, and `publish`
run with the real client against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.publish.helpers import Checkout, make_checkout


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    return make_checkout(tmp_path / "work")


@pytest.fixture
def publish_with(hub_sandbox):
    """`publish_with("alice-fg-org", checkout, **kwargs)`: hf_publish.publishing.run.publish with an HfApi on
    the sandbox carrying that named token; sleeps are recorded, not slept."""
    from hf_publish.publishing.hub import make_api
    from hf_publish.publishing.run import publish

    def run(token_name: str, checkout: Checkout, **kwargs):
        sleeps: list[float] = []
        kwargs.setdefault("sleep", sleeps.append)
        kwargs.setdefault("env", {})
        kwargs.setdefault("log", lambda line: None)
        report = publish(checkout.path, api=make_api(hub_sandbox.endpoint, hub_sandbox.tokens[token_name]), **kwargs)
        report.sleeps = sleeps  # type: ignore[attr-defined]
        return report

    return run
