"""The Hub's license and pipeline_tag vocabularies, as dated data files.

Checks read them offline, always: first the user's refreshed copy (`hf-publish refresh-vocab`
writes it to `$XDG_CACHE_HOME/hf-publish/vocab/`, default `~/.cache/hf-publish/vocab/`), else the
copy vendored in the package (`hf_publish/data/licenses.json`, `pipeline_tags.json`), which is
never written at run time. Each file is
`{"date": "YYYY-MM-DD", "source": "...", "kind": "license", "ids": [...]}`.
"""

from __future__ import annotations

import re
from functools import cache, cached_property
from pathlib import Path

from hf_publish._record import Record
from hf_publish.paths import cache_home

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # the vendored copies, beside the modules
# vocabulary name -> (data file, key of HfApi.get_model_tags()'s answer)
FILES = {
    "license": ("licenses.json", "license"),
    "pipeline_tag": ("pipeline_tags.json", "pipeline_tag"),
}


class Vocab(Record):
    kind: str
    date: str
    source: str
    ids: tuple[str, ...]

    @cached_property
    def _set(self) -> frozenset[str]:
        return frozenset(self.ids)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self._set

    def same_license(self, value: str) -> str | None:
        """The id that names this very license in another spelling: case, spaces or `_`, a
        "License" word, `v2.0` or `2` for `2.0` (`Apache License 2.0` -> apache-2.0, `MIT License`
        -> mit). Never a nearby id: `openrail++` is not `openrail`, `cc-by-5.0` is not `cc-by-4.0`."""
        if len(value) > 200:
            return None
        words = str(value).strip().lower().replace("_", " ").replace("-", " ").split()
        words = [w for w in words if w not in ("license", "licence")]
        words = [w[1:] if len(w) > 1 and w[0] == "v" and w[1].isdigit() else w for w in words]
        for joined in {"-".join(words), "".join(words)}:
            for candidate in (joined, re.sub(r"(?<![\d.])(\d+)$", r"\1.0", joined)):
                if candidate in self:
                    return candidate
        return None

    def closest(self, value: str) -> str | None:
        """The id a typo most likely meant: same id in another case or spacing, else difflib's best
        (for task ids; a license is never "closest", see `same_license`)."""
        if len(value) > 200:
            return None
        normal = "-".join(str(value).strip().lower().replace("_", "-").split())
        if normal in self:
            return normal
        import difflib

        close = difflib.get_close_matches(normal, self.ids, n=1, cutoff=0.8)
        return close[0] if close else None


def user_dir() -> Path:
    """Where `refresh-vocab` writes and checks look first: the user's cache, never the package."""
    return Path(cache_home("vocab"))


def parse_vocab(kind: str, text: str) -> Vocab | None:
    """A vocabulary file's content, or None when it is not one (a refreshed copy may be damaged)."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return None
    ids = data.get("ids") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        return None
    return Vocab(kind, str(data.get("date", "?")), str(data.get("source", "")), tuple(ids))


@cache
def load(kind: str) -> Vocab:
    """A vocabulary ("license" or "pipeline_tag"): the refreshed copy in `user_dir()` when there
    is a valid one, else the vendored one."""
    filename, _ = FILES[kind]
    refreshed = user_dir() / filename
    try:
        found = parse_vocab(kind, refreshed.read_text(encoding="utf-8")) if refreshed.is_file() else None
    except OSError:
        found = None
    if found is not None:
        return found
    vendored = parse_vocab(kind, (DATA_DIR / filename).read_text(encoding="utf-8"))
    assert vendored is not None, f"the vendored {filename} is damaged"
    return vendored


def licenses() -> Vocab:
    return load("license")


def pipeline_tags() -> Vocab:
    return load("pipeline_tag")
