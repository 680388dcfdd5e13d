"""Every exception hf-publish raises, and the one map from exception to exit code.

Each exception declares its attributes in `__init__` (as huggingface_hub's `errors.py` does): none
is bolted on after creation. `exit_code_for` is the one place an exception becomes an exit code.

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

from collections.abc import Sequence

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from hf_publish.findings import Finding

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


def exit_codes_help(codes=None) -> str:  # type: ignore[no-untyped-def]
    """EXIT_CODES_HELP, or only the lines of `codes` (the exit codes that apply to a command)."""
    if codes is None:
        return EXIT_CODES_HELP
    head, *lines = EXIT_CODES_HELP.splitlines()
    return "\n".join([head, *(line for line in lines if int(line.split()[0]) in codes)])


class HfPublishError(Exception):
    """Base class: a failure we can explain in one line. `exit_code` says how the CLI exits."""

    exit_code = EXIT_UNEXPECTED


class UsageError(HfPublishError):
    """The command line or its inputs are wrong."""

    exit_code = EXIT_USAGE


class PolicyError(HfPublishError):
    """The policy file is invalid. `findings` holds every problem, each with its line."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, findings: Sequence[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings: list[Finding] = list(findings or [])


class PatternTimeout(PolicyError):
    """A policy regex ran past its time bound: catastrophic backtracking. `key` names the policy key."""

    def __init__(self, key: str, text: str, line: int | None, source: str, timeout: float) -> None:
        from hf_publish.findings import Finding

        message = (
            f"{key}: the pattern took longer than {timeout:g} s on {text[:100]!r} "
            "(catastrophic backtracking, e.g. a nested or overlapping repetition like (a|aa)+ or (a+)+)"
        )
        finding = Finding(
            "config",
            source,
            line,
            message,
            "rewrite the pattern without nested or overlapping repetitions, e.g. ^[a-z0-9]+(-[a-z0-9]+)*$",
        )
        super().__init__(message, [finding])
        self.key = key


class GitError(HfPublishError):
    """git refused or failed; the message says which command and why."""

    exit_code = EXIT_USAGE


class UnsafeWriteError(UsageError):
    """A write was refused: the target or a folder on its way is a symlink, or it is outside the tree."""


class HubError(HfPublishError):
    """The Hub refused or failed; the message ends with the next step to take.

    `status` is the HTTP status when the Hub answered (None for a failure without an answer). What a
    publish had done before the failure reaches its caller through `publish(on_result=...)`.
    """

    exit_code = EXIT_HUB

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(HubError):
    """The token cannot do what the run needs; raised before any byte is uploaded."""


class TransientHubError(HubError):
    """A failure worth retrying: rate limit, server error, dropped connection.

    `retry_after` is the server's Retry-After (seconds) when it sent one. `ambiguous` is True
    when the request may have been applied before the failure (a commit whose answer was lost).
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None, ambiguous: bool = False
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
        self.ambiguous = ambiguous


class StaleHeadError(HubError):
    """412: the branch moved since its head was read (another commit landed first)."""


class ConflictError(HubError):
    """409: the thing being created already exists (a repo, a tag, a branch)."""


class NotFoundError(HubError):
    """The repo, revision or file is missing, or hidden from this token."""


class RetryBudgetError(HubError):
    """The run spent its whole retry budget on failures: it stops rather than wait longer."""


class RetryBudgetExhausted(Exception):
    """Raised from the HTTP client's hooks: retrying this request would go past the retry budget.

    Not an httpx error, so huggingface_hub's http_backoff does not retry it; `publishing.hub.translate`
    turns it into a RetryBudgetError. For a failed answer, `status`, `server` (the Hub's message) and
    `retry_after` say what the Hub answered."""

    def __init__(
        self, message: str, *, status: int | None = None, server: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.server = server
        self.retry_after = retry_after


class ChecksFailed(HfPublishError):
    """Publishing stopped because commit-time checks found problems."""

    exit_code = EXIT_FINDINGS

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(f"{len(findings)} finding(s): fix them before publishing")
        self.findings: list[Finding] = list(findings)


def exit_code_for(exc: BaseException) -> int:
    """The exit code a command ends with after `exc`: the one map (see the module docstring)."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, HfPublishError):
        return exc.exit_code
    return EXIT_UNEXPECTED
