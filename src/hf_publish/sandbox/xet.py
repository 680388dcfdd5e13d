"""The sandbox's xet storage: the CAS the client uploads to, read back without hf-xet.

The Hub's xet lane talks HTTP to a separate CAS server (``X-Xet-Cas-Url``); the sandbox runs one
(``cas.CasApp``) and keeps what it receives in a layout of its own under the CAS dir::

    xorbs/<xorb hash>         serialized xorbs as the client posted them (chunks + footer)
    shards/<sha256>.mdb       MDB shards: which file hash is made of which xorb chunk ranges

No database and no lock: any number of client processes upload and download at once, and the
server reads files back itself (commit-time scanning, plain-HTTP downloads, ``Sandbox.read_file``)
by parsing shards and xorbs here, with a small LZ4 decoder. Formats (xet-core ``mdb_shard`` and
``cas_object``): a shard is a 48-byte header then the file info section, one 48-byte header per
file (hash, flags, entry count) followed by its 48-byte segment entries (xorb hash, flags,
unpacked bytes, chunk start, chunk end); flag 0x80000000 adds as many verification entries and
0x40000000 one metadata entry holding the sha256. A xorb is a run of chunks, each an 8-byte
header (version 0, compressed length u24, scheme, uncompressed length u24) and its payload:
scheme 0 stored, 1 an LZ4 frame, 2 an LZ4 frame of the bytes regrouped by position mod 4.
Hashes print as hf-xet prints them: 4 little-endian u64 words, 16 hex digits each.

A CAS dir written by older sandboxes through hf-xet's ``local://`` backend
(``xet/xorbs/{shards,xorbs}``) is read too.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_HEADER_SIZE = 48
_ENTRY_SIZE = 48
_FLAG_VERIFICATION = 0x80000000
_FLAG_METADATA_EXT = 0x40000000
_BOOKEND = b"\xff" * 32
_CHUNK_HEADER = 8
_XORB_FOOTER_MAGIC = b"XETBLOB"
HASH_RE = re.compile(r"[0-9a-f]{64}")


def _hash_hex(raw: bytes) -> str:
    """A MerkleHash as hf-xet prints it: 4 little-endian u64 words, 16 hex digits each."""
    return "".join(f"{w:016x}" for w in struct.unpack("<4Q", raw))


@dataclass(frozen=True)
class Segment:
    xorb: str  # xorb hash
    size: int  # unpacked bytes of this run of chunks
    start: int  # first chunk index
    end: int  # chunk index after the last


@dataclass(frozen=True)
class XetFile:
    xet_hash: str
    sha256: str | None
    size: int
    segments: tuple[Segment, ...]


def parse_shard(data: bytes) -> list[XetFile]:
    """Every file entry of one MDB shard; ValueError if the shard is truncated or malformed."""
    files: list[XetFile] = []
    off = _HEADER_SIZE
    while off + _ENTRY_SIZE <= len(data):
        file_hash = data[off : off + 32]
        flags, n = struct.unpack_from("<II", data, off + 32)
        if file_hash == _BOOKEND:
            return files
        off += _ENTRY_SIZE
        if off + n * _ENTRY_SIZE > len(data):
            break
        segments = []
        for i in range(n):
            entry = off + i * _ENTRY_SIZE
            size, start, end = struct.unpack_from("<III", data, entry + 36)
            if end < start:
                raise ValueError("MDB shard segment ends before it starts")
            segments.append(Segment(_hash_hex(data[entry : entry + 32]), size, start, end))
        off += n * _ENTRY_SIZE
        if flags & _FLAG_VERIFICATION:
            off += n * _ENTRY_SIZE
        sha256 = None
        if flags & _FLAG_METADATA_EXT:
            if off + _ENTRY_SIZE > len(data):
                break
            sha256 = _hash_hex(data[off : off + 32])
            off += _ENTRY_SIZE
        files.append(XetFile(_hash_hex(file_hash), sha256, sum(s.size for s in segments), tuple(segments)))
    raise ValueError("MDB shard ends before its file info bookend (incomplete write?)")


# -- chunk decoding ---------------------------------------------------------------------------
def _lz4_length(src: memoryview, i: int, length: int) -> tuple[int, int]:
    """A token's 4-bit length, extended by the 255-runs that follow it when it is 15."""
    if length == 15:
        while True:
            b = src[i]
            i += 1
            length += b
            if b != 255:
                break
    return length, i


