"""`hf-publish sandbox serve`: run the local Hub sandbox (its own argument parser lives with it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hf_publish.errors import UsageError

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor

USAGE = "usage: hf-publish sandbox serve [--host H] [--port N] [--data-dir DIR] [--users FILE]"


def command_sandbox(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish.sandbox.cli import serve_command

    rest = list(args.sandbox_args)
    if not rest or rest[0] != "serve":
        raise UsageError(f"{USAGE}. Next: run `hf-publish sandbox serve --help`")
    return serve_command(rest[1:])
