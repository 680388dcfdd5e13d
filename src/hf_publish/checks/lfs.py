"""`lfs`: weights go through LFS, and what is staged is what the Hub will accept.

Three rules, each asked of git rather than re-implemented:

1. `.gitattributes` has a complete LFS rule (`filter=lfs diff=lfs merge=lfs -text`) for every
   `lfs.required_patterns` entry (default: the Hub's own list), and for each of PRESENCE_PATTERNS
   (`*.gguf`, ...: weights formats the Hub's list lacks) that a file of the repo folder matches.
   Coverage is asked of `git check-attr` on a sample path made from each pattern
   (`*.safetensors` -> `hf-publish-sample.safetensors`), placed in each configured repo folder, so
   macros, nested .gitattributes and git's own matching all count; a pattern whose files are all
   covered (`model.safetensors filter=lfs ...` names the one weights file) is covered too.
   A `filter=lfs` line missing `diff=lfs`, `merge=lfs` or `-text` is reported at its line.
2. Every staged file that git's attributes put in LFS is staged as a real LFS pointer (the index
   blob is read, never the working-tree file; a blob over 1 KiB cannot be a pointer and is not
   read at all).
3. A staged file outside LFS larger than `lfs.max_text_size`, or binary (a NUL byte in its first
   8000 bytes, git's own test) and larger than `lfs.max_binary_size`, is refused with the exact
   `git lfs track` command. Sizes come from the object headers, so a 2 GB blob is never read.

At publish time (`source == "worktree"`) rule 2 becomes: a weights file of a configured repo folder
that git puts in LFS must not BE a pointer in the working tree (a checkout without `git lfs pull`):
publishing it would upload a 130-byte "model". Only the first bytes of small files are read.

Outside a git work tree nothing of this can be asked of git: the check reports that once
(fix: `git init`) rather than guessing.

`--fix` rewrites incomplete `filter=lfs` lines in place and appends the missing rules to the
root .gitattributes (content and final newline preserved), then reports a `fixed` notice so the command
exits 1, like pre-commit's own fixers: review, `git add .gitattributes`, commit again.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath

from hf_publish import _git
from hf_publish._record import Record
from hf_publish.checks._inputs import read_worktree_head, staged_entries
from hf_publish.errors import GitError
from hf_publish.findings import FIXED_RULE, Finding, shell_quote
from hf_publish.policy.model import DEFAULT_LFS_PATTERNS, PRESENCE_LFS_PATTERNS

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.policy.model import LfsPolicy, RepoSpec

CHECK_ID = "lfs"
GITATTRIBUTES = ".gitattributes"
RULE_ATTRIBUTES = "filter=lfs diff=lfs merge=lfs -text"
# What `git check-attr filter diff merge text` reports for a path under a complete LFS rule.
COMPLETE = {"filter": "lfs", "diff": "lfs", "merge": "lfs", "text": "unset"}
_SPELLED = {"filter": "filter=lfs", "diff": "diff=lfs", "merge": "merge=lfs", "text": "-text"}
SAMPLE_NAME = "hf-publish-sample"
BINARY_SNIFF_BYTES = 8000  # git's own binary test looks at the first 8000 bytes
HOOK_READ_LIMIT = BINARY_SNIFF_BYTES
LFS_FIX_HINT = "run `git lfs install` once if git-lfs is not set up in this clone"
PRESENCE_PATTERNS = PRESENCE_LFS_PATTERNS  # required only in a repo folder that has such a file


# --- pure functions ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # asked for every (folder, pattern), first up front, then again
def sample_path(pattern: str) -> str:
    """A path that the gitattributes `pattern` matches, to ask git about.

    `*.safetensors` -> `hf-publish-sample.safetensors`, `saved_model/**/*` ->
    `saved_model/a/hf-publish-sample`, `*tfevents*` -> `hf-publish-sample.tfevents.x`.
    A trailing `/` (which never matches a file in .gitattributes) is read as `/**`.
    """
    segments = normalize_pattern(pattern).lstrip("/").split("/")
    return "/".join(_sample_segment(s) for s in segments)


def normalize_pattern(pattern: str) -> str:
    """`dir/` matches no file in .gitattributes; `dir/**` (`**/dir/**` when `dir/` had no other
    `/`, so it still matches at any level) is what such a pattern means."""
    if not pattern.endswith("/"):
        return pattern
    return pattern + "**" if "/" in pattern.rstrip("/") else f"**/{pattern}**"


def _sample_segment(segment: str) -> str:
    if segment == "**":
        return "a"
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "\\" and i + 1 < len(segment):
            out.append(segment[i + 1])
            i += 2
        elif char == "*":
            j = i
            while j < len(segment) and segment[j] == "*":
                j += 1
            before, after = "".join(out), segment[j:]
            if not before:
                out.append(SAMPLE_NAME + ("." if after[:1].isalnum() else ""))
            elif not after:
                out.append(("." if before[-1:].isalnum() else "") + "x")
            else:
                out.append("x")
            i = j
        elif char == "?":
            out.append("x")
            i += 1
        elif char == "[" and "]" in segment[i + 2 :]:
            end = segment.index("]", i + 2)
            members = segment[i + 1 : end]
            if members[:1] in ("!", "^"):
                out.append(next(c for c in "xyz0_" if c not in members[1:]))
            else:
                out.append(members[0])
            i = end + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def is_anchored(pattern: str) -> bool:
    """A pattern with a `/` before its end is relative to its .gitattributes' folder."""
    return "/" in normalize_pattern(pattern).rstrip("/")


