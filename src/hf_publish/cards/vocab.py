"""The Hub's license and pipeline_tag vocabularies, shipped as dated data files.

Checks read `hf_publish/data/licenses.json` and `pipeline_tags.json` (offline, always). The Hub adds
ids over time; `hf-publish refresh-vocab` fetches the current lists with
`HfApi.get_model_tags()` and rewrites the files with today's date. Each file is
`{"date": "YYYY-MM-DD", "source": "...", "kind": "license", "ids": [...]}`.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from hf_publish.errors import HubError, UsageError

# vocabulary name -> (data file, key of HfApi.get_model_tags()'s answer)
FILES = {
    "license": ("licenses.json", "license"),
    "pipeline_tag": ("pipeline_tags.json", "pipeline_tag"),
}


@dataclass(frozen=True)
class Vocab:
    kind: str
    date: str
    source: str
    ids: tuple[str, ...]
    _set: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_set", frozenset(self.ids))

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


@lru_cache(maxsize=None)
def load(kind: str) -> Vocab:
    """A shipped vocabulary: "license" or "pipeline_tag"."""
    filename, _ = FILES[kind]
    data = json.loads(resources.files("hf_publish.data").joinpath(filename).read_text(encoding="utf-8"))
    return Vocab(kind, data["date"], data.get("source", ""), tuple(data["ids"]))


def licenses() -> Vocab:
    return load("license")


def pipeline_tags() -> Vocab:
    return load("pipeline_tag")


# --- refresh (online; the only network use outside publish) ------------------------------------

def ids_from_model_tags(answer: object, key: str) -> list[str]:
    """The ids under `key` in `/api/models-tags-by-type`'s answer: {key: [{"id": ..., "label": ...}]}."""
    entries = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(entries, list):
        raise HubError(f"the Hub's model tags answer has no {key!r} list; refusing to overwrite the shipped list")
    ids = [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"]]
    if not ids:
        raise HubError(f"the Hub's model tags answer has an empty {key!r} list; refusing to overwrite the shipped list")
    return list(dict.fromkeys(ids))


def fetch_model_tags(endpoint: str | None) -> dict:
    """The Hub's current tag lists (through hub.py, the one module that talks to the Hub)."""
    from hf_publish.hub import fetch_model_tags as fetch

    return fetch(endpoint)


def write_vocab(directory: Path, kind: str, ids: list[str], *, source: str, date: str) -> tuple[Path, Vocab | None]:
    """Write one data file; returns its path and the previous vocabulary (None if there was none)."""
    filename, _ = FILES[kind]
    from hf_publish.safewrite import write_file

    path = directory / filename
    previous = None
    if path.is_file() and not path.is_symlink():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            previous = Vocab(kind, old.get("date", "?"), old.get("source", ""), tuple(old.get("ids", ())))
        except (ValueError, OSError):
            previous = None
    payload = {"date": date, "source": source, "kind": kind, "ids": ids}
    write_file(path, (json.dumps(payload, indent=1, ensure_ascii=False) + "\n").encode("utf-8"),
               what=f"the {kind} list")
    return path, previous


def default_output_dir() -> Path:
    return Path(str(resources.files("hf_publish.data")))


def command_refresh(args: argparse.Namespace) -> int:
    """`hf-publish refresh-vocab [--endpoint URL] [--output DIR]`."""
    output = Path(args.output) if getattr(args, "output", None) else default_output_dir()
    if not output.is_dir() or output.is_symlink():
        raise UsageError(f"--output {output}: not a folder" + (" (a symlink: hf-publish never writes through one)"
                                                                if output.is_symlink() else ""))
    endpoint = getattr(args, "endpoint", None)
    answer = fetch_model_tags(endpoint)
    where = (endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    today = _dt.date.today().isoformat()
    lists = {kind: ids_from_model_tags(answer, key) for kind, (_, key) in FILES.items()}
    from hf_publish.safewrite import UnsafeWriteError, write_problem

    for filename, _ in FILES.values():  # refuse before the first write: both lists or neither
        problem = write_problem(output / filename)
        if problem:
            raise UnsafeWriteError(f"refusing to write {output / filename}: {problem}; hf-publish never writes "
                                   "through a symlink. Nothing was written. Next: remove the link, or pass --output DIR")
    for kind, ids in lists.items():
        try:
            path, previous = write_vocab(output, kind, ids, date=today,
                                         source=f"{where}/api/models-tags-by-type (HfApi.get_model_tags)")
        except OSError as exc:
            raise UsageError(f"cannot write the {kind} list to {output}: {exc.strerror}; "
                             "pass --output DIR with a folder you can write to") from None
        change = ""
        if previous is not None:
            added = [i for i in ids if i not in previous.ids]
            removed = [i for i in previous.ids if i not in ids]
            change = f" (+{len(added)} added, -{len(removed)} removed since {previous.date})"
            if added:
                change += f"; added: {', '.join(added[:10])}{' ...' if len(added) > 10 else ''}"
            if removed:
                change += f"; removed: {', '.join(removed[:10])}{' ...' if len(removed) > 10 else ''}"
        print(f"{kind}: {len(ids)} ids dated {today} -> {path}{change}", file=sys.stdout)
    load.cache_clear()
    return 0
