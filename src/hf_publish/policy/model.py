"""The typed policy: frozen records (`hf_publish._record.Record`) for everything `.hf-publish.yaml` can say, and the defaults.

Nothing here reads a file or imports YAML or jsonschema: checks and hooks that only need the
objects (or the defaults, with no policy file) pay for nothing else. `policy.load` builds these
objects from a file.

Policy regexes (`naming.repo.pattern`, `release.tag_pattern`) come from whoever edits the policy
file, a pull request included: they run on the `regex` engine with a time bound, and a pattern
that exceeds it is a config error at its line (`errors.PatternTimeout`).
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache

from hf_publish._record import Record, field
from hf_publish.errors import PatternTimeout, PolicyError
from hf_publish.findings import Finding

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from typing import Any, Literal, Protocol

    RuleSeverity = Literal["error", "warning"]  # a card rule's severity (`card.severity` values)
    Plan = Literal["free", "team", "enterprise", "enterprise-plus"]
    Visibility = Literal["private", "public"]
    GatedRule = Literal["any", "auto", "manual", "off"]

    class RatedRule(Protocol):
        """What `CardPolicy.severity_of` reads of a card rule (`hf_publish.cards.rules.Rule`)."""

        @property
        def id(self) -> str: ...

        @property
        def severity(self) -> RuleSeverity: ...


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
# Weights formats outside the Hub's default .gitattributes: required only in a repo folder that has
# such a file (requiring them everywhere fails every real .gitattributes, the Hub's own included).
PRESENCE_LFS_PATTERNS = ("*.gguf", "*.ggml")
# The Hub's default .gitattributes for a new model repo (hub-rules.md). Weights formats outside it
# (*.gguf) are required only where such files exist: PRESENCE_LFS_PATTERNS.
DEFAULT_LFS_PATTERNS = (
    "*.7z",
    "*.arrow",
    "*.bin",
    "*.bz2",
    "*.ckpt",
    "*.ftz",
    "*.gz",
    "*.h5",
    "*.joblib",
    "*.lfs.*",
    "*.mlmodel",
    "*.model",
    "*.msgpack",
    "*.npy",
    "*.npz",
    "*.onnx",
    "*.ot",
    "*.parquet",
    "*.pb",
    "*.pickle",
    "*.pkl",
    "*.pt",
    "*.pth",
    "*.rar",
    "*.safetensors",
    "saved_model/**/*",
    "*.tar.*",
    "*.tar",
    "*.tflite",
    "*.tgz",
    "*.wasm",
    "*.xz",
    "*.zip",
    "*.zst",
    "*tfevents*",
)
DEFAULT_MAX_TEXT_SIZE = 10 * 1024 * 1024  # the Hub sends files >= 10 MiB to LFS
DEFAULT_MAX_BINARY_SIZE = 1_000_000  # the Hub enforces 1 MB for binaries
DEFAULT_TAG_PATTERN = (
    r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)

_SIZE_UNITS = {
    "": 1,
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}


class RepoSpec(Record):
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


class RepoNaming(Record):
    pattern: str = DEFAULT_REPO_PATTERN
    forbidden: tuple[str, ...] = DEFAULT_FORBIDDEN
    pattern_line: int | None = None  # where the pattern is in the policy file
    source: str | None = None

    def matches(self, name: str) -> bool:
        """`name` fully matches `pattern`, within the time bound (PatternTimeout otherwise)."""
        return policy_fullmatch(
            self.pattern, name, key="naming.repo.pattern", line=self.pattern_line, source=self.source
        )


class BranchNaming(Record):
    allowed: tuple[str, ...] = DEFAULT_BRANCHES_ALLOWED
    protected: tuple[str, ...] = DEFAULT_BRANCHES_PROTECTED


class CardPolicy(Record):
    required_metadata: tuple[str, ...] = DEFAULT_REQUIRED_METADATA
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED_SECTIONS
    section_headings: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_SECTION_HEADINGS))
    allow_placeholders: bool = False
    strict: bool = False  # every model-card warning is an error
    severity: dict[str, RuleSeverity] = field(default_factory=dict)  # rule id -> "error" | "warning"
    paths: tuple[str, ...] = ()  # globs of further README.md files that are cards
    exclude: tuple[str, ...] = ()  # globs of README.md files that are not cards (wins over the rest)

    def headings_for(self, section: str) -> tuple[str, ...]:
        """Headings accepted for `section`: its known aliases, or the name itself."""
        return self.section_headings.get(section, (section,))

    def severity_of(self, rule: RatedRule) -> RuleSeverity:
        """A card rule's severity under this policy: `severity` overrides, then `strict`, then the rule's own."""
        if rule.id in self.severity:
            return self.severity[rule.id]
        if self.strict and rule.severity == "warning":
            return "error"
        return rule.severity


class LfsPolicy(Record):
    required_patterns: tuple[str, ...] = DEFAULT_LFS_PATTERNS
    max_text_size: int = DEFAULT_MAX_TEXT_SIZE
    max_binary_size: int = DEFAULT_MAX_BINARY_SIZE


class SecretsPolicy(Record):
    exclude: tuple[str, ...] = ()


class AuthPolicy(Record):
    require_fine_grained: bool = True


class ReleasePolicy(Record):
    tag_pattern: str = DEFAULT_TAG_PATTERN
    require_on_default_branch: bool = True
    tag_pattern_line: int | None = None
    source: str | None = None

    def matches(self, tag: str) -> bool:
        """Is `tag` a release tag? A FULL match of `tag_pattern`, within the time bound: the one
        rule the Action and `publish --tag` both apply."""
        return policy_fullmatch(
            self.tag_pattern, tag, key="release.tag_pattern", line=self.tag_pattern_line, source=self.source
        )


DEFAULT_STALE_AFTER_DAYS = 90
DEFAULT_MEMBERS_FILE = "members.csv"


# --- `org:`, read by `hf-publish org audit` --------------------------------------------------------------------------------


class OrgException(Record):
    """One `org.exceptions` entry: repos whose NAME matches the glob `match` (and of `type`, when
    given) follow this visibility and gating instead of the defaults."""

    match: str
    type: str | None = None
    visibility: Visibility | None = None
    gated: GatedRule | None = None

    def applies(self, name: str, repo_type: str) -> bool:
        if self.type is not None and self.type != repo_type:
            return False
        return fnmatch.fnmatchcase(name.lower(), self.match.lower())


class OrgPolicy(Record):
    """`org:` in .hf-publish.yaml: what every repo of the organization must be.

    `visibility`: every repo must be this (default private) unless an exception says otherwise;
    `gated`: what a PUBLIC repo's gating must be ("off": not checked, "any": gated in any mode,
    "auto"/"manual": exactly that mode); `stale_after_days`: a private repo not updated for this long
    is stale; `plan` and `seats` give the private storage quota.
    """

    visibility: Visibility = "private"
    gated: GatedRule = "off"
    exceptions: tuple[OrgException, ...] = ()
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
    plan: Plan = "free"
    seats: int = 1

    def expected(self, name: str, repo_type: str) -> tuple[Visibility, GatedRule, OrgException | None]:
        """The visibility and gating rule for one repo; the first matching exception wins."""
        for exception in self.exceptions:
            if exception.applies(name, repo_type):
                return (exception.visibility or self.visibility, exception.gated or self.gated, exception)
        return self.visibility, self.gated, None


class AccessPolicy(Record):
    """How `hf-publish access review` decides access requests (hf_publish.org.access)."""

    auto_accept_domains: tuple[str, ...] = ()
    reject_domains: tuple[str, ...] = ()
    expire_after_days: int | None = None


class MembersPolicy(Record):
    """The members file and its rules (check `members`, `hf-publish members diff`)."""

    file: str = DEFAULT_MEMBERS_FILE
    email_domains: tuple[str, ...] = ()


class Policy(Record):
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
        raise PolicyError(
            f"no repo named {name!r} in the policy (configured: {known}). Next: use one of those names, or add the repo to `repos:`"
        )


# --- gating: one rule for the audit and for publish ------------------------------------------


class GatedDrift(Record):
    """A repo whose gating on the Hub is not the policy's: what it is (False, "auto", "manual"), what
    the policy says (False, "any", "auto", "manual") and the setting that satisfies it."""

    current: bool | str
    wanted: bool | str
    target: bool | str

    def describe(self) -> str:
        """`gated: False on the Hub, the policy says manual`: the words the audit and publish share."""
        wanted = "gated (auto or manual)" if self.wanted == "any" else self.wanted
        return f"gated: {self.current} on the Hub, the policy says {wanted}"


def gated_drift(wanted: bool | str | None, current: bool | str | None) -> GatedDrift | None:
    """THE gating rule, for the audit (`org.gated`, `org.exceptions`, `gated`, `repos[].gated`) and
    for publish's enforcement alike. `wanted` is the policy's value: None or "off" (not managed),
    False (not gated), True or "any" (gated in any mode), "auto" or "manual" (exactly that mode);
    `current` is the Hub's (False or None, "auto", "manual"). None when the repo is as the policy
    says; else the drift, whose `target` is what to set ("manual" when any mode will do)."""
    if wanted is None or wanted == "off":
        return None
    now: bool | str = current if current in ("auto", "manual") else False
    if wanted is True or wanted == "any":
        return None if now else GatedDrift(now, "any", "manual")
    if wanted is False:
        return None if now is False else GatedDrift(now, False, False)
    if wanted in ("auto", "manual"):
        return None if now == wanted else GatedDrift(now, wanted, wanted)
    raise ValueError(f"not a gated setting: {wanted!r}")


# --- policy regexes ---------------------------------------------------------------------------
# Patterns come from the policy file, i.e. from whoever edits it, a pull request included: a pattern
# such as `^(a|aa)+$` backtracks for hours on a 63-character name. They run on the `regex` engine
# with a time bound; a pattern that exceeds it is a config error at its line.

REGEX_TIMEOUT = 0.5  # seconds for one match; real patterns take microseconds on a repo name or tag
MAX_PATTERN_LENGTH = 500  # also in the JSON Schema (maxLength)


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


# The defaults are ours, not the policy author's, and linear (each repeated group starts with a
# separator its body cannot hold): they run on the stdlib engine, which spares a hook the ~10 ms
# `regex` import. Every pattern written in a policy file runs on `regex`, with the time bound.
SHIPPED_PATTERNS = frozenset({DEFAULT_REPO_PATTERN, DEFAULT_TAG_PATTERN})


def policy_fullmatch(pattern: str, text: str, *, key: str, line: int | None = None, source: str | None = None) -> bool:
    """`text` fully matches the policy `pattern`, or PatternTimeout after REGEX_TIMEOUT."""
    if pattern in SHIPPED_PATTERNS:
        return re.fullmatch(pattern, text) is not None
    problem = policy_regex_problem(pattern)
    if problem:
        raise PolicyError(
            f"{key} {problem}",
            [Finding(CHECK_ID, source or POLICY_FILENAME, line, f"{key} {problem}", "fix the pattern")],
        )
    try:
        return compile_policy_regex(pattern).fullmatch(text, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        raise PatternTimeout(key, text, line, source or POLICY_FILENAME, REGEX_TIMEOUT) from None


def parse_size(value: int | str) -> int:
    """`10MiB` -> 10485760, `1MB` -> 1000000, `512` -> 512."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", value)
    unit = match.group(2).upper() if match else None
    if not match or unit not in _SIZE_UNITS:
        raise ValueError(f"not a size: {value!r} (use bytes or e.g. 10MiB, 1MB)")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])