def rule_pattern(pattern: str, folder: str) -> str:
    """The pattern to write in the ROOT .gitattributes so it applies inside `folder`."""
    pattern = normalize_pattern(pattern)
    if not folder or not is_anchored(pattern):
        return pattern
    return f"{folder}/{pattern.lstrip('/')}"


def required_rules(required_patterns: Iterable[str], repo_paths: Iterable[str] = (".",)) -> list[str]:
    """The patterns a root .gitattributes needs so every required pattern applies in each repo
    folder (e.g. for `hf-publish init`): anchored ones get the folder's prefix."""
    folders = [folder_of(p) for p in repo_paths] or [""]
    return list(dict.fromkeys(rule_pattern(p, f) for f in folders for p in required_patterns))


class AttrLine(Record):
    """One pattern line of a .gitattributes file."""

    line: int
    pattern: str
    attributes: tuple[str, ...]


def parse_gitattributes(text: str) -> list[AttrLine]:
    """The pattern lines of a .gitattributes file (comments, blanks and `[attr]` macros skipped)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", "[attr]")):
            continue
        if stripped.startswith('"'):  # a C-quoted pattern, e.g. "a b.bin"
            end = 1
            while end < len(stripped) and (stripped[end] != '"' or stripped[end - 1] == "\\"):
                end += 1
            pattern, rest = stripped[1:end].replace('\\"', '"'), stripped[end + 1 :]
        else:
            parts = stripped.split(None, 1)
            pattern, rest = parts[0], parts[1] if len(parts) > 1 else ""
        lines.append(AttrLine(number, pattern, tuple(rest.split())))
    return lines


def attribute_state(attributes: Iterable[str]) -> dict[str, str]:
    """What one line sets, in check-attr's words (`-text` -> text: unset); later tokens win."""
    state: dict[str, str] = {}
    for token in attributes:
        if token.startswith("-"):
            state[token[1:]] = "unset"
        elif token.startswith("!"):
            state[token[1:]] = "unspecified"
        elif "=" in token:
            key, _, value = token.partition("=")
            state[key] = value
        else:
            state[token] = "set"
    return state


def missing_lfs_attributes(state: dict[str, str]) -> list[str]:
    """The parts of `filter=lfs diff=lfs merge=lfs -text` that `state` lacks, as written in a rule."""
    return [_SPELLED[key] for key, value in COMPLETE.items() if state.get(key) != value]


def incomplete_rules(lines: Sequence[AttrLine]) -> list[tuple[AttrLine, list[str]]]:
    """`filter=lfs` lines that lack `diff=lfs`, `merge=lfs` or `-text`, with what each lacks."""
    found = []
    for line in lines:
        state = attribute_state(line.attributes)
        if state.get("filter") == "lfs":
            missing = missing_lfs_attributes(state)
            if missing:
                found.append((line, missing))
    return found


def complete_line(line_text: str, pattern: str) -> str:
    """`line_text` rewritten as a complete LFS rule, keeping its other attributes and indentation."""
    indent = line_text[: len(line_text) - len(line_text.lstrip())]
    head = line_text.strip()
    quoted = head.startswith('"')
    parsed = parse_gitattributes(head)[0]
    others = [t for t in parsed.attributes if attribute_name(t) not in COMPLETE]
    shown = f'"{pattern}"' if quoted else pattern
    return indent + " ".join([shown, *others, RULE_ATTRIBUTES])


def attribute_name(token: str) -> str:
    return token.lstrip("-!").partition("=")[0]


