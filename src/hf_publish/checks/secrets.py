"""`secrets`: no Hugging Face token, and no hard-coded token value, in what is committed.

Reported, each at its line with the value MASKED (a finding never holds the full value):

- a Hugging Face user access token anywhere: `hf_` followed by 34 letters (`tokens.HF_TOKEN_RE`);
- a literal given to a token keyword or assigned to a token variable: `token="..."`,
  `use_auth_token='...'`, `hf_token = "..."`, and with `:` as YAML, JSON and dicts spell it
  (`token: "..."`, `"hf_token": "..."`); quoted literals, or in configuration files (.yml, .yaml,
  .toml, .ini, .cfg, .conf, .env) an unquoted value of letters and digits (`token=os.environ[...]`
  is code);
- a literal given to a token environment variable: `HF_TOKEN=...`, `HUGGING_FACE_HUB_TOKEN=...`,
  `HUGGINGFACEHUB_API_TOKEN=...`, `HF_API_TOKEN=...`, with `=` or `:` (.env files, shell, YAML,
  Dockerfiles, `os.environ["HF_TOKEN"] = "..."`); an unquoted value counts outside Python files.

Not reported: an empty value, a reference (`$VAR`, `${VAR}`, `${{ secrets.HF_TOKEN }}`, code such
as `os.environ["HF_TOKEN"]`), a value with spaces or under 8 characters, and obvious placeholders
(`hf_...`, `<your token>`, `YOUR_TOKEN`, `xxxx`, `***`, `changeme`, an `hf_` token made of 5
letters or fewer repeated).

What is read: staged text files, from the index (what is committed: for an LFS file that is its
pointer, or the file itself when git-lfs did not clean it). Binary blobs (a NUL byte in the first
8000 bytes) and `secrets.exclude` globs are skipped; at most the first 1 MiB of a file is scanned,
and a blob over `lfs.max_text_size` (which the lfs check refuses) is not read. At publish time (`source == "worktree"`) the working-tree files of the configured repo
folders are scanned instead, LFS-tracked ones too when they are at most 1 MiB (weights are never
read); outside git, the files below the current folder.
"""

from __future__ import annotations

import re
import stat

from hf_publish import _git
from hf_publish._record import Record
from hf_publish.checks._inputs import read_worktree_head, staged_entries
from hf_publish.findings import Finding
from hf_publish.paths import matches
from hf_publish.tokens import mask

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from pathlib import Path

    from hf_publish.checks._inputs import CheckContext

CHECK_ID = "secrets"
SCAN_LIMIT = 1 << 20  # bytes scanned per file: tokens past the first MiB of a text file are rare
BINARY_SNIFF_BYTES = 8000
MIN_LITERAL = 8
HF_KIND = "hf-token"
PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")
# where an unquoted `token: value` is a configuration value, not prose or code
CONFIG_SUFFIXES = (".yml", ".yaml", ".toml", ".ini", ".cfg", ".conf", ".env")

# Each pattern starts with a literal so the regex engine can jump between candidates (10x faster
# than a leading look-behind); the names before it and the look-behind (no letter, digit or `_`
# before) are checked in Python. `_HF_TOKEN` + `_word_start` is `tokens.HF_TOKEN_RE` on bytes.
_HF_TOKEN = re.compile(rb"hf_[A-Za-z]{34}(?![A-Za-z0-9])")
_QUOTED = rb"""(?P<bs>\\?)(?P<q>["'])(?P<value>[^"'\\\n]*)(?P=bs)(?P=q)"""
# `token="..."`, and `token: "..."` / `"hf_token": "..."` as YAML, JSON and Python dicts spell it
_KEYWORD = re.compile(rb"""token(?:\\?["'])?[ \t]*[=:][ \t]*(?:""" + _QUOTED + rb"""|(?P<bare>[^\s"'#;,\\]+))""")
_KEYWORD_NAMES = (b"use_auth_token", b"hf_token", b"token")
_ENV = re.compile(rb"""TOKEN(?:\\?["'])?\]?[ \t]*[=:][ \t]*(?:""" + _QUOTED + rb"""|(?P<bare>[^\s"'#;,\\]+))""")
_ENV_NAMES = (b"HUGGINGFACEHUB_API_TOKEN", b"HUGGING_FACE_HUB_TOKEN", b"HF_API_TOKEN", b"HF_TOKEN")
_BARE_LITERAL = re.compile(r"[A-Za-z0-9_\-+/=]+")
_PLACEHOLDER_WORDS = (
    "...",
    "\u2026",
    "xxx",
    "***",
    "<",
    ">",
    "{",
    "}",
    "$",
    "your",
    "changeme",
    "redacted",
    "placeholder",
    "example",
    "dummy",
    "secrets.",
)
FIX = (
    'remove it and read the token at run time instead: os.environ["HF_TOKEN"], '
    "huggingface_hub.login() once per machine, or a GitHub secret (${{ secrets.HF_TOKEN }}); "
    "then REVOKE it at https://huggingface.co/settings/tokens: it may already be in git history"
)


