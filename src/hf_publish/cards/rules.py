"""Every rule of the model-card check, with its severity and why: the one table the check, the
policy (`card.severity`, `card.strict`) and the docs (README's rule table) are made from.

Severity follows one principle:
- `error` when the Hub refuses the push, or the Hub or huggingface_hub cannot read the card;
- `warning` when the Hub accepts the card but a reader gets it wrong or the page degrades;
- org-policy rules (what `.hf-publish.yaml` requires) are errors because the policy asks for them.

Hooks and `hf-publish check` fail on errors only; warnings print and pass unless `--strict`,
`card.strict: true`, or `card.severity: {rule: error}` says otherwise.

`python -m hf_publish.cards.rules` prints the Markdown table that README.md carries.
"""

from __future__ import annotations

from hf_publish._record import Record

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from typing import Literal

    Severity = Literal["error", "warning"]
    Kind = Literal["hub-refuses", "unreadable", "reads-wrong", "page-degrades", "not-checked", "org-policy"]

# Kinds whose severity a policy may change: the Hub does not enforce them, so the org decides.
ADJUSTABLE_KINDS = frozenset({"reads-wrong", "page-degrades", "org-policy"})
SEVERITY_OF_KIND: dict[str, Severity] = {
    "hub-refuses": "error",
    "unreadable": "error",
    "org-policy": "error",
    "reads-wrong": "warning",
    "page-degrades": "warning",
    "not-checked": "warning",
}


class Rule(Record):
    id: str
    kind: Kind
    why: str

    @property
    def severity(self) -> Severity:
        return SEVERITY_OF_KIND[self.kind]

    @property
    def adjustable(self) -> bool:
        return self.kind in ADJUSTABLE_KINDS


class Problem(Record):
    """A finding before it knows its check and path: where, what, how to fix it, and which rule."""

    line: int | None
    message: str
    fix: str
    rule: Rule


def _rule(id: str, kind: Kind, why: str) -> Rule:
    return Rule(id, kind, why)


# --- the file ------------------------------------------------------------------------------------
CARD_SYMLINK = _rule(
    "card-symlink",
    "unreadable",
    "a symbolic link is stored as a link, not as a card: the Hub gets no card, and the check never reads through it",
)
CARD_MISSING = _rule("card-missing", "org-policy", "a configured repo has no README.md, so its page has no card")
CARD_MISNAMED = _rule("card-misnamed", "unreadable", "the Hub only reads a card named exactly README.md")
CARD_TOO_LARGE = _rule(
    "card-too-large", "not-checked", "cards over 2 MiB are not parsed, so nothing in them is checked"
)
CARD_OVER_HUB_LIMIT = _rule(
    "card-over-hub-limit",
    "hub-refuses",
    "the Hub refuses a regular file of 10 MiB or more, and a README in LFS is no card",
)
CARD_LFS_POINTER = _rule(
    "card-lfs-pointer",
    "unreadable",
    "a README stored in LFS is a pointer file: neither the Hub nor huggingface_hub reads a card in it",
)
CARD_BINARY = _rule("card-binary", "unreadable", "a file with NUL bytes is not Markdown: the Hub shows it as binary")
CARD_NOT_UTF8 = _rule("card-not-utf8", "unreadable", "cards are read as UTF-8; other bytes fail to decode")
CARD_BOM = _rule(
    "card-bom",
    "reads-wrong",
    "ModelCard.load() reads the file as utf-8-sig and finds the metadata, but tools that read it as plain "
    "UTF-8 (RepoCard(text), `^---` matchers) see no metadata block",
)