def append_rules(text: str, patterns: Sequence[str]) -> str:
    """`text` with one complete LFS rule per pattern appended; its content and final newline kept."""
    if not patterns:
        return text
    if text and not text.endswith("\n"):
        text += "\r\n" if "\r\n" in text else "\n"
    newline = "\r\n" if "\r\n" in text else "\n"
    return text + "".join(f"{quote_pattern(p)} {RULE_ATTRIBUTES}{newline}" for p in patterns)


def quote_pattern(pattern: str) -> str:
    return f'"{pattern}"' if any(c.isspace() for c in pattern) else pattern


def is_binary(head: bytes) -> bool:
    """git's test: a NUL byte in the first 8000 bytes."""
    return b"\0" in head[:BINARY_SNIFF_BYTES]


def track_pattern(path: str) -> str:
    """What to `git lfs track` for a file: `*.<ext>` when that is one of the Hub's own LFS patterns
    (a weights or archive format: every such file belongs in LFS), else the path itself, the
    narrowest rule (`*.txt` or `*.json` would move every text file of the repo into LFS)."""
    name = PurePosixPath(path).name
    stem, dot, ext = name.rpartition(".")
    if (
        dot
        and stem
        and ext
        and not any(c in ext for c in "*?[ ")
        and f"*.{ext}" in (*DEFAULT_LFS_PATTERNS, *PRESENCE_PATTERNS)
    ):
        return f"*.{ext}"
    return path


def track_reason(path: str, pattern: str) -> str:
    """Why `pattern` is proposed for `path`, for the fix (empty for a Hub format pattern)."""
    if pattern != path:
        return ""
    ext = PurePosixPath(path).suffix
    if ext and "*" not in ext:
        return f" (the file itself: `*{ext}` would move every {ext} file of the repo into LFS)"
    return ""


_BINARY_UNITS = (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10))
_DECIMAL_UNITS = (("GB", 10**9), ("MB", 10**6), ("KB", 10**3))


def format_size(size: int, like: int | None = None) -> str:
    """A size in one unit system: binary (KiB, MiB, GiB), or decimal (KB, MB, GB) when `like`
    (the limit it is compared with) is a decimal size such as 1MB, so that a message never
    compares MB with MiB. When the rounded size would read as the limit, the bytes are given."""
    binary = like is None or like % 1024 == 0
    units = _BINARY_UNITS if binary else _DECIMAL_UNITS
    text = f"{size} bytes"
    for unit, scale in units:
        if size >= scale:
            value = f"{size / scale:.1f}".rstrip("0").rstrip(".")
            text = f"{value} {unit}"
            break
    if like is not None and size != like and text == format_size(like, like):
        return f"{size:,} bytes"
    return text


def judge_staged_file(path: str, size: int, head: bytes | None, in_lfs: bool, policy: LfsPolicy) -> Finding | None:
    """The rule for one staged file: `head` is (at least the first 8000 bytes of) its staged blob,
    needed only for an LFS path of pointer size, or a non-LFS path between the two size limits."""
    if in_lfs:
        if size <= _git.MAX_POINTER_SIZE and head is not None and _git.parse_lfs_pointer(head):
            return None
        return Finding(
            CHECK_ID,
            path,
            None,
            f"git's attributes put this file in LFS, but it is staged as a regular git blob "
            f"({format_size(size)}), not an LFS pointer",
            f"re-stage it through LFS: git add --renormalize {shell_quote(path)} ({LFS_FIX_HINT})",
        )
    if size > policy.max_text_size:
        limit = policy.max_text_size
        why = f"it is {format_size(size, limit)}, over lfs.max_text_size ({format_size(limit, limit)})"
    elif size > policy.max_binary_size and head is not None and is_binary(head):
        limit = policy.max_binary_size
        why = f"it is a {format_size(size, limit)} binary file, over lfs.max_binary_size ({format_size(limit, limit)})"
    else:
        return None
    pattern = track_pattern(path)
    return Finding(
        CHECK_ID,
        path,
        None,
        f"staged without LFS but {why}: the Hub refuses it and git history keeps it forever",
        f"git lfs track {shell_quote(pattern)} && git add .gitattributes && git add --renormalize {shell_quote(path)}"
        + track_reason(path, pattern),
    )


def needs_head(size: int, in_lfs: bool, policy: LfsPolicy) -> bool:
    """Whether `judge_staged_file` needs the blob's first bytes: never for a blob too big to be a
    pointer or over max_text_size, so a huge blob is sized but never read."""
    if in_lfs:
        return size <= _git.MAX_POINTER_SIZE
    return policy.max_binary_size < size <= policy.max_text_size