class Secret(Record):
    """One secret found in a file: where, what kind, and the value (never to be printed)."""

    line: int
    kind: str  # HF_KIND for an hf_ token, else the keyword / variable name the literal was given to
    value: str


# --- pure functions ---------------------------------------------------------------------------


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    if len(value) < MIN_LITERAL or any(c.isspace() for c in value):
        return True
    if lowered in ("none", "null", "true", "false"):
        return True
    return any(word in lowered for word in _PLACEHOLDER_WORDS) or lowered.startswith(("my_", "my-", "mytoken"))


def is_placeholder_token(token: str) -> bool:
    """`hf_xxxxxxxx...`: an hf-shaped string made of a handful of letters is a placeholder."""
    return len(set(token[3:].lower())) <= 5


def find_secrets(data: bytes, path: str = "") -> list[Secret]:
    """Every token and hard-coded token literal in `data` (bytes of a text file), with its line."""
    found: list[tuple[int, int, str, str]] = []  # (start, end, kind, value)
    # Substring tests (memchr-fast) first: most files hold none of these, and the regexes, which
    # start with a look-behind, would otherwise be tried at every byte.
    if b"hf_" in data:
        for match in _HF_TOKEN.finditer(data):
            token = match.group(0).decode("ascii")
            if _word_start(data, match.start()) and not is_placeholder_token(token):
                found.append((match.start(), match.end(), HF_KIND, token))
    python = path.lower().endswith(PYTHON_SUFFIXES)
    for pattern, names, needle in ((_KEYWORD, _KEYWORD_NAMES, b"token"), (_ENV, _ENV_NAMES, b"TOKEN")):
        if needle not in data:
            continue
        for match in pattern.finditer(data):
            name = _name_ending_at(data, match.start() + 5, names)
            if name is None:
                continue
            raw = match.group("value")
            if raw is None:  # an unquoted value: a literal only outside Python, and only token-like
                raw = match.group("bare")
                if python or raw is None or not _BARE_LITERAL.fullmatch(raw.decode("latin-1")):
                    continue
                if pattern is _KEYWORD and not _is_config_value(path, raw):
                    continue  # `token: something` in prose or code is not a configuration value
            value = raw.decode("utf-8", "replace")
            start = match.start("value") if match.group("value") is not None else match.start("bare")
            end = start + len(raw)
            if is_placeholder(value) or any(s < end and start < e for s, e, _, _ in found):
                continue  # a placeholder, or an hf_ token already reported at this place
            found.append((start, end, name, value))
    found.sort()
    return [Secret(data.count(b"\n", 0, start) + 1, kind, value) for start, _, kind, value in found]


def _is_config_value(path: str, raw: bytes) -> bool:
    """An unquoted lowercase `token: value` counts in configuration files, when it is value-shaped
    (letters and digits, as generated secrets are), so `token: required` in a YAML comment-like
    field does not."""
    name = path.lower().rsplit("/", 1)[-1]
    if not (name.endswith(CONFIG_SUFFIXES) or name.startswith(".env")):
        return False
    return any(c.isdigit() for c in raw.decode("latin-1")) and any(c.isalpha() for c in raw.decode("latin-1"))


def _word_start(data: bytes, start: int) -> bool:
    return start == 0 or not (chr(data[start - 1]).isalnum() or data[start - 1] == 0x5F)  # not a letter, digit, _


def _name_ending_at(data: bytes, end: int, names: tuple[bytes, ...]) -> str | None:
    """The first of `names` (longest first) that ends at `end` and starts a word, or None."""
    for name in names:
        start = end - len(name)
        if start >= 0 and data[start:end] == name and _word_start(data, start):
            return name.decode()
    return None


def mask_value(secret: Secret) -> str:
    """`hf_abcd…` for a Hub token (`tokens.mask`); fewer characters for shorter literals."""
    if secret.kind == HF_KIND:
        return mask(secret.value)
    return secret.value[: 4 if len(secret.value) >= 16 else 2] + "\u2026"


