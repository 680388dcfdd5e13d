"""A model of how the GitHub Actions runner finds workflow commands in a step's output, written from
actions/runner (`ActionCommandManager.TryProcessCommand`, `ActionCommand.TryParseV2` / `TryParse`),
independently of hf-publish's own escaping, to judge what hf-publish prints.

- output is read line by line (.NET `ReadLine`): a line ends at `\\n`, `\\r\\n` or a lone `\\r`;
- `::name ...::data` is a command when the line, after `TrimStart()` (Unicode whitespace), starts
  with `::` (a culture-sensitive `StartsWith`: ICU skips ignorable characters such as U+00AD);
- the legacy `##[name ...]data` is a command ANYWHERE in the line (`IndexOf("##[")`, also
  culture-sensitive).

The model is deliberately wider than the runner (any command name counts, every Unicode
line separator ends a line), so output it finds clean is clean for the runner.
"""

from __future__ import annotations

import re
import unicodedata


def _ignorable(char: str) -> bool:
    return (
        (unicodedata.category(char) in ("Cc", "Cf") and char not in "\n\r")
        or char in "\u034f\u115f\u1160\u3164\uffa0"
        or "\ufe00" <= char <= "\ufe0f"
        or "\U000e0000" <= char <= "\U000e0fff"
    )


def physical_lines(output: str) -> list[str]:
    return re.split(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", output)


def commands(output: str) -> list[str]:
    """Every line of `output` the runner would treat as a workflow command."""
    found = []
    for line in physical_lines(output):
        folded = "".join(c for c in line if not _ignorable(c))
        if folded.lstrip().startswith("::") or "##[" in folded:
            found.append(line)
    return found
