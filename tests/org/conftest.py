"""The publish fixtures (a real git checkout of the example, publish on the sandbox) for org tests."""

from tests.publish.conftest import checkout, publish_with  # noqa: F401