def judge_worktree_file(path: str, head: bytes) -> Finding | None:
    """At publish time: an LFS path whose working-tree file is still a pointer."""
    pointer = _git.parse_lfs_pointer(head)
    if pointer is None:
        return None
    return Finding(
        CHECK_ID,
        path,
        None,
        f"is an LFS pointer in the working tree ({len(head)} bytes standing for a "
        f"{format_size(pointer[1])} file): publishing it uploads a {len(head)}-byte model",
        "fetch the real file: git lfs pull (in GitHub Actions: actions/checkout with lfs: true)",
    )


def covered(attributes: dict[str, str] | None) -> bool:
    if not attributes:
        return False
    return all(attributes.get(k) == v for k, v in COMPLETE.items())


def folder_of(spec_path: str) -> str:
    path = PurePosixPath(spec_path).as_posix()
    return "" if path in (".", "") else path.strip("/")


def matching_files(pattern: str, folder: str, present: Sequence[str]) -> list[str]:
    """The files of `folder` that a slash-less pattern (`*.safetensors`) names by file name, as
    git matches such a pattern (at any depth). Anchored patterns name none here: their coverage
    is judged on the sample path alone."""
    if is_anchored(pattern):
        return []
    prefix = f"{folder}/" if folder else ""
    # One compiled pattern matched from each file name's start (no slicing): this runs for every
    # required pattern over every tracked file, 10,000s of times in a large repo.
    match = re.compile(fnmatch.translate(pattern)).match
    return [p for p in present if p.startswith(prefix) and match(p, p.rfind("/") + 1)]


def required_in_folders(
    required_patterns: Sequence[str], folders: Sequence[str], present: Sequence[str]
) -> list[tuple[str, str]]:
    """(folder, pattern) pairs to cover: every required pattern in every folder, and each
    PRESENCE_PATTERNS entry in a folder holding a file it names."""
    pairs = [(folder, pattern) for folder in folders for pattern in required_patterns]
    for folder in folders:
        for pattern in PRESENCE_PATTERNS:
            if pattern not in required_patterns and matching_files(pattern, folder, present):
                pairs.append((folder, pattern))
    return pairs


def present_files(
    ctx: CheckContext, folders: Sequence[str], *, from_index: bool, index: Sequence[_git.IndexEntry] | None = None
) -> list[str]:
    """The files a repo folder holds: tracked and staged ones at commit time (those of `index`
    when given, else of the whole index), the files a publish uploads at publish time."""
    if not from_index:
        return publish_paths(ctx)
    return [e.path for e in (ctx.index if index is None else index) if e.mode in _git.REGULAR_FILE_MODES]


def repo_folders(ctx: CheckContext) -> list[tuple[str, RepoSpec | None]]:
    """(folder, spec) for each configured repo this run covers; the whole repo when none is set."""
    specs = ctx.selected_repos()
    if not specs:
        return [("", None)]
    return [(folder_of(spec.path), spec) for spec in specs]


def publish_paths(ctx: CheckContext) -> list[str]:
    """At publish time: exactly the files the publish uploads, as the plan layer lists them
    (`CheckContext.target_paths`); or the files named on the command line."""
    return ctx.target_paths()


# --- the check --------------------------------------------------------------------------------


def run(ctx: CheckContext) -> list[Finding]:
    if ctx.source == "worktree":
        # At publish time outside git the Hub decides what goes to LFS (size, binary content, the
        # folder's .gitattributes): only the rules about the files themselves apply.
        findings = check_rules(ctx) if ctx.in_git else []
        return findings + check_worktree_files(ctx)
    if not ctx.in_git:
        return [
            Finding(
                CHECK_ID,
                "",
                None,
                "not inside a git work tree: LFS rules and staged files cannot be checked",
                "create the repo and set up LFS: git init && git lfs install --local && hf-publish init",
            )
        ]
    # One index listing and one attribute query serve both halves (a hook pays ~2 ms a git call),
    # and the query is asked first, for every path it may be needed for, so that git answers it
    # while the index is listed.
    asked = _git.check_attr_later(ctx.root, _attribute_paths_up_front(ctx), cached=True)
    partial = None if ctx.files is None else ctx.named_index
    entries, not_staged = staged_entries(ctx, index=ctx.index if partial is None else partial)
    also = [e.path for e in entries] + not_staged
    findings, attributes = _check_rules(ctx, also=also, asked=asked, partial=partial)
    return findings + check_staged_files(ctx, entries, not_staged, attributes)


