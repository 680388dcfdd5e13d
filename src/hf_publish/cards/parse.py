"""Read a Hub card (README.md): bytes to text, the YAML front matter, the Markdown structure.

Pure functions over bytes and strings, no I/O; `hf_publish.checks.model_card` holds the rules and
`hf_publish.cards.rules` their severities. Every line number here is a line of the README itself
(1-based), never a line inside the YAML block, so that `README.md:12` in a finding is where an
editor should jump.

Decisions (documented in hooks/model-card/README.md):
- CRLF line endings are accepted: lines are counted on "\\n", so numbers match git and editors.
- A UTF-8 byte-order mark is a warning: huggingface_hub's `ModelCard.load()` reads cards as
  utf-8-sig and finds the metadata, but a tool that reads the file as plain UTF-8 and hands the
  text to `RepoCard(...)` (or any `^---` matcher) sees no metadata block.
- The metadata is read twice when the readings can differ: as the Hub reads it (YAML 1.2: `no`
  is the text "no") and as PyYAML, and so huggingface_hub, reads it (YAML 1.1: `no` is false).
- HTML comments (`<!-- -->`, the Hub template's guidance) and YAML comments are ignored.
- Fenced code blocks and inline code spans are code, not prose: `{{ messages }}` in a chat
  template or `# TODO` in an example is not a template leftover. Their lines still count as
  content when deciding whether a section is empty.
- Every rule is linear in the card's size: no regular expression here can backtrack over a
  line (headings, code spans, placeholders and tags are scanned with str methods), so a crafted
  1 MB line costs about what a plain 1 MB card does.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from typing import Any, cast

import yaml

from hf_publish._record import Record, field
from hf_publish.cards import rules
from hf_publish.cards.rules import HUB_MAX_REGULAR_FILE as HUB_MAX_REGULAR_FILE
from hf_publish.cards.rules import MAX_CARD_BYTES as MAX_CARD_BYTES
from hf_publish.cards.rules import Problem as Problem
from hf_publish.cards.rules import too_large as too_large
from hf_publish.yamltree import key_problems

MAX_FRONT_MATTER_LINES = 20_000
MAX_YAML_NODES = 50_000  # bounds alias expansion ("billion laughs") while walking the tree
MAX_HEADING_CHARS = 500  # no accepted section heading is longer; longer ones are compared as they are
BOM = b"\xef\xbb\xbf"


# --- bytes to text ---------------------------------------------------------------------------


def decode_card(raw: bytes) -> tuple[str | None, list[Problem]]:
    """The card's text with "\\n" line ends and no BOM, or None when it is not UTF-8 text.

    Problems: too large, binary (NUL bytes), a Git LFS pointer, a BOM, invalid UTF-8.
    """
    big = too_large(len(raw))
    if big:
        return None, [big]
    if raw.startswith(b"version https://git-lfs.github.com/spec/v1\n") and len(raw) < 1024:
        return None, [
            Problem(
                1,
                "the card is stored as a Git LFS pointer, not as text: the Hub cannot render or read its metadata",
                "keep README.md out of LFS: add the line `README.md !filter !diff !merge text` to "
                ".gitattributes, then `git rm --cached README.md && git add README.md`",
                rules.CARD_LFS_POINTER,
            )
        ]
    nul = raw.find(b"\0")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        return None, [
            Problem(
                line,
                f"the card is binary, not Markdown text (NUL byte at line {line})",
                "replace it with a UTF-8 Markdown file; if this file is data, give it another name",
                rules.CARD_BINARY,
            )
        ]
    problems: list[Problem] = []
    offset = 0
    if raw.startswith(BOM):
        offset = len(BOM)
        problems.append(
            Problem(
                1,
                "the card starts with a UTF-8 byte-order mark (BOM): huggingface_hub's ModelCard.load() reads it "
                "(utf-8-sig), but a tool that reads the file as plain UTF-8 and passes the text to RepoCard(...) "
                "finds no metadata block",
                "save the file as UTF-8 without BOM (in VS Code: 'Save with Encoding' > 'UTF-8'; or run "
                "`sed -i '1s/^\\xEF\\xBB\\xBF//' README.md`)",
                rules.CARD_BOM,
            )
        )
    try:
        text = raw[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = offset + exc.start
        line = raw.count(b"\n", 0, bad) + 1
        column = bad - (raw.rfind(b"\n", 0, bad) + 1) + 1
        guess = _guess_encoding(raw[offset:])
        fix = "re-save the file as UTF-8"
        if guess:
            fix += (
                f"; it decodes as {guess}, so: `iconv -f {guess} -t utf-8 README.md > README.md.utf8 "
                f"&& mv README.md.utf8 README.md`"
            )
        problems.append(
            Problem(
                line,
                f"the card is not valid UTF-8 (byte 0x{raw[bad]:02x} at line {line}, column {column})",
                fix,
                rules.CARD_NOT_UTF8,
            )
        )
        return None, problems
    return text.replace("\r\n", "\n"), problems


def _guess_encoding(raw: bytes) -> str | None:
    # cp949 (Korean, a superset of EUC-KR) first: its multi-byte structure rarely decodes by
    # accident; cp1252 decodes nearly anything, so it is the fallback guess.
    for encoding in ("cp949", "cp1252"):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


# --- front matter ----------------------------------------------------------------------------


class FrontMatter(Record, frozen=False):
    """The YAML block between the `---` lines; `first_line` is the README line of its first YAML line."""

    yaml_text: str
    first_line: int
    open_line: int
    close_line: int


class SplitCard(Record, frozen=False):
    front_matter: FrontMatter | None
    body_lines: list[str]
    body_first_line: int
    problems: list[Problem] = field(default_factory=list)
    missing: bool = False  # no front matter at all


_CLOSE_RE = re.compile(r"---[ \t]*")


def split_front_matter(text: str) -> SplitCard:
    """Find the metadata block the way huggingface_hub's RepoCard does (`^\\s*---` ... `\\n---`)."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or lines[start].strip() != "---":
        return SplitCard(None, lines, 1, missing=True)
    problems = []
    if lines[start].lstrip() != "---":
        problems.append(
            Problem(
                start + 1,
                "the opening --- of the metadata block has trailing spaces: huggingface_hub then does not see the metadata",
                "make the line exactly `---`",
                rules.METADATA_OPEN_SPACES,
            )
        )
    for close in range(start + 1, min(len(lines), start + 1 + MAX_FRONT_MATTER_LINES)):
        if _CLOSE_RE.fullmatch(lines[close]):
            fm = FrontMatter("\n".join(lines[start + 1 : close]), start + 2, start + 1, close + 1)
            return SplitCard(fm, lines[close + 1 :], close + 2, problems)
    problems.append(
        Problem(
            start + 1,
            f"the metadata block opened at line {start + 1} is never closed: the Hub reads no metadata "
            "and shows the YAML as text",
            "end the metadata block with a line `---` (at the start of the line) before the Markdown",
            rules.METADATA_UNCLOSED,
        )
    )
    return SplitCard(None, lines[start:], start + 1, problems, missing=False)


