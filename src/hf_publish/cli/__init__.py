"""The `hf-publish` command line: `main` parses the arguments and maps errors to exit codes; each
command lives in its own module here (`check`, `publish`, `init`, `matrix`, `schema`, `sandbox`,
`refresh_vocab`; `gh-action` is `hf_publish.action.runner`).
"""

from hf_publish.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