# --- the metadata block ----------------------------------------------------------------------------
METADATA_OPEN_SPACES = _rule(
    "metadata-open-spaces",
    "unreadable",
    "huggingface_hub finds the metadata only when the opening line is exactly `---`",
)
METADATA_UNCLOSED = _rule(
    "metadata-unclosed",
    "unreadable",
    "without a closing `---` line there is no metadata block: the YAML is shown as text",
)
METADATA_MISSING = _rule(
    "metadata-missing",
    "page-degrades",
    "the Hub accepts a card without metadata; its page has no license and no task, language or "
    "library filters find the repo",
)
YAML_SYNTAX = _rule(
    "yaml-syntax", "unreadable", "YAML that does not parse: huggingface_hub's ModelCard.load() fails on it"
)
YAML_TAB_BLANK_LINE = _rule(
    "yaml-tab-blank-line",
    "reads-wrong",
    "the Hub's YAML parser accepts a tab on a whitespace-only line; PyYAML, and so ModelCard.load(), fails on it",
)
YAML_DUPLICATE_KEY = _rule(
    "yaml-duplicate-key", "reads-wrong", "the Hub has served such cards, but YAML readers disagree on which value wins"
)
YAML_COMPLEX_KEY = _rule(
    "yaml-complex-key",
    "unreadable",
    "a list or mapping used as a key: PyYAML cannot build the metadata (unhashable key)",
)
YAML_TOO_COMPLEX = _rule(
    "yaml-too-complex",
    "unreadable",
    "anchors expanding past 50,000 nodes, or more than 100 levels of nesting: not read",
)
YAML_UNSAFE_TAG = _rule("yaml-unsafe-tag", "unreadable", "a tag such as !!python/object: safe YAML loaders refuse it")
METADATA_NOT_MAPPING = _rule(
    "metadata-not-mapping", "unreadable", "ModelCard raises ValueError when the metadata is not a mapping"
)
YAML_READERS_DISAGREE = _rule(
    "yaml-readers-disagree",
    "reads-wrong",
    "the Hub's YAML (1.2) reads `no`, `on`, `2024-01-01` as text; PyYAML and so "
    "huggingface_hub (YAML 1.1) read them as booleans or dates",
)

# --- metadata values -------------------------------------------------------------------------------
METADATA_SCHEMA = _rule(
    "metadata-schema",
    "hub-refuses",
    "a value of the wrong type or shape: the Hub's metadata validation refuses the push",
)
LICENSE_UNKNOWN = _rule(
    "license-unknown",
    "hub-refuses",
    'a license id not in the Hub\'s list: the Hub refuses the push ("license" does not match)',
)
LICENSE_OTHER_UNNAMED = _rule(
    "license-other-unnamed",
    "page-degrades",
    "`license: other` without license_name/license_link: the Hub accepts it and shows "
    'only "other", with no name or link to the terms',
)
PIPELINE_TAG_UNKNOWN = _rule(
    "pipeline-tag-unknown",
    "page-degrades",
    "a pipeline_tag not in the Hub's task list: the Hub accepts it, flags it on the page, "
    "and no task filter or widget applies",
)
REPO_ID_INVALID = _rule(
    "repo-id-invalid",
    "hub-refuses",
    "base_model, datasets, new_version (and a Space's models, datasets) must be Hub repo ids",
)
MODEL_INDEX_SHAPE = _rule(
    "model-index-shape",
    "page-degrades",
    "the Hub accepts a model-index that does not follow the spec and shows a metadata notice "
    "instead of the evaluation results",
)
SPACE_SDK_STREAMLIT = _rule(
    "space-sdk-streamlit",
    "page-degrades",
    "the Hub still serves existing streamlit Spaces but no longer offers streamlit for new ones",
)
SPACE_SDK_POLICY = _rule("space-sdk-policy", "org-policy", "the card's sdk differs from repos[].sdk in the policy")
REQUIRED_METADATA = _rule("required-metadata", "org-policy", "a key of card.required_metadata is missing or empty")

