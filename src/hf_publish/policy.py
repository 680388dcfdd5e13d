"""Load `.hf-publish.yaml` into typed, validated policy objects.

Every problem in the file is reported at once, each with its line: the YAML is composed into a
node tree (`yaml.compose`) so that a JSON Schema error path can be mapped back to a line, which
plain `yaml.safe_load` output cannot do.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

import yaml

from hf_publish.errors import PolicyError
from hf_publish.findings import Finding
from hf_publish.org.model import OrgPolicy, org_policy_from_data
from hf_publish.yamltree import TooManyNodes, key_problems, node_at

POLICY_FILENAME = ".hf-publish.yaml"
CHECK_ID = "config"
MAX_POLICY_BYTES = 1024 * 1024
# A YAML "billion laughs" expands aliases exponentially; no sane policy has this many nodes.
MAX_POLICY_NODES = 20_000
CONTROL_FREE_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"  # the schema's glob: no line breaks or other controls

DEFAULT_REPO_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*-v[0-9]+$"
DEFAULT_FORBIDDEN = ("test", "temp", "tmp", "demo", "my-org", "untitled")
DEFAULT_BRANCHES_ALLOWED = ("main", "feature/*", "experiment/*", "hotfix/*", "release/*")
DEFAULT_BRANCHES_PROTECTED = ("main",)
DEFAULT_REQUIRED_METADATA = ("license",)
DEFAULT_REQUIRED_SECTIONS = ("Overview", "Usage", "Performance", "License", "Contact")
# Section name -> headings accepted for it (English or Korean), from hub-rules.md.
DEFAULT_SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "Overview": ("Overview", "Model Details", "개요"),
    "Usage": ("Usage", "How to Get Started", "Uses", "사용법"),
    "Performance": ("Performance", "Evaluation", "Results", "성능 지표"),
    "License": ("License", "라이선스"),
    "Contact": ("Contact", "Model Card Contact", "연락처"),
}
# The Hub's default .gitattributes for a new model repo (hub-rules.md). Weights formats outside it
# (*.gguf) are required only where such files exist: see hf_publish.checks.lfs.PRESENCE_PATTERNS.
DEFAULT_LFS_PATTERNS = (
    "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib",
    "*.lfs.*", "*.mlmodel", "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx", "*.ot",
    "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.rar", "*.safetensors",
    "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm", "*.xz", "*.zip",
    "*.zst", "*tfevents*",
)
DEFAULT_MAX_TEXT_SIZE = 10 * 1024 * 1024  # the Hub sends files >= 10 MiB to LFS
DEFAULT_MAX_BINARY_SIZE = 1_000_000  # the Hub enforces 1 MB for binaries
DEFAULT_TAG_PATTERN = (
    r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)

_SIZE_UNITS = {
    "": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40,
}


@dataclass(frozen=True)
class RepoSpec:
    """One Hub repo this git repo publishes."""

    name: str
    type: str = "model"
    path: str = "."
    private: bool = True
    ignore: tuple[str, ...] = ()
    sdk: str | None = None
    gated: bool | str | None = None  # False, "auto", "manual"; None: the org default (Policy.gated)
    line: int | None = None  # where the entry starts in the policy file
    path_line: int | None = None  # where its `path:` is

    def repo_id(self, organization: str | None) -> str:
        return f"{organization}/{self.name}" if organization else self.name


@dataclass(frozen=True)
class RepoNaming:
    pattern: str = DEFAULT_REPO_PATTERN
    forbidden: tuple[str, ...] = DEFAULT_FORBIDDEN
    pattern_line: int | None = None  # where the pattern is in the policy file
    source: str | None = None

    def matches(self, name: str) -> bool:
        """`name` fully matches `pattern`, within the time bound (PatternTimeout otherwise)."""
        return policy_fullmatch(self.pattern, name, key="naming.repo.pattern", line=self.pattern_line,
                                source=self.source)


@dataclass(frozen=True)
class BranchNaming:
    allowed: tuple[str, ...] = DEFAULT_BRANCHES_ALLOWED
    protected: tuple[str, ...] = DEFAULT_BRANCHES_PROTECTED


@dataclass(frozen=True)
class CardPolicy:
    required_metadata: tuple[str, ...] = DEFAULT_REQUIRED_METADATA
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED_SECTIONS
    section_headings: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_SECTION_HEADINGS)
    )
    allow_placeholders: bool = False
    strict: bool = False  # every model-card warning is an error
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> "error" | "warning"

    def headings_for(self, section: str) -> tuple[str, ...]:
        """Headings accepted for `section`: its known aliases, or the name itself."""
        return self.section_headings.get(section, (section,))

    def severity_of(self, rule) -> str:
        """A card rule's severity under this policy: `severity` overrides, then `strict`, then the rule's own."""
        if rule.id in self.severity:
            return self.severity[rule.id]
        if self.strict and rule.severity == "warning":
            return "error"
        return rule.severity


@dataclass(frozen=True)
class LfsPolicy:
    required_patterns: tuple[str, ...] = DEFAULT_LFS_PATTERNS
    max_text_size: int = DEFAULT_MAX_TEXT_SIZE
    max_binary_size: int = DEFAULT_MAX_BINARY_SIZE


@dataclass(frozen=True)
class SecretsPolicy:
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthPolicy:
    require_fine_grained: bool = True


@dataclass(frozen=True)
class ReleasePolicy:
    tag_pattern: str = DEFAULT_TAG_PATTERN
    require_on_default_branch: bool = True
    tag_pattern_line: int | None = None
    source: str | None = None

    def matches(self, tag: str) -> bool:
        """Is `tag` a release tag? A FULL match of `tag_pattern`, within the time bound: the one
        rule the Action and `publish --tag` both apply."""
        return policy_fullmatch(self.tag_pattern, tag, key="release.tag_pattern", line=self.tag_pattern_line,
                                source=self.source)


DEFAULT_MEMBERS_FILE = "members.csv"


@dataclass(frozen=True)
class AccessPolicy:
    """How `hf-publish access review` decides access requests (hf_publish.org.access)."""

    auto_accept_domains: tuple[str, ...] = ()
    reject_domains: tuple[str, ...] = ()
    expire_after_days: int | None = None


@dataclass(frozen=True)
class MembersPolicy:
    """The members file and its rules (check `members`, `hf-publish members diff`)."""

    file: str = DEFAULT_MEMBERS_FILE
    email_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    organization: str | None = None
    repos: tuple[RepoSpec, ...] = ()
    repo_naming: RepoNaming = field(default_factory=RepoNaming)
    branch_naming: BranchNaming = field(default_factory=BranchNaming)
    card: CardPolicy = field(default_factory=CardPolicy)
    lfs: LfsPolicy = field(default_factory=LfsPolicy)
    secrets: SecretsPolicy = field(default_factory=SecretsPolicy)
    auth: AuthPolicy = field(default_factory=AuthPolicy)
    release: ReleasePolicy = field(default_factory=ReleasePolicy)
    org: OrgPolicy = field(default_factory=OrgPolicy)  # `org:`, read by `hf-publish org audit`
    gated: bool | str | None = None  # the org default for repos[].gated; None: not managed
    access: AccessPolicy = field(default_factory=AccessPolicy)
    members: MembersPolicy = field(default_factory=MembersPolicy)
    source: str | None = None  # policy file path relative to the git root, None for defaults

    def gated_for(self, spec: RepoSpec) -> bool | str | None:
        """The gated setting a repo must have: its own, else the org default; None: not managed."""
        return spec.gated if spec.gated is not None else self.gated

    def repo(self, name: str) -> RepoSpec:
        for spec in self.repos:
            if name in (spec.name, spec.repo_id(self.organization)):
                return spec
        known = ", ".join(s.name for s in self.repos) or "none"
        raise PolicyError(f"no repo named {name!r} in the policy (configured: {known})")


# --- policy regexes ---------------------------------------------------------------------------
# Patterns come from the policy file, i.e. from whoever edits it, a pull request included: a pattern
# such as `^(a|aa)+$` backtracks for hours on a 63-character name. They run on the `regex` engine
# with a time bound; a pattern that exceeds it is a config error at its line.

REGEX_TIMEOUT = 0.5  # seconds for one match; real patterns take microseconds on a repo name or tag
MAX_PATTERN_LENGTH = 500  # also in the JSON Schema (maxLength)


class PatternTimeout(PolicyError):
    """A policy regex ran past REGEX_TIMEOUT: catastrophic backtracking."""

    def __init__(self, key: str, text: str, line: int | None, source: str | None) -> None:
        message = (f"{key}: the pattern took longer than {REGEX_TIMEOUT:g} s on {text[:100]!r} "
                   "(catastrophic backtracking, e.g. a nested or overlapping repetition like (a|aa)+ or (a+)+)")
        finding = Finding(CHECK_ID, source or POLICY_FILENAME, line, message,
                          "rewrite the pattern without nested or overlapping repetitions, e.g. ^[a-z0-9]+(-[a-z0-9]+)*$")
        super().__init__(message, [finding])
        self.key = key


@lru_cache(maxsize=64)
def compile_policy_regex(pattern: str) -> Any:
    """The pattern compiled by the `regex` engine (re-compatible syntax, version 0)."""
    import regex

    return regex.compile(pattern, flags=regex.VERSION0)


def policy_regex_problem(pattern: str) -> str | None:
    """Why a policy pattern cannot be used, or None."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"is {len(pattern)} characters long; at most {MAX_PATTERN_LENGTH} are allowed"
    try:
        compile_policy_regex(pattern)
    except Exception as exc:  # regex.error, and overflow errors of huge repeat counts
        return f"is not a valid regular expression ({exc})"
    return None