def _attribute_paths_up_front(ctx: CheckContext) -> list[str]:
    """The paths `_check_rules` asks about, known before the index is read: the sample path of
    every pattern that may be required in each repo folder, and the files named."""
    folders = sorted({f for f, _ in repo_folders(ctx)})
    patterns = dict.fromkeys([*ctx.policy.lfs.required_patterns, *PRESENCE_PATTERNS])
    samples = [f"{folder}/{sample_path(p)}" if folder else sample_path(p) for folder in folders for p in patterns]
    return list(dict.fromkeys([*samples, *(ctx.files or ())]))


def check_staged_files(
    ctx: CheckContext,
    entries: Sequence[_git.IndexEntry],
    not_staged: Sequence[str],
    attributes: dict[str, dict[str, str]],
) -> list[Finding]:
    """The staged files (`entries`) and the named files not in the index (`not_staged`), with their
    attributes as the index's .gitattributes give them."""
    policy = ctx.policy.lfs
    in_lfs = {path: _git.is_lfs_tracked(attrs) for path, attrs in attributes.items()}
    sizes = ctx.blobs.sizes(e.oid for e in entries)
    wanted = [e.oid for e in entries if e.oid in sizes and needs_head(sizes[e.oid], in_lfs.get(e.path, False), policy)]
    heads = ctx.blobs.prefixes(wanted, limit=HOOK_READ_LIMIT)
    findings = []
    for entry in entries:
        if entry.oid not in sizes:
            continue
        finding = judge_staged_file(
            entry.path, sizes[entry.oid], heads.get(entry.oid), in_lfs.get(entry.path, False), policy
        )
        if finding:
            findings.append(finding)
    # Files named on the command line but not staged (e.g. `hf-publish check lfs big.dat` before
    # `git add`): judged from the working tree; an LFS path will be cleaned into a pointer by `git add`.
    for path in not_staged:
        if in_lfs.get(path, False):
            continue
        read = read_worktree_head(ctx.root, path, HOOK_READ_LIMIT)
        if read is not None:
            finding = judge_staged_file(path, read[0], read[1], False, policy)
            if finding:
                findings.append(finding)
    return findings


def check_worktree_files(ctx: CheckContext) -> list[Finding]:
    """At publish time, over exactly what the publish uploads: names the Hub refuses, and LFS
    files whose working-tree bytes are still a pointer. Outside git, any file that is a pointer."""
    paths = publish_paths(ctx)
    findings = [finding for path in paths if (finding := judge_path_name(path)) is not None]
    attributes = _git.check_attr(ctx.root, paths, ("filter",)) if ctx.in_git else {}
    for path in paths:
        if ctx.in_git and not _git.is_lfs_tracked(attributes.get(path, {})):
            continue
        read = read_worktree_head(ctx.root, path, _git.MAX_POINTER_SIZE + 1)
        if read is not None and read[0] <= _git.MAX_POINTER_SIZE:
            finding = judge_worktree_file(path, read[1])
            if finding:
                findings.append(finding)
    return findings


def judge_path_name(path: str) -> Finding | None:
    """A file name the Hub refuses is a finding before any upload (not a failed commit)."""
    from hf_publish.paths import hub_path_problem

    problem = hub_path_problem(path)
    if problem is None:
        return None
    return Finding(
        CHECK_ID,
        path,
        None,
        problem.message,
        "rename the file, or add it to the repo's `ignore` in the policy",
        severity=problem.severity,
    )


class _AttrFile(Record, frozen=False):
    path: str  # relative to the root
    text: str | None  # None: the file does not exist (in the index, or the working tree)


def _attribute_files(
    ctx: CheckContext, folders: Sequence[str], *, from_index: bool, index: Sequence[_git.IndexEntry] | None = None
) -> list[_AttrFile]:
    """The root .gitattributes, those of the repo folders, and any .gitattributes being checked."""
    paths = [GITATTRIBUTES] + [f"{f}/{GITATTRIBUTES}" for f in folders if f]
    if ctx.files is not None:
        paths += [p for p in ctx.files if p.rpartition("/")[2] == GITATTRIBUTES]
    paths = list(dict.fromkeys(paths))
    if not from_index:
        return [_AttrFile(p, _read_text(ctx.root / p)) for p in paths]
    wanted = set(paths)
    entries = {e.path: e for e in (ctx.index if index is None else index) if e.path in wanted}
    blobs = ctx.blobs.prefixes([e.oid for e in entries.values()], limit=1 << 20)
    return [
        _AttrFile(
            p, blobs[entries[p].oid].decode("utf-8", "replace") if p in entries and entries[p].oid in blobs else None
        )
        for p in paths
    ]


