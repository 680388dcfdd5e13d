"""`hf-publish schema`: print the policy's JSON Schema."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from typing import TYPE_CHECKING

from hf_publish.errors import EXIT_OK

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor


def command_schema(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    sys.stdout.write(resources.files("hf_publish.data").joinpath("policy.schema.json").read_text())
    return EXIT_OK
