"""Reporters (findings as text, GitHub workflow commands, or JSON) and the one output layer.

Everything hf-publish prints goes through `runner_safe_output()` (installed by `cli.main`): in
GitHub Actions every line a step prints is parsed for workflow commands, and much of what we print
is untrusted (file names, card text, repo names from a pull request's policy, Hub messages). The
runner (actions/runner `ActionCommandManager`) splits output at `\\n` and at a bare `\\r`, and
starts a command at `::` after leading whitespace (`TrimStart`, culture-sensitive `StartsWith`)
or at the legacy `##[` ANYWHERE in a line. The layer makes every such spot inert
(`::` -> `%3A:`, `##[` -> `##%5B`) in every line written to stdout and stderr; the only lines
that reach the runner as commands are the ones built here (`workflow_command`, `github_annotation`,
`mask_commands`) and written with `emit_command`. JSON output is made inert without changing its
value (`json_text`: the same characters as `\\uXXXX` escapes).
"""

from __future__ import annotations

import functools
import io
import re
import sys
from collections.abc import Iterable

from hf_publish.findings import Finding, sort_findings
from hf_publish.tokens import Redactor

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from typing import Any, TextIO

FORMATS = ("text", "github", "json")


def default_format(explicit: str | None) -> str:
    """The output format: the one asked for, else `github` inside GitHub Actions, else `text`."""
    if explicit:
        return explicit
    import os

    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


# Characters a culture-sensitive .NET comparison (ICU) may skip, so `:\u00ad:` can compare equal to
# `::`: controls and the Unicode default-ignorable code points. Over-wide on purpose.
_IGNORABLE = (
    "\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# Every line boundary str.splitlines() knows (the runner itself splits at \n and \r).
_LINE_BREAK_PATTERN = r"(\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])"


# Compiled on first use: these classes cost a hook ~1.5 ms to compile, and a passing hook prints nothing.
@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    patterns = {
        "line break": _LINE_BREAK_PATTERN,
        "command start": rf"^([\s{_IGNORABLE}]*):(?=[{_IGNORABLE}]*:)",
        "legacy command": rf"(#[{_IGNORABLE}]*#[{_IGNORABLE}]*)\[",
        "json unsafe": rf"[{_IGNORABLE}\x85\u2028\u2029]",
    }
    return re.compile(patterns[name])


def inert_line(line: str) -> str:
    """One physical line (no line break in it) that the runner cannot read as a command."""
    line = _pattern("legacy command").sub(r"\1%5B", line)
    return _pattern("command start").sub(r"\1%3A", line)


def inert_text(text: str) -> str:
    """`inert_line` on every line of `text`, line breaks kept."""
    parts = _pattern("line break").split(text)
    parts[::2] = [inert_line(part) for part in parts[::2]]
    return "".join(parts)


def json_text(data: Any, *, indent: int | None = 2, separators: tuple[str, str] | None = None) -> str:
    """`json.dumps` whose text holds no command start and no odd line break, with the same value:
    such characters can only be inside JSON strings, where `\\uXXXX` means the same."""
    import json

    text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=False)
    text = _pattern("json unsafe").sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    return text.replace("##[", "##\\u005b")


class RunnerSafeStream(io.TextIOBase):
    """A text stream that writes every complete line through `inert_line`.

    A partial line is held until its line break (or `close_line`), so a command start split over
    two writes is still seen; on a terminal (nobody parses it) partial lines pass at once, so
    progress bars keep working. `write_command` is the one way to write a real command.
    """

    def __init__(self, raw: TextIO, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.raw = raw
        self.redactor = redactor if redactor is not None else Redactor()
        self._pending = ""

    def _line(self, line: str) -> str:
        return inert_line(self.redactor.redact(line))

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(getattr(self.raw, "isatty", lambda: False)())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.raw, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.raw, "errors", None)

    def fileno(self) -> int:
        return self.raw.fileno()

    def write(self, text: str) -> int:
        parts = _pattern("line break").split(self._pending + text)
        self._pending = parts.pop()
        out = "".join(self._line(parts[i]) + parts[i + 1] for i in range(0, len(parts), 2))
        if self._pending and self.isatty():
            out += self._line(self._pending)
            self._pending = ""
        if out:
            self.raw.write(out)
        return len(text)

    def close_line(self) -> None:
        """Write a held partial line (at exit)."""
        if self._pending:
            self.raw.write(self._line(self._pending))
            self._pending = ""
        self.raw.flush()

    def write_command(self, line: str, *, redact: bool = True) -> None:
        """A workflow command line as built (already escaped), with secrets hidden unless `redact`
        is False (an `::add-mask::` command must carry the real value)."""
        self.close_line_if_pending()
        self.raw.write((self.redactor.redact(line) if redact else line) + "\n")
        self.raw.flush()

    def close_line_if_pending(self) -> None:
        if self._pending:
            self.raw.write(self._line(self._pending) + "\n")
            self._pending = ""

    def flush(self) -> None:
        self.raw.flush()