def policy_fullmatch(pattern: str, text: str, *, key: str, line: int | None = None,
                     source: str | None = None) -> bool:
    """`text` fully matches the policy `pattern`, or PatternTimeout after REGEX_TIMEOUT."""
    problem = policy_regex_problem(pattern)
    if problem:
        raise PolicyError(f"{key} {problem}", [Finding(CHECK_ID, source or POLICY_FILENAME, line,
                                                       f"{key} {problem}", "fix the pattern")])
    try:
        return compile_policy_regex(pattern).fullmatch(text, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        raise PatternTimeout(key, text, line, source) from None


def parse_size(value: int | str) -> int:
    """`10MiB` -> 10485760, `1MB` -> 1000000, `512` -> 512."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", value)
    unit = match.group(2).upper() if match else None
    if not match or unit not in _SIZE_UNITS:
        raise ValueError(f"not a size: {value!r} (use bytes or e.g. 10MiB, 1MB)")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def load_schema() -> dict:
    return json.loads(resources.files("hf_publish.data").joinpath("policy.schema.json").read_text())


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
    findings, data = parse_policy_text(raw, shown)
    if findings:
        raise PolicyError(f"{shown}: invalid policy ({len(findings)} problem(s))", findings)
    policy = policy_from_data(data, shown, line_of=_LineIndex(raw))
    if root is not None:
        findings = repo_path_problems(policy, root)
        if findings:
            raise PolicyError(f"{shown}: invalid policy ({len(findings)} problem(s))", findings)
    return policy


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
            return (f"{path!r} {via} a symlink (to {target!r}): the checks would scan one folder and "
                    "publish another")
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
            findings.append(Finding(CHECK_ID, policy.source or POLICY_FILENAME, spec.path_line or spec.line,
                                    f"repos[{index}].path: {problem}",
                                    "point `path:` at the real folder inside the repo (no symlinks)"))
    return findings


def find_policy_file(root: Path, explicit: str | os.PathLike | None = None) -> Path | None:
    """The policy file to use: `--config`, else `.hf-publish.yaml` at the git root, else None."""
    if explicit is not None:
        return Path(explicit)
    candidate = root / POLICY_FILENAME
    return candidate if candidate.is_file() else None


def parse_policy_text(raw: bytes, shown: str) -> tuple[list[Finding], Any]:
    """Parse and validate policy bytes. Returns (findings, data); data is usable only if no findings."""

    def problem(line: int | None, message: str, fix: str = "") -> Finding:
        return Finding(CHECK_ID, shown, line, message, fix)

    if len(raw) > MAX_POLICY_BYTES:
        return [problem(None, f"policy file is {len(raw)} bytes; the limit is {MAX_POLICY_BYTES}",
                        "a policy is a few dozen lines: check you pointed --config at the right file")], None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [problem(line, "policy file is not valid UTF-8", "save it as UTF-8")], None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # hundreds of nested [ or {: PyYAML composes recursively
        return [problem(None, "policy YAML is nested too deep to parse",
                        "a policy is a few dozen lines of plain mappings and lists: rewrite it without deep nesting")], None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [problem(line, f"YAML syntax error: {reason}", "fix the YAML syntax at this line")], None
    if node is None:
        return [], {}
    try:
        structural = list(_structural_problems(node, shown))
    except TooManyNodes:
        return [problem(None, f"policy expands to more than {MAX_POLICY_NODES} YAML nodes "
                              "(aliases nested too deep: a 'billion laughs' document?)",
                        "write the policy out without nested anchors and aliases")], None
    if structural:
        return structural, None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # e.g. an unknown tag (!python/object): compose accepts it
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [problem(mark.line + 1 if mark else None, f"YAML error: {reason}",
                        "use plain YAML: strings, numbers, booleans, lists and mappings")], None
    return _schema_problems(data, node, text, shown), data


def _structural_problems(root: yaml.Node, shown: str) -> Iterator[Finding]:
    """Duplicate, merge and non-string keys, which the JSON Schema cannot see; also bounds the size."""
    for problem in key_problems(root, MAX_POLICY_NODES):
        line = problem.key.start_mark.line + 1
        if problem.kind == "merge":
            yield Finding(CHECK_ID, shown, line, "YAML merge keys (<<) are not supported", "write the keys out")
        elif problem.kind == "non-scalar":
            yield Finding(CHECK_ID, shown, line, "mapping keys must be plain strings", "use a plain key")
        else:
            yield Finding(CHECK_ID, shown, line,
                          f"duplicate key {problem.key.value!r} (first at line {problem.first_line + 1})",
                          "keep one of the two")


def _schema_problems(data: Any, root: yaml.Node, text: str, shown: str) -> list[Finding]:
    if _schema_cache_hit(text):
        return []
    import jsonschema  # imported here: it is the slowest import of a hook run

    schema = load_schema()
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    findings = []
    for error in validator.iter_errors(data):
        findings.extend(_describe_schema_error(error, root, shown))
    findings.extend(_semantic_problems(data, root, shown) if not findings else [])
    if not findings:
        _schema_cache_store(text)
    return sorted(set(findings), key=lambda f: (f.line or 0, f.message))


def _describe_schema_error(error: Any, root: yaml.Node, shown: str) -> Iterator[Finding]:
    path = list(error.absolute_path)
    node = node_at(root, path)
    where = _dotted(path)
    if error.validator == "additionalProperties" and isinstance(node, yaml.MappingNode):
        allowed = sorted(error.schema.get("properties", {}))
        for key, _ in node.value:
            if key.value in allowed:
                continue
            close = difflib.get_close_matches(key.value, allowed, n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"allowed keys here: {', '.join(allowed)}"
            yield Finding(CHECK_ID, shown, key.start_mark.line + 1,
                          f"unknown key {_dotted(path + [key.value])!r}", fix)
        return
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        message, fix = f"{where}: {error.instance!r} is not one of: {allowed}", f"use one of: {allowed}"
    elif error.validator == "oneOf" and path and path[-1] in ("max_text_size", "max_binary_size"):
        message, fix = f"{where}: {error.instance!r} is not a size", "use bytes (1000000) or a size such as 10MiB or 1MB"
    elif error.validator == "format" and error.validator_value == "regex":
        message, fix = f"{where}: {error.instance!r} is not a valid regular expression", "fix the pattern"
    elif error.validator == "maxLength" and isinstance(error.instance, str):
        message = (f"{where}: {error.instance[:40]!r}... is {len(error.instance)} characters long; at most "
                   f"{error.validator_value} are allowed")
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


def _semantic_problems(data: dict, root: yaml.Node, shown: str) -> Iterator[Finding]:
    """Rules a JSON Schema cannot express: unique repo names, paths inside the repo, usable regexes."""
    for key_path in (["naming", "repo", "pattern"], ["release", "tag_pattern"]):
        value: Any = data
        for part in key_path:
            value = value.get(part) if isinstance(value, dict) else None
        problem = policy_regex_problem(value) if isinstance(value, str) else None
        if problem:
            yield Finding(CHECK_ID, shown, _line(root, key_path), f"{'.'.join(key_path)} {problem}",
                          "fix the pattern (Python `re` syntax)")
    members_file = (data.get("members") or {}).get("file")
    if isinstance(members_file, str):
        pure = PurePosixPath(members_file.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts:
            yield Finding(CHECK_ID, shown, _line(root, ["members", "file"]),
                          f"members.file: {members_file!r} points outside the git repo",
                          "use a path inside the repo, relative to its root (e.g. members.csv)")
    access = data.get("access") or {}
    accepted = {d.lower() for d in (access.get("auto_accept") or {}).get("email_domains") or []}
    for index, domain in enumerate((access.get("reject") or {}).get("email_domains") or []):
        if domain.lower() in accepted:
            yield Finding(CHECK_ID, shown, _line(root, ["access", "reject", "email_domains", index]),
                          f"access.reject.email_domains: {domain!r} is also in access.auto_accept.email_domains",
                          "keep the domain in one of the two lists (reject wins while it is in both)")
    seen: dict[str, int] = {}
    for index, repo in enumerate(data.get("repos") or []):
        line = _line(root, ["repos", index])
        key = (repo.get("type", "model"), repo["name"].lower())
        if key in seen:
            yield Finding(CHECK_ID, shown, line, f"repos[{index}]: {repo['name']!r} is listed twice",
                          "keep one entry per Hub repo")
        seen.setdefault(key, index)
        path = repo.get("path", ".")
        pure = PurePosixPath(path.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts:
            yield Finding(CHECK_ID, shown, _line(root, ["repos", index, "path"]),
                          f"repos[{index}].path: {path!r} points outside the git repo",
                          "use a folder inside the repo, relative to its root")
        if repo.get("sdk") and repo.get("type", "model") != "space":
            yield Finding(CHECK_ID, shown, _line(root, ["repos", index, "sdk"]),
                          f"repos[{index}].sdk: only a space has an sdk", "remove sdk or set type: space")


def _line(root: yaml.Node, path: list) -> int | None:
    node = node_at(root, path)
    return node.start_mark.line + 1 if node is not None else None


def _dotted(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _LineIndex:
    """Line lookups for a valid policy, composed lazily (only repos carry lines)."""

    def __init__(self, raw: bytes) -> None:
        self._root = yaml.compose(raw.decode("utf-8-sig"), Loader=yaml.SafeLoader)

    def __call__(self, path: list) -> int | None:
        return _line(self._root, path) if self._root is not None else None


def policy_from_data(data: dict, source: str | None = None, line_of=lambda path: None) -> Policy:
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
        ),
        lfs=LfsPolicy(
            required_patterns=tuple(lfs.get("required_patterns", DEFAULT_LFS_PATTERNS)),
            max_text_size=parse_size(lfs.get("max_text_size", DEFAULT_MAX_TEXT_SIZE)),
            max_binary_size=parse_size(lfs.get("max_binary_size", DEFAULT_MAX_BINARY_SIZE)),
        ),
        secrets=SecretsPolicy(exclude=tuple((data.get("secrets") or {}).get("exclude", ()))),
        auth=AuthPolicy(
            require_fine_grained=(data.get("auth") or {}).get("require_fine_grained", True)
        ),
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
# jsonschema costs ~100 ms to import, most of a hook's budget. A policy that validated once is
# remembered by the hash of (schema, text), so later hook runs skip the import.

def _cache_key(text: str) -> str:
    from hf_publish import __version__

    schema = resources.files("hf_publish.data").joinpath("policy.schema.json").read_bytes()
    digest = hashlib.sha256(f"{__version__}\0".encode() + schema + b"\0" + text.encode())
    return digest.hexdigest()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hf-publish" / "valid-policies"


def _schema_cache_hit(text: str) -> bool:
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return False
    return (_cache_dir() / _cache_key(text)).exists()


def _schema_cache_store(text: str) -> None:
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return
    try:
        directory = _cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        (directory / _cache_key(text)).touch()
    except OSError:
        pass  # a read-only home only costs speed
