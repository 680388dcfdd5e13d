"""Read a Hub card (README.md): bytes to text, the YAML front matter, the Markdown structure.

Pure functions over bytes and strings, no I/O; `hf_publish.checks.model_card` holds the rules.
Every line number here is a line of the README itself (1-based), never a line inside the YAML
block, so that `README.md:12` in a finding is where an editor should jump.

Decisions (documented in hooks/model-card/README.md):
- CRLF line endings are accepted: lines are counted on "\\n", so numbers match git and editors.
- A UTF-8 byte-order mark is a problem: huggingface_hub's `RepoCard` looks for the metadata block
  with `^\\s*---`, which a BOM defeats, so `ModelCard.load(...).data` comes back empty.
- HTML comments (`<!-- -->`, the Hub template's guidance) and YAML comments are ignored.
- Fenced code blocks and inline code spans are code, not prose: `{{ messages }}` in a chat
  template or `# TODO` in an example is not a template leftover. Their lines still count as
  content when deciding whether a section is empty.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from hf_publish.yamltree import key_problems

MAX_CARD_BYTES = 2 * 1024 * 1024  # real cards are < 200 KB; a 20 MB README is a data dump
MAX_FRONT_MATTER_LINES = 20_000
MAX_YAML_NODES = 50_000  # bounds alias expansion ("billion laughs") while walking the tree
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Problem:
    """A finding before it knows its check and path: where, what, and how to fix it."""

    line: int | None
    message: str
    fix: str


# --- bytes to text ---------------------------------------------------------------------------

def too_large(size: int) -> Problem | None:
    if size <= MAX_CARD_BYTES:
        return None
    return Problem(
        None,
        f"card is {size:,} bytes; cards over {MAX_CARD_BYTES // (1024 * 1024)} MiB are not checked "
        "(a card is documentation, not data)",
        "move large tables, logs or data into their own files (LFS for data) and link them from the card",
    )


def decode_card(raw: bytes) -> tuple[str | None, list[Problem]]:
    """The card's text with "\\n" line ends and no BOM, or None when it is not UTF-8 text.

    Problems: too large, binary (NUL bytes), a Git LFS pointer, a BOM, invalid UTF-8.
    """
    big = too_large(len(raw))
    if big:
        return None, [big]
    if raw.startswith(b"version https://git-lfs.github.com/spec/v1\n") and len(raw) < 1024:
        return None, [Problem(
            1,
            "the card is stored as a Git LFS pointer, not as text: the Hub cannot render or read its metadata",
            "keep README.md out of LFS: add the line `README.md !filter !diff !merge text` to "
            ".gitattributes, then `git rm --cached README.md && git add README.md`",
        )]
    nul = raw.find(b"\0")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        return None, [Problem(
            line,
            f"the card is binary, not Markdown text (NUL byte at line {line})",
            "replace it with a UTF-8 Markdown file; if this file is data, give it another name",
        )]
    problems: list[Problem] = []
    offset = 0
    if raw.startswith(BOM):
        offset = len(BOM)
        problems.append(Problem(
            1,
            "the card starts with a UTF-8 byte-order mark (BOM): huggingface_hub's card parser then "
            "finds no metadata block, so ModelCard.load() returns empty metadata",
            "save the file as UTF-8 without BOM (in VS Code: 'Save with Encoding' > 'UTF-8'; or run "
            "`sed -i '1s/^\\xEF\\xBB\\xBF//' README.md`)",
        ))
    try:
        text = raw[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = offset + exc.start
        line = raw.count(b"\n", 0, bad) + 1
        column = bad - (raw.rfind(b"\n", 0, bad) + 1) + 1
        guess = _guess_encoding(raw[offset:])
        fix = "re-save the file as UTF-8"
        if guess:
            fix += (f"; it decodes as {guess}, so: `iconv -f {guess} -t utf-8 README.md > README.md.utf8 "
                    f"&& mv README.md.utf8 README.md`")
        problems.append(Problem(
            line, f"the card is not valid UTF-8 (byte 0x{raw[bad]:02x} at line {line}, column {column})", fix,
        ))
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

@dataclass
class FrontMatter:
    """The YAML block between the `---` lines; `first_line` is the README line of its first YAML line."""

    yaml_text: str
    first_line: int
    open_line: int
    close_line: int


@dataclass
class SplitCard:
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
        problems.append(Problem(
            start + 1,
            "the opening --- of the metadata block has trailing spaces: huggingface_hub then does not see the metadata",
            "make the line exactly `---`",
        ))
    for close in range(start + 1, min(len(lines), start + 1 + MAX_FRONT_MATTER_LINES)):
        if _CLOSE_RE.fullmatch(lines[close]):
            fm = FrontMatter("\n".join(lines[start + 1:close]), start + 2, start + 1, close + 1)
            return SplitCard(fm, lines[close + 1:], close + 2, problems)
    problems.append(Problem(
        start + 1,
        f"the metadata block opened at line {start + 1} is never closed: the Hub reads no metadata "
        "and shows the YAML as text",
        "end the metadata block with a line `---` (at the start of the line) before the Markdown",
    ))
    return SplitCard(None, lines[start:], start + 1, problems, missing=False)


def compose_front_matter(fm: FrontMatter) -> tuple[yaml.Node | None, list[Problem]]:
    """The YAML node tree (lines are YAML lines, 0-based: add `fm.first_line`) or the syntax error."""
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # libyaml composes recursively in C and crashes the process (SIGSEGV) on ~50,000 nested `[`/`{`;
    # flow brackets bound the nesting depth, so with many of them use the Python loader, whose
    # recursion ends in a RecursionError instead.
    if fm.yaml_text.count("[") + fm.yaml_text.count("{") > 1000:
        loader_cls = yaml.SafeLoader
    try:
        return yaml.compose(fm.yaml_text, Loader=loader_cls), []
    except RecursionError:
        return None, [Problem(fm.open_line, "the metadata is nested too deep to parse (thousands of [ or { levels)",
                              "write the metadata as plain `key: value` lines and short lists")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = fm.first_line + mark.line if mark is not None else fm.open_line
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        message = f"metadata YAML error: {reason}" + (f" ({context})" if context else "")
        return None, [Problem(line, message, _yaml_fix(reason, fm.yaml_text, mark))]


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
    if line_text.lstrip().startswith(("*", "&", "!", "@", "`", "%", "|", ">")) or ": @" in line_text or ": `" in line_text:
        return "quote the value: YAML treats a leading *, &, !, @, ` or % as syntax"
    return "fix the YAML at this line: check indentation (spaces, 2 per level) and quote values with special characters"


def yaml_to_data(node: yaml.Node | None) -> Any:
    """Python data of a composed tree, as yaml.safe_load (and huggingface_hub) would build it."""
    if node is None:
        return None
    return yaml.SafeLoader("").construct_document(node)


def structural_problems(root: yaml.Node, first_line: int) -> list[Problem]:
    """What the Hub's YAML parser refuses but PyYAML accepts: duplicate keys, non-scalar keys.

    Raises TooManyNodes when aliases expand the tree past MAX_YAML_NODES.
    """
    problems = []
    for problem in key_problems(root, MAX_YAML_NODES):
        line = first_line + problem.key.start_mark.line
        if problem.kind == "non-scalar":
            problems.append(Problem(line, "a metadata key must be a plain string (found a list or mapping as key)",
                                    "write `key: value`; a `{{ ... }}` here is a template placeholder to replace"))
        elif problem.kind == "duplicate":
            problems.append(Problem(line, f"duplicate metadata key {problem.key.value!r} "
                                          f"(first at line {first_line + problem.first_line}): "
                                          "the Hub's YAML parser rejects duplicate keys",
                                    "keep one of the two and merge their values"))
    return problems


# --- Markdown ----------------------------------------------------------------------------------

@dataclass
class Heading:
    line: int
    level: int
    text: str
    index: int  # index into MarkdownDoc.lines


@dataclass
class MdLine:
    number: int
    visible: str  # the line without HTML comments ("" inside a comment); raw for code lines
    code: bool  # inside a fenced code block (fence lines included)
    fence: bool = False
    heading: bool = False


@dataclass
class MarkdownDoc:
    lines: list[MdLine]
    headings: list[Heading]


# Any indentation: fences nested in list items are indented; an indented code block holding a
# literal ``` line is rarer than that.
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML_HEADING_RE = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1>\s*$", re.IGNORECASE)
_NOT_PARAGRAPH_RE = re.compile(r"^\s*([-*+>|]|\d+[.)]\s|<|#)")


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
            closing = stripped and set(stripped) == {fence[0]} and len(stripped) >= fence[1]
            out.append(MdLine(number, raw, True, fence=bool(closing)))
            if closing:
                fence = None
            continue
        visible, in_comment = _strip_comments(raw, in_comment)
        match = _FENCE_RE.match(visible)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = (match.group(1)[0], len(match.group(1)))
            out.append(MdLine(number, visible, True, fence=True))
            paragraph_start = None
            continue
        line = MdLine(number, visible, False)
        out.append(line)
        atx = _ATX_RE.match(visible)
        html = None if atx else _HTML_HEADING_RE.match(visible)
        setext = _SETEXT_RE.match(visible) if paragraph_start is not None else None
        if atx:
            line.heading = True
            headings.append(Heading(number, len(atx.group(1)), (atx.group(2) or "").strip(), len(out) - 1))
            paragraph_start = None
        elif html:
            line.heading = True
            text = re.sub(r"<[^>]+>", "", html.group(2)).strip()
            headings.append(Heading(number, int(html.group(1)), text, len(out) - 1))
            paragraph_start = None
        elif setext:
            first = out[paragraph_start]
            text = " ".join(o.visible.strip() for o in out[paragraph_start:-1])
            for o in out[paragraph_start:]:
                o.heading = True
            headings.append(Heading(first.number, 1 if setext.group(1)[0] == "=" else 2, text, paragraph_start))
            paragraph_start = None
        elif not visible.strip():
            paragraph_start = None
        elif paragraph_start is None and not _NOT_PARAGRAPH_RE.match(visible) and len(visible) - len(visible.lstrip()) < 4:
            paragraph_start = len(out) - 1
    return MarkdownDoc(out, headings)


def _strip_comments(raw: str, in_comment: bool) -> tuple[str, bool]:
    """`raw` without the parts inside <!-- -->, and whether a comment is still open at its end."""
    if not in_comment and "<!--" not in raw:
        return raw, False
    parts = []
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


_CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
PLACEHOLDER_RE = re.compile(r"\[More Information Needed\]|\bTODO\b|\bTBD\b|\{\{.*?\}\}", re.IGNORECASE)
_CASE_SENSITIVE = ("TODO", "TBD")  # "todo list" and "tbd" in prose are words; TODO/TBD are markers


def placeholders_in(text: str) -> list[str]:
    """Template placeholders in a line of prose (code spans removed)."""
    text = _CODE_SPAN_RE.sub("", text)
    found = []
    for match in PLACEHOLDER_RE.finditer(text):
        value = match.group(0)
        if value.upper() in _CASE_SENSITIVE and value not in _CASE_SENSITIVE:
            continue
        found.append(value)
    return found


def strip_placeholders(text: str) -> str:
    return PLACEHOLDER_RE.sub("", _CODE_SPAN_RE.sub(lambda m: m.group(0).replace("`", " "), text))


def is_substantive(line: MdLine) -> bool:
    """Whether a line is real content: code, or prose with words once placeholders are gone."""
    if line.heading or line.fence:
        return False
    if line.code:
        return bool(line.visible.strip())
    return bool(re.search(r"\w", strip_placeholders(line.visible)))


def section_span(doc: MarkdownDoc, heading_pos: int) -> list[MdLine]:
    """The lines under `doc.headings[heading_pos]`, up to the next heading of the same or a higher level."""
    heading = doc.headings[heading_pos]
    end = len(doc.lines)
    for later in doc.headings[heading_pos + 1:]:
        if later.level <= heading.level:
            end = later.index
            break
    return doc.lines[heading.index + 1:end]


_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def normalize_heading(text: str) -> str:
    """Compare headings loosely: case, emphasis, links, numbering, emoji and trailing colons don't matter.

    NFC first: Korean typed or pasted on macOS can arrive decomposed (NFD), which looks the same.
    """
    text = unicodedata.normalize("NFC", text)
    text = _LINK_RE.sub(r"\1", text)
    text = re.sub(r"<[^>]+>|\{#[^}]*\}", "", text)
    text = re.sub(r"[*_`~]", "", text)
    text = re.sub(r"^\W+|\W+$", "", text)
    text = re.sub(r"^(\d+(\.\d+)*[.)]?\s+)", "", text)
    return " ".join(text.split()).casefold()
