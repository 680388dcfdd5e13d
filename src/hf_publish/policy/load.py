"""Load `.hf-publish.yaml` into typed, validated policy objects.

Every problem in the file is reported at once, each with its line: the YAML is composed into a
node tree (`yaml.compose`) so that a JSON Schema error path can be mapped back to a line, which
plain `yaml.safe_load` output cannot do.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath

from hf_publish._record import Record
from hf_publish.errors import PolicyError, UsageError
from hf_publish.findings import Finding
from hf_publish.paths import cache_home, content_key
from hf_publish.policy.model import (
    CHECK_ID,
    CONTROL_FREE_PATTERN,
    DEFAULT_BRANCHES_ALLOWED,
    DEFAULT_BRANCHES_PROTECTED,
    DEFAULT_FORBIDDEN,
    DEFAULT_LFS_PATTERNS,
    DEFAULT_MAX_BINARY_SIZE,
    DEFAULT_MAX_TEXT_SIZE,
    DEFAULT_MEMBERS_FILE,
    DEFAULT_REPO_PATTERN,
    DEFAULT_REQUIRED_METADATA,
    DEFAULT_REQUIRED_SECTIONS,
    DEFAULT_SECTION_HEADINGS,
    DEFAULT_STALE_AFTER_DAYS,
    DEFAULT_TAG_PATTERN,
    MAX_POLICY_BYTES,
    MAX_POLICY_NODES,
    POLICY_FILENAME,
    AccessPolicy,
    AuthPolicy,
    BranchNaming,
    CardPolicy,
    LfsPolicy,
    MembersPolicy,
    OrgException,
    OrgPolicy,
    Policy,
    ReleasePolicy,
    RepoNaming,
    RepoSpec,
    SecretsPolicy,
    parse_size,
    policy_regex_problem,
)

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from typing import Any

    import yaml

# PyYAML (~15 ms to import) is imported only where a policy is parsed: a policy seen before comes
# from the cache of parsed policies (see load_policy), which a hook run can read without it.


# The package's data files sit beside its modules (a wheel installs them so); read by path, not
# through importlib.resources, which costs a hook ~10 ms to import.
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "policy.schema.json")


def load_schema() -> dict[str, Any]:
    import json

    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
        return schema


def load_policy(path: Path | None, *, display_path: str | None = None, root: Path | None = None) -> Policy:
    """Load and validate a policy file; `None` gives the default policy.

    With `root` (the git root), each repo's `path` is also checked on disk: one that is, or passes
    through, a symlink is refused (the checks would scan one tree and publish another).
    Raises PolicyError carrying one Finding per problem, each with its line.
    """
    if path is None:
        return Policy()
    shown = display_path or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(f"{shown}: policy file not found") from None
    except OSError as exc:
        raise PolicyError(f"{shown}: cannot read policy file: {exc.strerror}") from None
    cached = _parsed_cache_get(raw)
    if cached is not None:
        data, lines = cached
        policy = policy_from_data(data, shown, line_of=lambda path: lines.get(_line_key(path)))
    else:
        findings, data = parse_policy_text(raw, shown)
        if findings:
            raise PolicyError(f"{shown}: invalid policy ({len(findings)} problem(s))", findings)
        index = _LineIndex(raw)
        asked: dict[str, int | None] = {}

        def line_of(path: list[Any]) -> int | None:
            asked[_line_key(path)] = line = index(path)
            return line

        policy = policy_from_data(data, shown, line_of=line_of)
        _parsed_cache_store(raw, data, asked)
    if root is not None:
        findings = repo_path_problems(policy, root)
        if findings:
            raise PolicyError(f"{shown}: invalid policy ({len(findings)} problem(s))", findings)
    return policy


class Located(Record):
    """Where a command runs: the git root (the folder itself outside git), the policy file and the
    policy. `shown` is the policy file as messages name it (relative to the root when inside it)."""

    root: Path
    in_git: bool
    policy: Policy
    policy_path: Path | None
    shown: str | None


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when it is inside, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def locate(start: Path, config: str | os.PathLike[str] | None = None, *, outside_git: str | None = None) -> Located:
    """THE sequence every command starts with: find the git root from `start`, the policy file
    (`config`, else `.hf-publish.yaml` at the root) and load it. Outside a git work tree `start`
    is the root, unless `outside_git` is given: then that message is raised as a UsageError."""
    from hf_publish import _git

    found = _git.find_root(start)
    if found is None and outside_git is not None:
        raise UsageError(outside_git)
    return load_at(Path(found or start), found is not None, config)


def load_at(root: Path, in_git: bool, config: str | os.PathLike[str] | None = None) -> Located:
    """`locate` for a root already found: the policy file (`config`, else the root's) and the policy."""
    root = root.resolve()
    policy_path = find_policy_file(root, config)
    shown = shown_path(policy_path, root) if policy_path is not None else None
    policy = load_policy(policy_path, display_path=shown, root=root)
    return Located(root, in_git, policy, policy_path, shown)


def repo_path_problem(root: Path, path: str) -> str | None:
    """Why a repo `path` cannot be used in this checkout, or None: it must stay inside the work
    tree and no part of it may be a symlink (`pub -> real`, `pub -> .`, `a/b` with `a` a link)."""
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        return f"{path!r} points outside the git repo"
    current = root
    for part in pure.parts:
        current = current / part
        if current.is_symlink():
            try:
                target = os.readlink(current)
            except OSError:
                target = "?"
            shown = current.relative_to(root).as_posix()
            via = "is" if shown == pure.as_posix() else f"passes through {shown!r}, which is"
            return f"{path!r} {via} a symlink (to {target!r}): the checks would scan one folder and publish another"
    try:
        (root / pure).resolve().relative_to(root.resolve())
    except ValueError:
        return f"{path!r} resolves outside the git repo"
    return None


def repo_path_problems(policy: Policy, root: Path) -> list[Finding]:
    """`repo_path_problem` for every configured repo, at the line of its entry."""
    findings = []
    for index, spec in enumerate(policy.repos):
        problem = repo_path_problem(root, spec.path)
        if problem:
            findings.append(
                Finding(
                    CHECK_ID,
                    policy.source or POLICY_FILENAME,
                    spec.path_line or spec.line,
                    f"repos[{index}].path: {problem}",
                    "point `path:` at the real folder inside the repo (no symlinks)",
                )
            )
    return findings


def find_policy_file(root: Path, explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The policy file to use: `--config`, else `.hf-publish.yaml` at the git root, else None."""
    if explicit is not None:
        return Path(explicit)
    candidate = root / POLICY_FILENAME
    return candidate if candidate.is_file() else None


def parse_policy_text(raw: bytes, shown: str) -> tuple[list[Finding], Any]:
    """Parse and validate policy bytes. Returns (findings, data); data is usable only if no findings.

    Bytes that validated before (the cache of valid policies, same version and schema) give their
    data without a YAML parse: the `config` hook on an unchanged policy reads one cache file."""
    cached = _parsed_cache_get(raw) if len(raw) <= MAX_POLICY_BYTES else None
    if cached is not None:
        return [], cached[0]

    import yaml

    from hf_publish.yamltree import TooManyNodes

    def problem(line: int | None, message: str, fix: str = "") -> Finding:
        return Finding(CHECK_ID, shown, line, message, fix)

    if len(raw) > MAX_POLICY_BYTES:
        return [
            problem(
                None,
                f"policy file is {len(raw)} bytes; the limit is {MAX_POLICY_BYTES}",
                "a policy is a few dozen lines: check you pointed --config at the right file",
            )
        ], None
    try:
        text = _text(raw)
    except UnicodeDecodeError as exc:  # exc.start counts from after a BOM, which holds no newline
        line = raw.removeprefix(_BOM)[: exc.start].count(b"\n") + 1
        return [problem(line, "policy file is not valid UTF-8", "save it as UTF-8")], None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # hundreds of nested [ or {: PyYAML composes recursively
        return [
            problem(
                None,
                "policy YAML is nested too deep to parse",
                "a policy is a few dozen lines of plain mappings and lists: rewrite it without deep nesting",
            )
        ], None
    except yaml.YAMLError as exc:
        return [_syntax_problem(exc, shown)], None
    if node is None:
        return [], {}
    try:
        structural = list(_structural_problems(node, shown))
    except TooManyNodes:
        return [
            problem(
                None,
                f"policy expands to more than {MAX_POLICY_NODES} YAML nodes "
                "(aliases nested too deep: a 'billion laughs' document?)",
                "write the policy out without nested anchors and aliases",
            )
        ], None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # e.g. an unknown tag (!python/object): compose accepts it
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [
            problem(
                mark.line + 1 if mark else None,
                f"YAML error: {reason}",
                "use plain YAML: strings, numbers, booleans, lists and mappings",
            )
        ], None
    if structural:  # reported with the schema's and the semantic problems, all at once
        found = structural + _schema_problems(data, node, text, shown, cache=False)
        return sorted(set(found), key=lambda f: (f.line or 0, f.message)), None
    return _schema_problems(data, node, text, shown), data


# Constructs whose end PyYAML finds only lines later: report where they were opened.
_OPENED = {
    "while parsing a flow sequence": "'[' opened here is never closed with ']'",
    "while parsing a flow mapping": "'{' opened here is never closed with '}'",
    "while scanning a quoted scalar": "the quote opened here is never closed",
}


def _syntax_problem(exc: yaml.YAMLError, shown: str) -> Finding:
    """A YAML syntax error at its line; for an unclosed `[`, `{` or quote, the line that opened it."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, opened = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context in _OPENED and opened is not None and line is not None and opened.line + 1 != line:
        return Finding(
            CHECK_ID,
            shown,
            opened.line + 1,
            f"YAML syntax error: {_OPENED[context]} (noticed at line {line}: {reason})",
            "close it on this line, or quote the value if the bracket is part of it",
        )
    return Finding(CHECK_ID, shown, line, f"YAML syntax error: {reason}", "fix the YAML syntax at this line")


def _structural_problems(root: yaml.Node, shown: str) -> Iterator[Finding]:
    from hf_publish.yamltree import key_problems

    """Duplicate, merge and non-string keys, which the JSON Schema cannot see; also bounds the size."""
    for problem in key_problems(root, MAX_POLICY_NODES):
        line = problem.key.start_mark.line + 1
        if problem.kind == "merge":
            yield Finding(CHECK_ID, shown, line, "YAML merge keys (<<) are not supported", "write the keys out")
        elif problem.kind == "non-scalar":
            yield Finding(CHECK_ID, shown, line, "mapping keys must be plain strings", "use a plain key")
        else:
            assert problem.first_line is not None  # key_problems sets it for every duplicate
            yield Finding(
                CHECK_ID,
                shown,
                line,
                f"duplicate key {problem.key.value!r} (first at line {problem.first_line + 1})",
                "keep one of the two",
            )


def _schema_problems(data: Any, root: yaml.Node, text: str, shown: str, *, cache: bool = True) -> list[Finding]:
    """Schema errors and the semantic ones (duplicate repos, paths outside the repo...), together."""
    if cache and _schema_cache_hit(text):
        return []
    import jsonschema  # imported here: it is the slowest import of a hook run

    schema = load_schema()
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    findings: list[Finding] = []
    for error in validator.iter_errors(data):
        findings.extend(_describe_schema_error(error, root, shown))
    findings.extend(_semantic_problems(data, root, shown))
    if cache and not findings:
        _schema_cache_store(text)
    return sorted(set(findings), key=lambda f: (f.line or 0, f.message))


def _describe_schema_error(error: Any, root: yaml.Node, shown: str) -> Iterator[Finding]:
    import yaml

    from hf_publish.yamltree import node_at

    path = list(error.absolute_path)
    node = node_at(root, path)
    where = _dotted(path)
    if error.validator == "additionalProperties" and isinstance(node, yaml.MappingNode):
        allowed = sorted(error.schema.get("properties", {}))
        for key, _ in node.value:
            if key.value in allowed:
                continue
            import difflib

            close = difflib.get_close_matches(key.value, allowed, n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"allowed keys here: {', '.join(allowed)}"
            yield Finding(CHECK_ID, shown, key.start_mark.line + 1, f"unknown key {_dotted(path + [key.value])!r}", fix)
        return
    if error.validator == "enum":
        choices = ", ".join(map(str, error.validator_value))
        message, fix = f"{where}: {error.instance!r} is not one of: {choices}", f"use one of: {choices}"
    elif error.validator == "oneOf" and path and path[-1] in ("max_text_size", "max_binary_size"):
        message, fix = (
            f"{where}: {error.instance!r} is not a size",
            "use bytes (1000000) or a size such as 10MiB or 1MB",
        )
    elif error.validator == "format" and error.validator_value == "regex":
        message, fix = f"{where}: {error.instance!r} is not a valid regular expression", "fix the pattern"
    elif error.validator == "maxLength" and isinstance(error.instance, str):
        message = (
            f"{where}: {error.instance[:40]!r}... is {len(error.instance)} characters long; at most "
            f"{error.validator_value} are allowed"
        )
        fix = "shorten it"
    elif error.validator == "pattern" and error.validator_value == CONTROL_FREE_PATTERN:
        message = f"{where}: {error.instance!r} contains a control character (a line break, a tab...)"
        fix = "write the pattern on one line, without control characters"
    elif error.validator == "required":
        message, fix = f"{where or 'policy'}: {error.message}", "add the missing key"
    else:
        message, fix = f"{where or 'policy'}: {error.message}", _fix_for(error)
    line = node.start_mark.line + 1 if node is not None else None
    yield Finding(CHECK_ID, shown, line, message, fix)


def _fix_for(error: Any) -> str:
    if error.validator == "type":
        return f"make it {'an' if str(error.validator_value)[0] in 'aeiou' else 'a'} {error.validator_value}"
    if error.validator == "pattern":
        return f"it must match {error.validator_value}"
    return "see `hf-publish schema` for what this key accepts"


def _semantic_problems(data: Any, root: yaml.Node, shown: str) -> Iterator[Finding]:
    """Rules a JSON Schema cannot express: unique repo names, paths inside the repo, usable regexes.

    Run on data the schema may have refused too (every problem is reported at once), so each
    value is taken only where it has the shape the rule needs."""
    if not isinstance(data, dict):
        return
    for key_path in (["naming", "repo", "pattern"], ["release", "tag_pattern"]):
        value: Any = data
        for part in key_path:
            value = value.get(part) if isinstance(value, dict) else None
        problem = policy_regex_problem(value) if isinstance(value, str) else None
        if problem:
            yield Finding(
                CHECK_ID,
                shown,
                _line(root, key_path),
                f"{'.'.join(key_path)} {problem}",
                "fix the pattern (Python `re` syntax)",
            )
    members_file = _mapping(data.get("members")).get("file")
    if isinstance(members_file, str):
        pure = PurePosixPath(members_file.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts:
            yield Finding(
                CHECK_ID,
                shown,
                _line(root, ["members", "file"]),
                f"members.file: {members_file!r} points outside the git repo",
                "use a path inside the repo, relative to its root (e.g. members.csv)",
            )
    access = _mapping(data.get("access"))
    accepted = {
        d.lower() for d in _items(_mapping(access.get("auto_accept")).get("email_domains")) if isinstance(d, str)
    }
    for index, domain in enumerate(_items(_mapping(access.get("reject")).get("email_domains"))):
        if isinstance(domain, str) and domain.lower() in accepted:
            yield Finding(
                CHECK_ID,
                shown,
                _line(root, ["access", "reject", "email_domains", index]),
                f"access.reject.email_domains: {domain!r} is also in access.auto_accept.email_domains",
                "keep the domain in one of the two lists (reject wins while it is in both)",
            )
    seen: dict[tuple[str, str], int] = {}
    for index, repo in enumerate(_items(data.get("repos"))):
        if not isinstance(repo, dict):
            continue
        line = _line(root, ["repos", index])
        name = repo.get("name")
        key = (str(repo.get("type", "model")), name.lower() if isinstance(name, str) else "")
        if isinstance(name, str) and key in seen:
            yield Finding(
                CHECK_ID,
                shown,
                line,
                f"repos[{index}]: {name!r} is listed twice (first at repos[{seen[key]}])",
                "keep one entry per Hub repo",
            )
        seen.setdefault(key, index)
        path = repo.get("path", ".")
        repo_path = PurePosixPath(path.replace("\\", "/")) if isinstance(path, str) else None
        if repo_path is not None and (repo_path.is_absolute() or ".." in repo_path.parts):
            yield Finding(
                CHECK_ID,
                shown,
                _line(root, ["repos", index, "path"]),
                f"repos[{index}].path: {path!r} points outside the git repo",
                "use a folder inside the repo, relative to its root",
            )
        if repo.get("sdk") and repo.get("type", "model") != "space":
            yield Finding(
                CHECK_ID,
                shown,
                _line(root, ["repos", index, "sdk"]),
                f"repos[{index}].sdk: only a space has an sdk",
                "remove sdk or set type: space",
            )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _line(root: yaml.Node, path: Sequence[str | int]) -> int | None:
    from hf_publish.yamltree import node_at

    node = node_at(root, path)
    return node.start_mark.line + 1 if node is not None else None


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_BOM = b"\xef\xbb\xbf"


def _text(raw: bytes) -> str:
    """The policy's text: UTF-8 after an optional byte-order mark, as the "utf-8-sig" codec reads
    it (without importing that codec's module, which a hook would pay for)."""
    return raw.removeprefix(_BOM).decode("utf-8")


class _LineIndex:
    """Line lookups for a valid policy, composed lazily (only repos carry lines)."""

    def __init__(self, raw: bytes) -> None:
        import yaml

        self._root = yaml.compose(_text(raw), Loader=yaml.SafeLoader)

    def __call__(self, path: Sequence[str | int]) -> int | None:
        return _line(self._root, path) if self._root is not None else None


def policy_from_data(
    data: dict[str, Any],
    source: str | None = None,
    line_of: Callable[[list[str | int]], int | None] = lambda path: None,
) -> Policy:
    """Typed policy from already-validated data; absent keys take the defaults."""
    naming = data.get("naming") or {}
    repo_naming = naming.get("repo") or {}
    branch_naming = naming.get("branch") or {}
    card = data.get("card") or {}
    lfs = data.get("lfs") or {}
    release = data.get("release") or {}
    access = data.get("access") or {}
    members = data.get("members") or {}
    headings = dict(DEFAULT_SECTION_HEADINGS)
    for section, extra in (card.get("section_headings") or {}).items():
        headings[section] = tuple(dict.fromkeys(headings.get(section, (section,)) + tuple(extra)))
    repos = tuple(
        RepoSpec(
            name=entry["name"],
            type=entry.get("type", "model"),
            path=PurePosixPath(entry.get("path", ".")).as_posix(),
            private=entry.get("private", True),
            ignore=tuple(entry.get("ignore", ())),
            sdk=entry.get("sdk"),
            gated=entry.get("gated"),
            line=line_of(["repos", index]),
            path_line=line_of(["repos", index, "path"]) if "path" in entry else None,
        )
        for index, entry in enumerate(data.get("repos") or [])
    )
    return Policy(
        organization=data.get("organization"),
        repos=repos,
        repo_naming=RepoNaming(
            pattern=repo_naming.get("pattern", DEFAULT_REPO_PATTERN),
            forbidden=tuple(repo_naming.get("forbidden", DEFAULT_FORBIDDEN)),
            pattern_line=line_of(["naming", "repo", "pattern"]) if "pattern" in repo_naming else None,
            source=source,
        ),
        branch_naming=BranchNaming(
            allowed=tuple(branch_naming.get("allowed", DEFAULT_BRANCHES_ALLOWED)),
            protected=tuple(branch_naming.get("protected", DEFAULT_BRANCHES_PROTECTED)),
        ),
        card=CardPolicy(
            required_metadata=tuple(card.get("required_metadata", DEFAULT_REQUIRED_METADATA)),
            required_sections=tuple(card.get("required_sections", DEFAULT_REQUIRED_SECTIONS)),
            section_headings=headings,
            allow_placeholders=card.get("allow_placeholders", False),
            strict=card.get("strict", False),
            severity=dict(card.get("severity") or {}),
            paths=tuple(card.get("paths", ())),
            exclude=tuple(card.get("exclude", ())),
        ),
        lfs=LfsPolicy(
            required_patterns=tuple(lfs.get("required_patterns", DEFAULT_LFS_PATTERNS)),
            max_text_size=parse_size(lfs.get("max_text_size", DEFAULT_MAX_TEXT_SIZE)),
            max_binary_size=parse_size(lfs.get("max_binary_size", DEFAULT_MAX_BINARY_SIZE)),
        ),
        secrets=SecretsPolicy(exclude=tuple((data.get("secrets") or {}).get("exclude", ()))),
        auth=AuthPolicy(require_fine_grained=(data.get("auth") or {}).get("require_fine_grained", True)),
        release=ReleasePolicy(
            tag_pattern=release.get("tag_pattern", DEFAULT_TAG_PATTERN),
            require_on_default_branch=release.get("require_on_default_branch", True),
            tag_pattern_line=line_of(["release", "tag_pattern"]) if "tag_pattern" in release else None,
            source=source,
        ),
        org=org_policy_from_data(data.get("org")),
        gated=data.get("gated"),
        access=AccessPolicy(
            auto_accept_domains=tuple(d.lower() for d in (access.get("auto_accept") or {}).get("email_domains", ())),
            reject_domains=tuple(d.lower() for d in (access.get("reject") or {}).get("email_domains", ())),
            expire_after_days=access.get("expire_after_days"),
        ),
        members=MembersPolicy(
            file=PurePosixPath(members.get("file", DEFAULT_MEMBERS_FILE)).as_posix(),
            email_domains=tuple(d.lower() for d in members.get("email_domains", ())),
        ),
        source=source,
    )


# --- validation cache ------------------------------------------------------------------------
# jsonschema costs ~100 ms to import and PyYAML ~15 ms, most of a hook's budget. A policy that
# validated once is remembered, so later hook runs parse nothing. An entry is found by a cheap
# checksum of (version, schema, text) and holds the whole text, which must equal the file's: a
# crafted file whose checksum collides with a cached one is parsed, never given another's data.
# Entries are `marshal` data (built in, so no json import): only this module writes them, from
# validated data of str/int/float/bool/None/list/dict; anything else is not cached.

_CACHE_FORMAT = 2


def _line_key(path: Sequence[str | int]) -> str:
    return repr(list(path))


def _schema_stamp() -> str:
    from hf_publish import __version__

    try:
        with open(SCHEMA_PATH, "rb") as handle:
            schema = handle.read()
    except OSError:
        schema = b""
    return f"{__version__}-{content_key(schema)}"


def _cache_name(stamp: str, text: str) -> str:
    return f"{stamp}-{content_key(text.encode('utf-8', 'surrogatepass'))}"


def _cache_dir() -> Path:
    return Path(cache_home("valid-policies"))


def _cache_read(text: str) -> dict[str, Any] | None:
    import marshal

    stamp = _schema_stamp()
    try:
        with open(_cache_dir() / _cache_name(stamp, text), "rb") as handle:
            entry = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None  # not cached, or damaged: parse it
    if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT:
        return None
    if entry.get("stamp") != stamp or entry.get("text") != text:
        return None  # a checksum collision (or a stale entry): not this policy
    return entry


def _cache_write(text: str, **fields: Any) -> None:
    import marshal

    stamp = _schema_stamp()
    try:
        body = marshal.dumps({"format": _CACHE_FORMAT, "stamp": stamp, "text": text, **fields})
        directory = _cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        name = _cache_name(stamp, text)
        temporary = directory / f".{name}.{os.getpid()}.tmp"
        temporary.write_bytes(body)
        os.replace(temporary, directory / name)
    except (OSError, ValueError):
        pass  # data marshal cannot hold (a YAML date), or a read-only home: only costs speed


def _parsed_cache_get(raw: bytes) -> tuple[Any, dict[str, int | None]] | None:
    """The parsed data and the lines `policy_from_data` asks for, of a policy that validated before
    (same bytes, schema and version): no YAML parse, no schema run."""
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return None
    try:
        text = _text(raw)
    except UnicodeDecodeError:
        return None
    entry = _cache_read(text)
    if entry is None or "data" not in entry or not isinstance(entry.get("lines"), dict):
        return None
    return entry["data"], dict(entry["lines"])


def _parsed_cache_store(raw: bytes, data: Any, lines: dict[str, int | None]) -> None:
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return
    try:
        text = _text(raw)
    except UnicodeDecodeError:
        return
    _cache_write(text, data=data, lines=lines)


def _schema_cache_hit(text: str) -> bool:
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return False
    return _cache_read(text) is not None


def _schema_cache_store(text: str) -> None:
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return
    if _cache_read(text) is None:
        _cache_write(text)


def org_policy_from_data(data: dict[str, Any] | None) -> OrgPolicy:
    """Typed `org:` section from already-validated policy data; absent keys take the defaults."""
    data = data or {}
    gated = data.get("gated", "off")
    if gated is True:
        gated = "any"
    elif gated is False:
        gated = "off"
    exceptions = []
    for entry in data.get("exceptions") or ():
        entry_gated = entry.get("gated")
        if entry_gated is True:
            entry_gated = "any"
        elif entry_gated is False:
            entry_gated = "off"
        exceptions.append(
            OrgException(
                match=entry["match"], type=entry.get("type"), visibility=entry.get("visibility"), gated=entry_gated
            )
        )
    return OrgPolicy(
        visibility=data.get("visibility", "private"),
        gated=gated,
        exceptions=tuple(exceptions),
        stale_after_days=int(data.get("stale_after_days", DEFAULT_STALE_AFTER_DAYS)),
        plan=data.get("plan", "free"),
        seats=int(data.get("seats", 1)),
    )