# --- the Markdown ------------------------------------------------------------------------------------
PLACEHOLDER = _rule(
    "placeholder",
    "org-policy",
    "template leftovers ([More Information Needed], TODO, TBD, {{ }}) unless card.allow_placeholders",
)
SECTION_MISSING = _rule(
    "section-missing", "org-policy", "a card.required_sections section has no accepted heading of level 2 or deeper"
)
SECTION_EMPTY = _rule(
    "section-empty", "org-policy", "a required section holds only comments, placeholders or empty sub-sections"
)

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        CARD_SYMLINK,
        CARD_MISSING,
        CARD_MISNAMED,
        CARD_TOO_LARGE,
        CARD_OVER_HUB_LIMIT,
        CARD_LFS_POINTER,
        CARD_BINARY,
        CARD_NOT_UTF8,
        CARD_BOM,
        METADATA_OPEN_SPACES,
        METADATA_UNCLOSED,
        METADATA_MISSING,
        YAML_SYNTAX,
        YAML_TAB_BLANK_LINE,
        YAML_DUPLICATE_KEY,
        YAML_COMPLEX_KEY,
        YAML_TOO_COMPLEX,
        YAML_UNSAFE_TAG,
        METADATA_NOT_MAPPING,
        YAML_READERS_DISAGREE,
        METADATA_SCHEMA,
        LICENSE_UNKNOWN,
        LICENSE_OTHER_UNNAMED,
        PIPELINE_TAG_UNKNOWN,
        REPO_ID_INVALID,
        MODEL_INDEX_SHAPE,
        SPACE_SDK_STREAMLIT,
        SPACE_SDK_POLICY,
        REQUIRED_METADATA,
        PLACEHOLDER,
        SECTION_MISSING,
        SECTION_EMPTY,
    )
}
ADJUSTABLE_RULE_IDS = tuple(r.id for r in RULES.values() if r.adjustable)

_KIND_WORDS = {
    "hub-refuses": "the Hub refuses the push",
    "unreadable": "the Hub or huggingface_hub cannot read the card",
    "reads-wrong": "the Hub accepts it; a reader gets it wrong",
    "page-degrades": "the Hub accepts it; the page degrades",
    "not-checked": "not checked",
    "org-policy": "the org's policy requires it",
}


def severity_table() -> str:
    """The Markdown table of every rule: id, default severity, whether a policy may change it, and why."""
    rows = ["| rule | severity | because | policy may change it | why |", "|---|---|---|---|---|"]
    for rule in RULES.values():
        rows.append(
            f"| `{rule.id}` | {rule.severity} | {_KIND_WORDS[rule.kind]} | "
            f"{'yes' if rule.adjustable else 'no'} | {rule.why.replace('|', '/')} |"
        )
    return "\n".join(rows)


# --- limits and card types (used before any parsing) ----------------------------------------

MAX_CARD_BYTES = 2 * 1024 * 1024  # real cards are < 200 KB; a 20 MB README is a data dump
HUB_MAX_REGULAR_FILE = 10 * 1024 * 1024  # the Hub sends files of 10 MiB or more to LFS
CARD_TYPES = ("model", "dataset", "space")


def too_large(size: int) -> Problem | None:
    if size <= MAX_CARD_BYTES:
        return None
    if size >= HUB_MAX_REGULAR_FILE:
        return Problem(
            None,
            f"card is {size:,} bytes: the Hub refuses a regular file of 10 MiB or more, and a README stored "
            "in LFS is not read as a card",
            "move large tables, logs or data into their own files (LFS for data) and link them from the card",
            CARD_OVER_HUB_LIMIT,
        )
    return Problem(
        None,
        f"card is {size:,} bytes; cards over {MAX_CARD_BYTES // (1024 * 1024)} MiB are not checked "
        "(a card is documentation, not data)",
        "move large tables, logs or data into their own files (LFS for data) and link them from the card",
        CARD_TOO_LARGE,
    )


def card_type(repo_type: str) -> str:
    """The card schema a repo type uses (model for an unknown type)."""
    return repo_type if repo_type in CARD_TYPES else "model"


if __name__ == "__main__":
    print(severity_table())