class Composed(Record, frozen=False):
    """A composed front matter: the node tree as PyYAML builds it, and the YAML text it came from
    (whitespace-only lines holding tabs blanked when only that kept PyYAML from parsing it)."""

    root: yaml.Node | None
    text: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.rule.severity == "error" for p in self.problems)


_C_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_YAML_DEPTH = 100  # real card metadata nests < 10 levels (model-index is 6)


def nesting_depth(text: str, loader: type, limit: int = MAX_YAML_DEPTH) -> int:
    """How deep the YAML's collections nest, up to `limit` + 1, read from the event stream.

    Events come from a state machine, never recursion, so this is safe and linear on any input;
    composing is recursive (libyaml's composer crashed the process on ~50,000 nested `[`, and
    PyYAML's scanner is quadratic in the depth), so a block nested past `limit` is not composed.
    A syntax error stops the count (composing reports it), except libyaml's own depth limit."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if deepest > limit:
                        return deepest
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml >= 0.2.5 stops at 1,000 levels itself
            return limit + 1
    return deepest


def _needs_depth_check(text: str) -> bool:
    """Deep nesting needs many `[`, `{` or `- ` (or very long text): a cheap filter for the event pass."""
    return len(text) > 50_000 or text.count("[") + text.count("{") + text.count("- ") > 200


def compose_front_matter(fm: FrontMatter) -> Composed:
    """The YAML node tree (lines are YAML lines, 0-based: add `fm.first_line`), or why it has none."""
    text = fm.yaml_text
    tab_lines = _tab_blank_lines(text)
    # huggingface_hub parses with PyYAML's Python loader (yaml.safe_load); libyaml accepts some
    # whitespace-only lines with tabs that it refuses, so such a block is parsed as it would be.
    loader = yaml.SafeLoader if tab_lines else _C_SAFE
    if _needs_depth_check(text) and nesting_depth(text, _C_SAFE) > MAX_YAML_DEPTH:
        return Composed(
            None,
            text,
            [
                Problem(
                    fm.open_line,
                    f"the metadata is nested too deep: more than {MAX_YAML_DEPTH} levels of [, {{ or - "
                    "inside each other; not read",
                    "write the metadata as plain `key: value` lines and short lists",
                    rules.YAML_TOO_COMPLEX,
                )
            ],
        )
    try:
        return Composed(yaml.compose(text, Loader=loader), text)
    except RecursionError:  # not reached below MAX_YAML_DEPTH; kept so no input can raise
        return Composed(
            None,
            text,
            [
                Problem(
                    fm.open_line,
                    "the metadata is nested too deep to parse",
                    "write the metadata as plain `key: value` lines and short lists",
                    rules.YAML_TOO_COMPLEX,
                )
            ],
        )
    except yaml.YAMLError as exc:
        error = exc
    if tab_lines:
        blanked = "\n".join("" if i in tab_lines else line for i, line in enumerate(text.split("\n")))
        try:
            root = yaml.compose(blanked, Loader=_C_SAFE)
        except (yaml.YAMLError, RecursionError):
            pass
        else:
            lines = sorted(tab_lines)
            shown = ", ".join(str(fm.first_line + i) for i in lines[:5]) + (" ..." if len(lines) > 5 else "")
            return Composed(
                root,
                blanked,
                [
                    Problem(
                        fm.first_line + lines[0],
                        f"a tab on a whitespace-only line of the metadata (line {shown}): the Hub's YAML parser "
                        "accepts it, but PyYAML, and so huggingface_hub's ModelCard.load(), fails with \"found "
                        "character '\\t' that cannot start any token\"",
                        "delete the whitespace on that line (make it empty)",
                        rules.YAML_TAB_BLANK_LINE,
                    )
                ],
            )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = fm.first_line + mark.line if mark is not None else fm.open_line
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = f"metadata YAML error: {reason}" + (f" ({context})" if context else "")
    return Composed(None, text, [Problem(line, message, _yaml_fix(reason, text, mark), rules.YAML_SYNTAX)])


def _tab_blank_lines(text: str) -> set[int]:
    """0-based indexes of the lines that hold only spaces and tabs, at least one tab."""
    return {i for i, line in enumerate(text.split("\n")) if "\t" in line and not line.strip(" \t")}


def _yaml_fix(reason: str, text: str, mark: Any) -> str:
    line_text = ""
    if mark is not None:
        yaml_lines = text.split("\n")
        if 0 <= mark.line < len(yaml_lines):
            line_text = yaml_lines[mark.line]
    if "\t" in line_text[: len(line_text) - len(line_text.lstrip())] or "tab" in reason.lower():
        return "indent with spaces, not tabs (YAML forbids tabs for indentation)"
    if "mapping values are not allowed" in reason:
        return "quote a value that contains ': ', e.g. `title: \"Model: v2\"`"
    if (
        line_text.lstrip().startswith(("*", "&", "!", "@", "`", "%", "|", ">"))
        or ": @" in line_text
        or ": `" in line_text
    ):
        return "quote the value: YAML treats a leading *, &, !, @, ` or % as syntax"
    return "fix the YAML at this line: check indentation (spaces, 2 per level) and quote values with special characters"


def yaml_to_data(node: yaml.Node | None) -> Any:
    """Python data of a composed tree, as yaml.safe_load (and huggingface_hub) would build it."""
    if node is None:
        return None
    return yaml.SafeLoader("").construct_document(node)


# --- the Hub's reading: YAML 1.2 core schema ---------------------------------------------------
# PyYAML implements YAML 1.1: `no`, `on`, `y` are booleans, `1:30` is 90, `010` is 8 and
# `2024-01-01` a date. The Hub's parser implements YAML 1.2, whose core schema knows only
# true/false, null, decimal/0o/0x integers and floats; everything else plain is text.

_CORE_RESOLVERS = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
)


def _core_int(loader: Any, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


def _core_loader(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    loader = cast("type[yaml.SafeLoader]", type(f"Core{base.__name__}", (base,), {"yaml_implicit_resolvers": {}}))
    for tag, pattern, first in _CORE_RESOLVERS:
        loader.add_implicit_resolver(tag, re.compile(pattern), list(first))
    loader.add_constructor("tag:yaml.org,2002:int", _core_int)
    return loader


CoreSafeLoader = _core_loader(yaml.SafeLoader)
CoreCSafeLoader = _core_loader(_C_SAFE)
CORE_RESOLVER = CoreSafeLoader("")


def readings_differ(root: yaml.Node | None) -> bool:
    """Whether some plain scalar resolves differently under YAML 1.2 than PyYAML's 1.1 resolved it."""
    stack = [root] if root is not None else []
    seen = 0
    resolve = cast("Callable[[type[yaml.Node], str, tuple[bool, bool]], str]", CORE_RESOLVER.resolve)  # untyped stub
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_YAML_NODES:
            return True
        if isinstance(node, yaml.ScalarNode):
            if not node.style and resolve(yaml.ScalarNode, node.value, (True, False)) != node.tag:
                return True
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def hub_reading(composed: Composed) -> Any:
    """The metadata as the Hub's YAML 1.2 parser reads it (PyYAML's reading when both agree)."""
    if not readings_differ(composed.root):
        return yaml_to_data(composed.root)
    node = yaml.compose(composed.text, Loader=CoreCSafeLoader)
    return CoreSafeLoader("").construct_document(node) if node is not None else None


