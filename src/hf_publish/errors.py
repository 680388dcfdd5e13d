"""Exceptions and the exit codes they map to.

Exit codes (documented in README and `hf-publish --help`):
  0  clean: no findings, publish done or nothing to do
  1  findings: a check failed (or `--fix` changed files)
  2  bad usage (e.g. an unknown check id, a named file that does not exist or is outside the repo),
     or an invalid policy file
  3  unexpected error (one line; traceback only with HF_PUBLISH_DEBUG=1)
  4  Hub or authentication failure (missing permission, repo error, network)
130  interrupted (Ctrl-C)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNEXPECTED = 3
EXIT_HUB = 4
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """exit codes:
  0    clean (no findings; publish done or nothing to change)
  1    findings (a check failed, or --fix changed files)
  2    bad usage (e.g. unknown check id, missing file) or invalid policy file
  3    unexpected error (set HF_PUBLISH_DEBUG=1 for the traceback)
  4    Hub or authentication failure (the message names the fix)
  130  interrupted"""


class HfPublishError(Exception):
    """Base class: a failure we can explain in one line. `exit_code` says how the CLI exits."""

    exit_code = EXIT_UNEXPECTED


class UsageError(HfPublishError):
    """The command line or its inputs are wrong."""

    exit_code = EXIT_USAGE


class PolicyError(HfPublishError):
    """The policy file is invalid. `findings` holds every problem, each with its line."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, findings: list | None = None) -> None:
        super().__init__(message)
        self.findings = list(findings or [])


class GitError(HfPublishError):
    """git refused or failed; the message says which command and why."""

    exit_code = EXIT_USAGE


class HubError(HfPublishError):
    """The Hub refused or failed; the message ends with the next step to take."""

    exit_code = EXIT_HUB


class AuthError(HubError):
    """The token cannot do what the run needs; raised before any byte is uploaded."""


class ChecksFailed(HfPublishError):
    """Publishing stopped because commit-time checks found problems."""

    exit_code = EXIT_FINDINGS

    def __init__(self, findings: list) -> None:
        super().__init__(f"{len(findings)} finding(s): fix them before publishing")
        self.findings = list(findings)
