"""`hf-publish sandbox serve`: run the local Hub sandbox (its own argument parser lives with it)."""

from __future__ import annotations

import argparse
import sys
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
    # The sandbox prints its own test tokens for the user to copy: they are hf_-shaped but public,
    # so only the real secrets (HF_TOKEN and the like) stay hidden here.
    from hf_publish.report import RunnerSafeStream
    from hf_publish.tokens import Redactor

    plain = redactor.registered_only() if redactor is not None else Redactor(shapes=False)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (RunnerSafeStream(getattr(s, "raw", s), plain) for s in saved)
    try:
        return serve_command(rest[1:])
    finally:
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, RunnerSafeStream):
                stream.close_line()
        sys.stdout, sys.stderr = saved