def secret_findings(path: str, data: bytes, *, source: str = "staged") -> list[Finding]:
    """Findings for the secrets in one file; `source` says where the bytes came from, for the message:
    "staged" (git's index), "named-staged" (git's index, of a file named on the command line or by
    pre-commit), "named" (a working-tree file named on the command line, not staged), "publish"
    (a file a publish uploads), "file" (outside git)."""
    findings = []
    where = {
        "publish": "a file that would be published",
        "staged": "a staged file",
        "named-staged": "the file's staged version (git's index)",
        "named": "a file named on the command line",
        "file": "a file",
    }[source]
    for secret in find_secrets(data, path):
        shown = mask_value(secret)
        if secret.kind == HF_KIND:
            message = f"Hugging Face token {shown} hard-coded in {where}"
        else:
            message = f"hard-coded {secret.kind} value {shown} in {where}"
        findings.append(Finding(CHECK_ID, path, secret.line, message, FIX))
    return findings


def is_binary(head: bytes) -> bool:
    return b"\0" in head[:BINARY_SNIFF_BYTES]


# --- the check --------------------------------------------------------------------------------


def run(ctx: CheckContext) -> list[Finding]:
    excluded = ctx.policy.secrets.exclude
    if ctx.source == "worktree" or not ctx.in_git:
        return _scan_worktree(ctx, excluded)
    staged, not_staged = _staged_blobs(ctx, excluded)
    readable_max = max(ctx.policy.lfs.max_text_size, SCAN_LIMIT)
    blobs = ctx.blobs.prefixes([oid for oid, size in staged.values() if 0 < size <= readable_max], limit=SCAN_LIMIT)
    # A file named by hand is read from the index all the same; pre-commit (PRE_COMMIT=1) names staged files.
    source = "staged" if ctx.files is None or ctx.env.get("PRE_COMMIT") == "1" else "named-staged"
    findings: list[Finding] = []
    for path, (oid, _) in sorted(staged.items()):
        data = blobs.get(oid)
        if data and not is_binary(data):
            findings.extend(secret_findings(path, data, source=source))
    # Named on the command line but not staged: the working-tree file, unless `git add` will
    # turn it into an LFS pointer.
    attributes = _git.check_attr(ctx.root, not_staged, ("filter",), cached=True) if not_staged else {}
    for path in not_staged:
        if not _git.is_lfs_tracked(attributes.get(path, {})):
            findings.extend(_scan_file(ctx, path, source="named"))
    return findings


def _staged_blobs(ctx: CheckContext, excluded: tuple[str, ...]) -> tuple[dict[str, tuple[str, int]], list[str]]:
    """(blob id, size) of each staged file this run is about, and the named files not staged.

    Every staged blob is scanned as git's index holds it, LFS path or not: a proper LFS pointer has
    nothing to find, and a file git put in LFS but staged as a regular blob (git-lfs not
    installed) is what the commit carries into history. Files named one by one (what pre-commit
    passes) are asked of the run's `git cat-file` by path, so no `git ls-files` runs; folders and
    what it cannot answer go through the index listing."""
    found: dict[str, tuple[str, int]] = {}
    if ctx.files is None and ctx.all_files:
        entries, not_staged = staged_entries(ctx)
    else:
        paths = [p for p in ctx.target_paths() if not matches(p, excluded)]
        found = ctx.blobs.staged(paths) or {}
        rest = [p for p in paths if p not in found]
        entries, not_staged = staged_entries(ctx, paths=rest) if rest else ([], [])
    entries = [e for e in entries if not matches(e.path, excluded)]
    sizes = ctx.blobs.sizes(e.oid for e in entries)
    found.update((e.path, (e.oid, sizes[e.oid])) for e in entries if e.oid in sizes)
    return found, [p for p in not_staged if not matches(p, excluded)]


def _scan_worktree(ctx: CheckContext, excluded: tuple[str, ...]) -> list[Finding]:
    paths = [p for p in ctx.target_paths() if not matches(p, excluded)]
    if ctx.in_git:
        # LFS-tracked files are scanned too when small (a notes.bin, a tiny .pt with a token in it
        # would otherwise reach the Hub's storage); weights are never read for this.
        attributes = _git.check_attr(ctx.root, paths, ("filter",))
        paths = [p for p in paths if not _git.is_lfs_tracked(attributes.get(p, {})) or _is_small_file(ctx.root / p)]
    findings: list[Finding] = []
    for path in paths:
        findings.extend(_scan_file(ctx, path, source="publish" if ctx.source == "worktree" else "file"))
    return findings


def _is_small_file(path: Path) -> bool:
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= SCAN_LIMIT


def _scan_file(ctx: CheckContext, path: str, *, source: str) -> list[Finding]:
    read = read_worktree_head(ctx.root, path, SCAN_LIMIT)
    if read is None or not read[1] or is_binary(read[1]):
        return []
    return secret_findings(path, read[1], source=source)