def structural_problems(root: yaml.Node, first_line: int) -> list[Problem]:
    """Keys PyYAML accepts or refuses unlike the Hub: duplicate keys, non-scalar keys.

    Raises TooManyNodes when aliases expand the tree past MAX_YAML_NODES.
    """
    problems = []
    for problem in key_problems(root, MAX_YAML_NODES):
        line = first_line + problem.key.start_mark.line
        if problem.kind == "non-scalar":
            problems.append(
                Problem(
                    line,
                    "a metadata key must be a plain string (found a list or mapping as key): "
                    "PyYAML cannot build the metadata (unhashable key)",
                    "write `key: value`; a `{{ ... }}` here is a template placeholder to replace",
                    rules.YAML_COMPLEX_KEY,
                )
            )
        elif problem.kind == "duplicate":
            assert problem.first_line is not None  # key_problems sets it for every duplicate
            problems.append(
                Problem(
                    line,
                    f"duplicate metadata key {problem.key.value!r} "
                    f"(first at line {first_line + problem.first_line}): YAML readers "
                    "disagree on which value wins; PyYAML, and so huggingface_hub's "
                    "ModelCard.load(), keeps this later one",
                    "keep one of the two and merge their values",
                    rules.YAML_DUPLICATE_KEY,
                )
            )
    return problems