def _lz4_block(src: memoryview, out: bytearray) -> None:
    """Decode one LZ4 block, appending to ``out`` (earlier output is the match window)."""
    i, n = 0, len(src)
    while i < n:
        token = src[i]
        length, i = _lz4_length(src, i + 1, token >> 4)
        out += src[i : i + length]
        i += length
        if i >= n:
            return
        offset = src[i] | (src[i + 1] << 8)
        if offset == 0 or offset > len(out):
            raise ValueError("LZ4 match offset outside the decoded data")
        length, i = _lz4_length(src, i + 2, token & 15)
        length += 4
        start = len(out) - offset
        if length <= offset:
            out += out[start : start + length]
        else:  # overlapping copy: the last `offset` bytes repeat
            pattern = bytes(out[start:])
            out += (pattern * (length // offset + 1))[:length]


def lz4_frame_decompress(data: bytes | memoryview) -> bytes:
    src = memoryview(data)
    if bytes(src[:4]) != b"\x04\x22\x4d\x18":
        raise ValueError("not an LZ4 frame")
    flg = src[4]
    pos = 6 + (8 if flg & 0x08 else 0) + (4 if flg & 0x01 else 0) + 1
    block_checksum = bool(flg & 0x10)
    out = bytearray()
    while True:
        (size,) = struct.unpack_from("<I", src, pos)
        pos += 4
        if size == 0:
            return bytes(out)
        stored, size = bool(size & 0x80000000), size & 0x7FFFFFFF
        block = src[pos : pos + size]
        if len(block) != size:
            raise ValueError("LZ4 frame truncated")
        if stored:
            out += block
        else:
            _lz4_block(block, out)
        pos += size + (4 if block_checksum else 0)


def _bg4_regroup(data: bytes) -> bytes:
    """Undo xet's byte grouping: group k holds the bytes at positions k, k+4, k+8, ..."""
    n = len(data)
    out = bytearray(n)
    pos = 0
    for k in range(4):
        size = n // 4 + (1 if k < n % 4 else 0)
        out[k::4] = data[pos : pos + size]
        pos += size
    return bytes(out)


def decode_chunk(scheme: int, payload: bytes, size: int) -> bytes:
    if scheme == 0:
        data = bytes(payload)
    elif scheme == 1:
        data = lz4_frame_decompress(payload)
    elif scheme == 2:
        data = _bg4_regroup(lz4_frame_decompress(payload))
    else:
        raise ValueError(f"unknown xorb chunk compression scheme {scheme}")
    if len(data) != size:
        raise ValueError(f"xorb chunk decodes to {len(data)} bytes, its header says {size}")
    return data


def chunk_offsets(read_at: Callable[[int, int], bytes], length: int) -> list[int]:
    """Byte offset of every chunk of a xorb, plus the end of the last one (where the footer starts)."""
    offsets, pos = [], 0
    while pos + _CHUNK_HEADER <= length:
        header = read_at(pos, _CHUNK_HEADER)
        if header.startswith(_XORB_FOOTER_MAGIC):
            break
        if header[0] != 0:
            raise ValueError(f"unknown xorb chunk version {header[0]} at byte {pos}")
        offsets.append(pos)
        pos += _CHUNK_HEADER + int.from_bytes(header[1:4], "little")
    if pos > length:
        raise ValueError("xorb ends inside a chunk")
    offsets.append(pos)
    return offsets


class XetIndex:
    """The CAS dir: stores what the CAS server receives and reads files back from it.

    ``cas_url`` is set by ``Sandbox`` once its CAS server has a port; it is what the xet token
    endpoints answer in ``X-Xet-Cas-Url``.
    """

    def __init__(self, cas_dir: Path):
        self.cas_dir = Path(cas_dir)
        for sub in ("xorbs", "shards", "tmp"):
            (self.cas_dir / sub).mkdir(parents=True, exist_ok=True)
        self.cas_url = ""
        self._seen: set[Path] = set()
        self._by_sha: dict[str, XetFile] = {}
        self._by_hash: dict[str, XetFile] = {}
        self._offsets: dict[str, list[int]] = {}
        self._lock = threading.Lock()
        self._materialize_locks: dict[str, threading.Lock] = {}

    # -- storing (the CAS server) ---------------------------------------------------------------
    def xorb_path(self, xorb_hash: str) -> Path | None:
        for path in (
            self.cas_dir / "xorbs" / xorb_hash,
            self.cas_dir / "xet" / "xorbs" / "xorbs" / f"default.{xorb_hash}",
        ):
            if path.is_file():
                return path
        return None

    def tmp_path(self) -> Path:
        return self.cas_dir / "tmp" / uuid.uuid4().hex

    def add_xorb(self, xorb_hash: str, tmp: Path) -> bool:
        """Move a received xorb into place after checking its chunk layout; False if it was known."""
        with open(tmp, "rb") as f:

            def read_at(pos: int, n: int) -> bytes:
                f.seek(pos)
                return f.read(n)

            offsets = chunk_offsets(read_at, tmp.stat().st_size)
        if len(offsets) < 2:
            raise ValueError("xorb holds no chunk")
        dest = self.cas_dir / "xorbs" / xorb_hash
        known = dest.exists()
        os.replace(tmp, dest)
        with self._lock:
            self._offsets[xorb_hash] = offsets
        return not known

    def add_shard(self, data: bytes) -> bool:
        """Store a shard after parsing it; every xorb it names must already be stored."""
        files = parse_shard(data)
        missing = sorted({s.xorb for f in files for s in f.segments if self.xorb_path(s.xorb) is None})
        if missing:
            raise KeyError(f"shard references xorbs that were never uploaded: {', '.join(missing[:3])}")
        dest = self.cas_dir / "shards" / f"{hashlib.sha256(data).hexdigest()}.mdb"
        if dest.exists():
            return False
        tmp = self.tmp_path()
        tmp.write_bytes(data)
        os.replace(tmp, dest)
        with self._lock:
            self._index(files)
            self._seen.add(dest)
        return True

    # -- reading --------------------------------------------------------------------------------
    def _index(self, files: list[XetFile]) -> None:
        for f in files:
            self._by_hash[f.xet_hash] = f
            if f.sha256:
                self._by_sha[f.sha256] = f

    def _refresh(self) -> None:
        for shard_dir in (self.cas_dir / "shards", self.cas_dir / "xet" / "xorbs" / "shards"):
            if not shard_dir.is_dir():
                continue
            for entry in os.scandir(shard_dir):
                path = Path(entry.path)
                if not entry.name.endswith(".mdb") or path in self._seen:
                    continue
                try:
                    self._index(parse_shard(path.read_bytes()))
                except (OSError, ValueError, struct.error):
                    continue  # a shard still being written by an old local:// client: read it next time
                self._seen.add(path)

    def lookup(self, sha256: str) -> tuple[str, int] | None:
        """(xet file hash, size) of the file with this sha256, if a shard describes it."""
        with self._lock:
            hit = self._by_sha.get(sha256)
            if hit is None:
                self._refresh()
                hit = self._by_sha.get(sha256)
        return (hit.xet_hash, hit.size) if hit else None

    def file(self, xet_hash: str) -> XetFile | None:
        with self._lock:
            hit = self._by_hash.get(xet_hash)
            if hit is None:
                self._refresh()
                hit = self._by_hash.get(xet_hash)
        return hit

    def offsets(self, xorb_hash: str) -> list[int] | None:
        with self._lock:
            hit = self._offsets.get(xorb_hash)
        if hit is not None:
            return hit
        path = self.xorb_path(xorb_hash)
        if path is None:
            return None
        with open(path, "rb") as f:

            def read_at(pos: int, n: int) -> bytes:
                f.seek(pos)
                return f.read(n)

            hit = chunk_offsets(read_at, path.stat().st_size)
        with self._lock:
            self._offsets[xorb_hash] = hit
        return hit

    def iter_file(self, xet: XetFile) -> Iterator[bytes]:
        """The file's bytes, one decoded chunk at a time."""
        for seg in xet.segments:
            path, offsets = self.xorb_path(seg.xorb), self.offsets(seg.xorb)
            if path is None or offsets is None or seg.end >= len(offsets):
                raise OSError(f"xorb {seg.xorb} (chunks {seg.start}-{seg.end}) is missing from the CAS dir")
            with open(path, "rb") as f:
                f.seek(offsets[seg.start])
                for _ in range(seg.start, seg.end):
                    header = f.read(_CHUNK_HEADER)
                    clen = int.from_bytes(header[1:4], "little")
                    yield decode_chunk(header[4], f.read(clen), int.from_bytes(header[5:8], "little"))

    def materialize(self, sha256: str, dest: Path) -> bool:
        """Rebuild the file with this sha256 from the CAS dir into ``dest`` (atomic); False if unknown."""
        hit = self.lookup(sha256)
        if hit is None:
            return False
        xet = self.file(hit[0])
        assert xet is not None  # _index files every shard entry under its sha256 and its xet hash alike
        with self._lock:
            lock = self._materialize_locks.setdefault(sha256, threading.Lock())
        with lock:
            if dest.exists():
                return True
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + f".xet-{uuid.uuid4().hex}.tmp")
            digest = hashlib.sha256()
            try:
                with open(tmp, "wb") as f:
                    for block in self.iter_file(xet):
                        digest.update(block)
                        f.write(block)
                if digest.hexdigest() != sha256:
                    raise OSError(f"xet reconstruction of {sha256} gave {digest.hexdigest()}")
                os.replace(tmp, dest)
            finally:
                tmp.unlink(missing_ok=True)
            return True

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self._by_sha.clear()
            self._by_hash.clear()
            self._offsets.clear()