def _read_text(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(1 << 20).decode("utf-8", "replace")
    except OSError:
        return None


def check_rules(ctx: CheckContext) -> list[Finding]:
    """Coverage of the required patterns, and incomplete `filter=lfs` lines; `--fix` repairs both."""
    return _check_rules(ctx)[0]


def _check_rules(
    ctx: CheckContext,
    also: Sequence[str] = (),
    asked: Callable[[], dict[str, dict[str, str]]] | None = None,
    partial: Sequence[_git.IndexEntry] | None = None,
) -> tuple[list[Finding], dict[str, dict[str, str]]]:
    """`check_rules`, and the LFS attributes of the paths it looked at and of `also`; `asked`
    collects an attribute query started earlier (`_attribute_paths_up_front`). `partial`: the
    index entries `ctx.named_index` listed (files named), in place of the whole index where they
    suffice: all but a required pattern whose sample path is not covered, whose files are each
    looked at."""
    from_index = ctx.source != "worktree"
    folders = sorted({f for f, _ in repo_folders(ctx)})
    present = present_files(ctx, folders, from_index=from_index, index=partial)
    required = required_in_folders(ctx.policy.lfs.required_patterns, folders, present)
    samples: dict[str, tuple[str, str]] = {}  # sample path -> (required pattern, rule to add)
    sample_folder: dict[str, str] = {}
    for folder, pattern in required:
        sample = sample_path(pattern)
        key = f"{folder}/{sample}" if folder else sample
        samples.setdefault(key, (pattern, rule_pattern(pattern, folder)))
        sample_folder.setdefault(key, folder)
    files = _attribute_files(ctx, folders, from_index=from_index, index=partial)
    incomplete = [
        (f.path, line, missing)
        for f in files
        if f.text
        for line, missing in incomplete_rules(parse_gitattributes(f.text))
    ]
    attributes = asked() if asked is not None else {}
    rest = [p for p in dict.fromkeys([*samples, *also]) if p not in attributes]
    if rest:
        attributes.update(_git.check_attr(ctx.root, rest, cached=from_index))
    # A pattern whose sample path is not covered may still be covered file by file: only then are
    # the folder's files it names listed and asked about (a loop over every tracked file each).
    if partial is not None and not all(covered(attributes.get(s)) for s in samples):
        present = present_files(ctx, folders, from_index=from_index)  # every file, not only those named
    members: dict[str, list[str]] = {
        s: matching_files(samples[s][0], sample_folder[s], present) for s in samples if not covered(attributes.get(s))
    }
    named = sorted({m for names in members.values() for m in names} - set(attributes))
    if named:
        attributes.update(_git.check_attr(ctx.root, named, cached=from_index))
    uncovered = {
        s: rule
        for s, rule in samples.items()
        if s in members and not (members[s] and all(covered(attributes.get(m)) for m in members[s]))
    }

    refused: list[Finding] = []
    done: list[Finding] = []
    if ctx.fix:
        fixed, refused = _fix(ctx, files, incomplete, uncovered)
        if fixed:  # the rule makes the CLI exit 1, like pre-commit's fixers: review and stage
            done = [
                Finding(
                    CHECK_ID,
                    GITATTRIBUTES,
                    None,
                    f"fixed: {fixed}",
                    "review the change, then: git add .gitattributes",
                    severity="notice",
                    rule=FIXED_RULE,
                )
            ]
        if fixed and not refused:
            return done, attributes

    findings = (
        done
        + refused
        + [
            Finding(
                CHECK_ID,
                path,
                line.line,
                f"incomplete LFS rule for `{line.pattern}`: it has filter=lfs but not {' '.join(missing)}",
                f"make the line `{quote_pattern(line.pattern)} {RULE_ATTRIBUTES}` (or run: hf-publish check lfs --fix)",
            )
            for path, line, missing in incomplete
        ]
    )
    explained = {line.pattern for _, line, _ in incomplete}
    missing_rules: list[str] = []
    for sample, (pattern, rule) in uncovered.items():
        state = attributes.get(sample, {})
        if state.get("filter") == "lfs":
            if pattern in explained or rule in explained:
                continue
            seen = ", ".join(f"{k}={state.get(k, 'unspecified')}" for k in COMPLETE)
            findings.append(
                Finding(
                    CHECK_ID,
                    GITATTRIBUTES,
                    None,
                    f"`{rule}` is stored with LFS but not by a complete rule (git check-attr {sample}: {seen})",
                    f"add the line `{quote_pattern(rule)} {RULE_ATTRIBUTES}` (or run: hf-publish check lfs --fix)",
                )
            )
        elif rule not in missing_rules:
            missing_rules.append(rule)
    if missing_rules:
        because = {
            rule: members[s][0]
            for s, (pattern, rule) in uncovered.items()
            if pattern not in ctx.policy.lfs.required_patterns and members[s]
        }
        findings.append(_missing_finding(ctx, files[0], missing_rules, uncovered, from_index, because))
    return findings, attributes


def _missing_finding(
    ctx: CheckContext,
    root_file: _AttrFile,
    rules: list[str],
    uncovered: dict[str, tuple[str, str]],
    from_index: bool,
    because: dict[str, str] | None = None,
) -> Finding:
    because = because or {}
    shown = ", ".join(f"`{r}`" + (f" ({because[r]} is one)" if r in because else "") for r in rules[:8])
    if len(rules) > 8:
        shown += f" and {len(rules) - 8} more (lfs.required_patterns)"
    where = ".gitattributes" + (" (as staged)" if from_index else "")
    if root_file.text is None:
        message = f"{where} does not exist: no LFS rule for the {len(rules)} required pattern(s) {shown}"
    else:
        message = f"{where} has no LFS rule for {len(rules)} required pattern(s): {shown}"
    if from_index:
        worktree = _git.check_attr(ctx.root, [s for s, (_, r) in uncovered.items() if r in rules])
        if worktree and all(covered(a) for a in worktree.values()):
            message += "; your working-tree .gitattributes has them but is not staged"
            return Finding(CHECK_ID, GITATTRIBUTES, None, message, "stage it: git add .gitattributes")
    track = " ".join(shell_quote(r) for r in rules)
    return Finding(
        CHECK_ID,
        GITATTRIBUTES,
        None,
        message,
        f"run `hf-publish check lfs --fix` (or: git lfs track {track}), then: git add .gitattributes",
    )


def _fix(
    ctx: CheckContext,
    files: list[_AttrFile],
    incomplete: Sequence[tuple[str, AttrLine, list[str]]],
    uncovered: dict[str, tuple[str, str]],
) -> tuple[str, list[Finding]]:
    """Repair the working-tree files; return what was done ('' when nothing changed) and a finding
    for each file it refused to write (a symlink, or a path through one: never written through)."""
    from hf_publish.safewrite import write_problem

    done: list[str] = []
    refused: list[Finding] = []

    def writable(path: str) -> bool:
        problem = write_problem(ctx.root / path, ctx.root)
        if problem:
            refused.append(
                Finding(
                    CHECK_ID,
                    path,
                    None,
                    f"--fix refused to write {path}: {problem} (hf-publish never "
                    "writes through a symlink or outside the work tree)",
                    f"replace the link with a regular file: git rm --cached {shell_quote(path)}, "
                    "then create it and run --fix again",
                )
            )
        return problem is None

    by_file: dict[str, list[AttrLine]] = {}
    for path, line, _ in incomplete:
        by_file.setdefault(path, []).append(line)
    for path, lines in by_file.items():
        target = ctx.root / path
        if not writable(path):
            continue
        text = _read_whole(target)
        if text is None:
            continue
        rows = text.splitlines(keepends=True)
        changed = 0
        for line in lines:
            # Rewrite only if the working-tree line is still the one found (the index may differ).
            if line.line <= len(rows):
                row = rows[line.line - 1]
                body = row.rstrip("\r\n")
                parsed = parse_gitattributes(body)
                if parsed and parsed[0].pattern == line.pattern and incomplete_rules(parsed):
                    rows[line.line - 1] = complete_line(body, line.pattern) + row[len(body) :]
                    changed += 1
        if changed:
            _write(ctx.root, target, "".join(rows))
            done.append(f"completed {changed} LFS rule(s) in {path}")
    if uncovered and writable(GITATTRIBUTES):
        # Ask the working tree (after the rewrite above), so a rule already added is not added twice.
        now = _git.check_attr(ctx.root, uncovered)
        rules = list(dict.fromkeys(rule for s, (_, rule) in uncovered.items() if not covered(now.get(s))))
        if rules:
            target = ctx.root / GITATTRIBUTES
            _write(ctx.root, target, append_rules(_read_whole(target) or "", rules))
            done.append(f"appended {len(rules)} LFS rule(s) to .gitattributes: " + " ".join(rules))
    return "; ".join(done), refused


def _read_whole(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return None


def _write(root: Path, path: Path, text: str) -> None:
    from hf_publish.safewrite import write_file

    write_file(path, text.encode("utf-8", "surrogateescape"), root=root)


# --- history (`hf-publish check lfs --history [REV-RANGE]`) -----------------------------------
# Before a git history goes to a Hub remote (`git push`), every blob in it must pass the Hub's
# pre-receive rules, not just what is staged now: a 2 GB checkpoint committed and deleted a year
# ago makes the push fail at its end. Sizes come from object headers; only blobs between the two
# limits are read, and only their first 8000 bytes.

MIGRATE_WARNING = (
    "this rewrites history: every commit from the first one holding such a file gets a new id, "
    "on every branch and tag (--everything). Back up first (git clone --mirror), then push with "
    "`git push --force --all && git push --force --tags`; everyone else re-clones"
)


class HistoryBlob(Record):
    """A blob of the history as `git rev-list --objects` names it: its oid, one path it had, its size."""

    oid: str
    path: str
    size: int
    head: bytes | None = None  # the first bytes, for blobs whose binary-ness decides
    commit: str | None = None  # the oldest commit of the range that holds it


def history_refusal(blob: HistoryBlob, policy: LfsPolicy) -> str | None:
    """Why the Hub would refuse this blob in a push, or None (LFS pointers and small files pass)."""
    if blob.size > policy.max_text_size:
        limit = policy.max_text_size
        return f"{format_size(blob.size, limit)}, over lfs.max_text_size ({format_size(limit, limit)})"
    if blob.size > policy.max_binary_size and blob.head is not None and is_binary(blob.head):
        limit = policy.max_binary_size
        return f"a {format_size(blob.size, limit)} binary file, over lfs.max_binary_size ({format_size(limit, limit)})"
    return None


def migrate_command(paths: Sequence[str]) -> str:
    """The `git lfs migrate import` that moves every such file of the whole history into LFS."""
    patterns = ",".join(sorted({track_pattern(p) for p in paths}))
    return f"git lfs migrate import --include={shell_quote(patterns)} --everything"


def history_findings(blobs: Sequence[HistoryBlob], policy: LfsPolicy, rev_range: str) -> list[Finding]:
    """One finding a refused blob, each naming the one migrate command that fixes them all."""
    refused = [(blob, why) for blob in blobs if (why := history_refusal(blob, policy)) is not None]
    if not refused:
        return []
    fix = f"{migrate_command([b.path for b, _ in refused])}  (warning: {MIGRATE_WARNING})"
    where = "the whole history" if rev_range == "--all" else rev_range
    findings = []
    for blob, why in sorted(refused, key=lambda item: (item[0].path, item[0].oid)):
        since = f" since commit {blob.commit[:12]}" if blob.commit else ""
        findings.append(
            Finding(
                CHECK_ID,
                blob.path,
                None,
                f"in {where}{since}: blob {blob.oid[:12]} is {why} and not in LFS: a push to the Hub is refused "
                "(the Hub's pre-receive rules)",
                fix,
            )
        )
    return findings


def history_blobs(root: Path, rev_range: str, policy: LfsPolicy) -> list[HistoryBlob]:
    """Every blob reachable in `rev_range` (`--all`: every ref) that could be refused, with its size."""
    paths = _git.history_objects(root, rev_range)
    sizes = _git.blob_sizes(root, paths)  # trees and commits are left out: blobs only
    big = {oid: size for oid, size in sizes.items() if size > min(policy.max_binary_size, policy.max_text_size)}
    wanted = [oid for oid, size in big.items() if size <= policy.max_text_size]
    heads = _git.read_blob_prefixes(root, wanted, limit=BINARY_SNIFF_BYTES, sizes=big)
    blobs = []
    for oid, size in big.items():
        blob = HistoryBlob(oid, paths[oid], size, heads.get(oid))
        if history_refusal(blob, policy):
            commits = _git.commits_adding(root, oid, rev_range)
            blobs.append(HistoryBlob(oid, paths[oid], size, blob.head, commits[-1] if commits else None))
    return blobs


def check_history(root: Path, policy: LfsPolicy, rev_range: str | None) -> list[Finding]:
    """The findings of `check lfs --history [REV-RANGE]` (no range: every branch and tag)."""
    rev_range = rev_range or "--all"
    if rev_range.startswith("-") and rev_range != "--all":
        from hf_publish.errors import UsageError

        raise UsageError(
            f"--history {rev_range!r}: not a revision range. Next: pass e.g. origin/main..HEAD, "
            "or nothing for the whole history"
        )
    try:
        return history_findings(history_blobs(root, rev_range, policy), policy, rev_range)
    except GitError as exc:
        from hf_publish.errors import UsageError

        raise UsageError(
            f"--history {rev_range}: {exc}. Next: name revisions that exist (git log --oneline {rev_range} must work)"
        ) from None