class runner_safe_output:  # noqa: N801 (used as a function: `with runner_safe_output(redactor):`)
    """Route sys.stdout and sys.stderr through `RunnerSafeStream` for the duration of a `with`:
    every line is made inert for the runner and passed through `redactor` (the command's secrets).
    A class rather than a contextlib generator: a hook does not import contextlib."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self._redactor = redactor
        self._saved: list[TextIO] = []
        self._streams: list[RunnerSafeStream] = []

    def __enter__(self) -> None:
        self._saved = [sys.stdout, sys.stderr]
        self._streams = [
            s if isinstance(s, RunnerSafeStream) else RunnerSafeStream(s, self._redactor) for s in self._saved
        ]
        sys.stdout, sys.stderr = self._streams

    def __exit__(self, *_: object) -> None:
        for stream in self._streams:
            try:  # noqa: SIM105 (contextlib.suppress: a hook would import contextlib)
                stream.close_line()
            except Exception:
                pass
        sys.stdout, sys.stderr = self._saved


def emit_command(line: str, stream: TextIO | None = None, *, redact: bool = True) -> None:
    """Write one workflow command built by this module (`workflow_command`, `github_annotation`)."""
    stream = stream or sys.stdout
    if isinstance(stream, RunnerSafeStream):
        stream.write_command(line, redact=redact)
    else:
        stream.write(line + "\n")
        stream.flush()


# --- workflow commands ------------------------------------------------------------------------


def escape_data(value: str) -> str:
    """Escape a workflow-command message the way the runner unescapes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property (file=, title=): also ':' and ','."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(kind: str, message: str, **props: str) -> str:
    """`::kind k=v,...::message`, every part escaped as the runner unescapes it."""
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items())
    return f"::{kind}{' ' + joined if joined else ''}::{escape_data(message)}"


def mask_commands(secret: str) -> list[str]:
    """`::add-mask::` lines for a secret: one per line of it (the runner masks one line per
    command), each escaped so the runner registers exactly that text."""
    return [f"::add-mask::{escape_data(part)}" for part in _pattern("line break").split(secret)[::2] if part.strip()]


def github_annotation(finding: Finding) -> str:
    """`::error file=F,line=L,title=T::message` (warning/notice by severity)."""
    props = {}
    if finding.path:
        props["file"] = finding.path
    if finding.line:
        props["line"] = str(finding.line)
    props["title"] = f"hf-publish {finding.check}"
    message = finding.message + (f"\nfix: {finding.fix}" if finding.fix else "")
    return workflow_command(finding.severity, message, **props)


# --- findings ---------------------------------------------------------------------------------


def format_findings(findings: Iterable[Finding], fmt: str) -> str:
    findings = sort_findings(list(findings))
    if fmt == "json":
        return json_text({"findings": [f.to_dict() for f in findings]})
    if fmt == "github":
        return "\n".join(github_annotation(f) for f in findings)
    return "\n".join(text_line(f) for f in findings)


def print_findings(findings: Iterable[Finding], fmt: str, stream: TextIO | None = None) -> None:
    """Print findings in `fmt`; in the github format each annotation is a real command."""
    findings = list(findings)
    if fmt == "github":
        for finding in sort_findings(findings):
            emit_command(github_annotation(finding), stream)
        return
    text = format_findings(findings, fmt)
    if text:
        print(text, file=stream or sys.stdout)


def text_line(finding: Finding) -> str:
    """`path:line: [check] message` and, indented below, the fix."""
    place = printable(finding.path) or "."
    if finding.line:
        place += f":{finding.line}"
    label = "" if finding.severity == "error" else f"{finding.severity}: "
    out = f"{place}: [{finding.check}] {label}{printable(finding.message)}"
    if finding.fix:
        out += f"\n    fix: {printable(finding.fix)}"
    return out


def printable(text: str) -> str:
    """Text with control and other invisible characters escaped (`a\\nb`), so a crafted file name
    cannot print what looks like another finding line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def summary_line(findings: list[Finding], fixed: bool = False) -> str:
    """One closing line that counts each severity and never calls a run with changes "passed"."""
    counts = {severity: sum(f.severity == severity for f in findings) for severity in ("error", "warning", "notice")}
    parts = [f"{n} {severity}(s)" for severity, n in counts.items() if n]
    if fixed:
        return "hf-publish: --fix changed files (listed above): review them, then stage them and commit again" + (
            f"; {', '.join(parts)}" if parts else ""
        )
    if counts["error"]:
        return "hf-publish: " + ", ".join(parts)
    if not parts:
        return "hf-publish: all checks passed"
    return (
        "hf-publish: no errors; " + ", ".join(parts) + (" (warnings pass unless --strict)" if counts["warning"] else "")
    )


# --- Markdown (the job summary) ---------------------------------------------------------------

# Markdown punctuation that can start emphasis, code, links, images, tables, math or an autolink
# (`.` and `:` break `www.x` and `https://x`, `@` an e-mail autolink).
_MARKDOWN_SPECIAL = set("\\`*_{}[]()#!|~:.@$^")
_HTML_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}  # html.escape's, without importing html


def md_text(value: Any) -> str:
    """Untrusted text as inert Markdown and HTML: no link, image, tag, table cell break, code
    span or autolink can come out of it; one line."""
    out = []
    for char in printable(str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")):
        if char in "<>&":
            out.append(_HTML_ESCAPES[char])
        elif char in _MARKDOWN_SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def md_code(value: Any) -> str:
    """Untrusted text shown as code (a file name, a tag): `<code>` around `md_text`, since a
    backtick code span cannot hold arbitrary text."""
    return f"<code>{md_text(value)}</code>"


def md_url(url: Any) -> str | None:
    """A URL safe to put in `[text](url)`: http(s) only, with no character that ends the link."""
    text = str(url or "")
    if not re.match(r"^https?://[^\s<>()\[\]`\"'\\]+$", text) or not text.isprintable():
        return None
    return text