# --- Markdown ----------------------------------------------------------------------------------


class Heading(Record, frozen=False):
    line: int
    level: int
    text: str
    index: int  # index into MarkdownDoc.lines


class MdLine(Record, frozen=False):
    number: int
    visible: str  # the line without HTML comments ("" inside a comment); raw for code lines
    code: bool  # inside a fenced code block (fence lines included)
    fence: bool = False
    heading: bool = False


class MarkdownDoc(Record, frozen=False):
    lines: list[MdLine]  # every line but blank ones (a blank line is never content, a heading or a placeholder)
    headings: list[Heading]
    section_ends: list[int] = field(default_factory=list)  # per heading: index in `lines` where its section ends


# Any indentation: fences nested in list items are indented; an indented code block holding a
# literal ``` line is rarer than that. (Linear: `\s*` and the fence run cannot overlap.)
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_HTML_HEADING_RE = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1>\s*$", re.IGNORECASE)
_NOT_PARAGRAPH_RE = re.compile(r"^\s*([-*+>|]|\d+[.)]\s|<|#)")


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading (`## Usage ##`), per CommonMark; str methods only, so a
    `# a` + 40,000 spaces + `b` line costs one pass, not a backtracking regex's quadratic time."""
    indent = len(line) - len(line.lstrip(" "))
    if indent > 3:
        return None
    rest = line[indent:]
    level = len(rest) - len(rest.lstrip("#"))
    if not 1 <= level <= 6:
        return None
    rest = rest[level:]
    if rest and rest[0] not in " \t":
        return None
    text = rest.strip(" \t")
    unclosed = text.rstrip("#")
    if not unclosed:
        text = ""
    elif unclosed != text and unclosed[-1] in " \t":
        text = unclosed.rstrip(" \t")
    return level, text


def setext_underline(line: str) -> int | None:
    """1 for a `===` underline, 2 for `---`, else None."""
    indent = len(line) - len(line.lstrip(" "))
    if indent > 3 or line[indent : indent + 1] not in ("=", "-"):
        return None
    body = line[indent:].rstrip(" \t")
    if body and set(body) == {"="}:
        return 1
    if body and set(body) == {"-"}:
        return 2
    return None


def delimited_spans(text: str, opener: str, closer: str, *, nonempty: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each `opener` ... first `closer` after it, left to right, in one pass: what
    a lazy `opener.*?closer` regex finds, without its quadratic backtracking when no closer follows.
    With `nonempty`, an opener directly followed by its closer (`<>`) is not a span."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        start = text.find(opener, pos)
        if start < 0:
            return spans
        end = text.find(closer, start + len(opener))
        if end < 0:
            return spans  # no closer after this opener, so none after any later one either
        if nonempty and end == start + len(opener):
            pos = start + 1
            continue
        spans.append((start, end + len(closer)))
        pos = end + len(closer)


def _without_spans(text: str, spans: list[tuple[int, int]], replace: Callable[[str], str] = lambda span: "") -> str:
    """`text` with each span (sorted, not overlapping) replaced by `replace(span_text)`."""
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(replace(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def strip_tags(text: str) -> str:
    """`text` without `<...>` tags (a `<` with no `>` after it stays)."""
    return _without_spans(text, delimited_spans(text, "<", ">", nonempty=True))


def parse_markdown(lines: list[str], first_line: int) -> MarkdownDoc:
    """Headings (ATX, setext, <hN>) and per-line visibility, aware of code fences and HTML comments."""
    out: list[MdLine] = []
    headings: list[Heading] = []
    fence: tuple[str, int] | None = None
    in_comment = False
    paragraph_start: int | None = None  # index in `out` of the current paragraph's first line
    for offset, raw in enumerate(lines):
        number = first_line + offset
        if fence is not None:
            stripped = raw.strip()
            if not stripped:
                continue
            closing = set(stripped) == {fence[0]} and len(stripped) >= fence[1]
            out.append(MdLine(number, raw, True, fence=bool(closing)))
            if closing:
                fence = None
            continue
        if in_comment or "<!--" in raw:
            visible, in_comment = _strip_comments(raw, in_comment)
        else:
            visible = raw
        head = visible.lstrip()
        if not head:  # a blank line ends a paragraph and is nothing else
            paragraph_start = None
            continue
        first = head[0]  # each construct below starts with its own character: test only those
        match = _FENCE_RE.match(visible) if first in "`~" else None
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = (match.group(1)[0], len(match.group(1)))
            out.append(MdLine(number, visible, True, fence=True))
            paragraph_start = None
            continue
        line = MdLine(number, visible, False)
        out.append(line)
        atx = atx_heading(visible) if first == "#" else None
        html = _HTML_HEADING_RE.match(visible) if first == "<" and not atx else None
        setext = setext_underline(visible) if paragraph_start is not None and first in "=-" else None
        if atx:
            line.heading = True
            headings.append(Heading(number, atx[0], atx[1], len(out) - 1))
            paragraph_start = None
        elif html:
            line.heading = True
            headings.append(Heading(number, int(html.group(1)), strip_tags(html.group(2)).strip(), len(out) - 1))
            paragraph_start = None
        elif setext and paragraph_start is not None:  # setext is only looked for inside a paragraph
            opening = out[paragraph_start]
            text = " ".join(o.visible.strip() for o in out[paragraph_start:-1])
            for o in out[paragraph_start:]:
                o.heading = True
            headings.append(Heading(opening.number, setext, text, paragraph_start))
            paragraph_start = None
        elif paragraph_start is None and len(visible) - len(head) < 4 and not _NOT_PARAGRAPH_RE.match(visible):
            paragraph_start = len(out) - 1
    return MarkdownDoc(out, headings, _section_ends(headings, len(out)))


def _section_ends(headings: list[Heading], total: int) -> list[int]:
    """For each heading, the index of the first line after its section: the next heading of the
    same or a higher level (one pass with a stack, not a scan per heading)."""
    ends = [total] * len(headings)
    open_sections: list[int] = []
    for position, heading in enumerate(headings):
        while open_sections and headings[open_sections[-1]].level >= heading.level:
            ends[open_sections.pop()] = heading.index
        open_sections.append(position)
    return ends


def _strip_comments(raw: str, in_comment: bool) -> tuple[str, bool]:
    """`raw` without the parts inside <!-- -->, and whether a comment is still open at its end."""
    if not in_comment and "<!--" not in raw:
        return raw, False
    parts: list[str] = []
    pos = 0
    while pos <= len(raw):
        if in_comment:
            end = raw.find("-->", pos)
            if end < 0:
                return "".join(parts), True
            pos = end + 3
            in_comment = False
        else:
            start = raw.find("<!--", pos)
            if start < 0:
                parts.append(raw[pos:])
                break
            parts.append(raw[pos:start])
            pos = start + 4
            in_comment = True
    return "".join(parts), in_comment


_BACKTICKS_RE = re.compile(r"`+")


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each inline code span: a backtick run up to the next run of the same length
    (CommonMark); a run that no later run closes is literal text. O(runs log runs)."""
    if "`" not in text:
        return []
    runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(text)]
    if len(runs) < 2:
        return []
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    spans = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        later = bisect.bisect_right(same, index)
        if later < len(same):
            closer = same[later]
            spans.append((start, runs[closer][1]))
            index = closer + 1
        else:
            index += 1
    return spans


def _without_code(text: str, keep_content: bool = False) -> str:
    """`text` with each code span replaced by a space, or with `keep_content` by its text unquoted."""
    spans = code_spans(text)
    if not spans:
        return text
    return _without_spans(text, spans, (lambda code: code.replace("`", " ")) if keep_content else (lambda code: " "))


_WORD_PLACEHOLDER_RE = re.compile(r"\[More Information Needed\]|\bTODO\b|\bTBD\b", re.IGNORECASE)
_CASE_SENSITIVE = ("TODO", "TBD")  # "todo list" and "tbd" in prose are words; TODO/TBD are markers


def _placeholder_spans(text: str) -> list[tuple[int, int]]:
    """Every `{{ ... }}` (up to the first `}}`) and `[More Information Needed]`/TODO/TBD outside
    them, in order. Linear: each `{{` looks for its `}}` once, and none is looked for past the last."""
    if "{{" not in text:
        return [m.span() for m in _WORD_PLACEHOLDER_RE.finditer(text)]
    spans = delimited_spans(text, "{{", "}}")
    words = []
    for match in _WORD_PLACEHOLDER_RE.finditer(text):
        inside = bisect.bisect_right(spans, (match.start(), len(text) + 1)) - 1
        if inside >= 0 and spans[inside][0] <= match.start() < spans[inside][1]:
            continue
        words.append(match.span())
    return sorted(spans + words)


def may_hold_placeholders(text: str) -> bool:
    """A cheap test that rules out most lines before the placeholder scan."""
    if "{{" in text:
        return True
    lower = text.lower()
    return "todo" in lower or "tbd" in lower or "[more information needed]" in lower


def placeholders_in(text: str) -> list[str]:
    """Template placeholders in a line of prose (code spans removed)."""
    if not may_hold_placeholders(text):
        return []
    text = _without_code(text)
    found = []
    for start, end in _placeholder_spans(text):
        value = text[start:end]
        if value.upper() in _CASE_SENSITIVE and value not in _CASE_SENSITIVE:
            continue
        found.append(value)
    return found


def strip_placeholders(text: str) -> str:
    if not may_hold_placeholders(text):
        return text
    text = _without_code(text, keep_content=True)
    return _without_spans(text, _placeholder_spans(text))


_WORD_RE = re.compile(r"\w")


def is_substantive(line: MdLine) -> bool:
    """Whether a line is real content: code, or prose with words once placeholders are gone."""
    if line.heading or line.fence:
        return False
    if line.code:
        return bool(line.visible.strip())
    return bool(_WORD_RE.search(strip_placeholders(line.visible)))


def section_span(doc: MarkdownDoc, heading_pos: int) -> list[MdLine]:
    """The lines under `doc.headings[heading_pos]`, up to the next heading of the same or a higher level."""
    return doc.lines[doc.headings[heading_pos].index + 1 : doc.section_ends[heading_pos]]


_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_PLAIN_HEADING_RE = re.compile(r"[A-Za-z][A-Za-z0-9 ]*[A-Za-z0-9]|[A-Za-z]")


def normalize_heading(text: str) -> str:
    """Compare headings loosely: case, emphasis, links, numbering, emoji and trailing colons don't matter.

    NFC first: Korean typed or pasted on macOS can arrive decomposed (NFD), which looks the same.
    A heading over MAX_HEADING_CHARS is compared as it is: no accepted heading is that long, and the
    loose matching's regexes then only ever see short strings.
    """
    if len(text) > MAX_HEADING_CHARS or _PLAIN_HEADING_RE.fullmatch(text):
        return " ".join(text.split()).casefold()  # nothing below would change a plain ASCII heading
    text = unicodedata.normalize("NFC", text)
    text = _LINK_RE.sub(r"\1", text)
    text = re.sub(r"<[^>]+>|\{#[^}]*\}", "", text)
    text = re.sub(r"[*_`~]", "", text)
    text = re.sub(r"^\W+|\W+$", "", text)
    text = re.sub(r"^(\d+(\.\d+)*[.)]?\s+)", "", text)
    return " ".join(text.split()).casefold()


def bold_line_text(text: str) -> str | None:
    """The text of a line that is only bold text (`**Usage**`, `__Usage:__`, `**Usage**:`), else None."""
    body = text.strip()
    if body.endswith(":"):
        body = body[:-1].rstrip()
    for mark in ("**", "__"):
        if len(body) > 2 * len(mark) and body.startswith(mark) and body.endswith(mark):
            return body[len(mark) : -len(mark)]
    return None
