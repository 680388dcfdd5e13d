"""The sandbox's xet CAS server: the HTTP API hf-xet's remote client speaks, on its own port.

On the Hub the CAS is a separate service whose URL the xet token endpoints return in
``X-Xet-Cas-Url``; the sandbox does the same (``Sandbox.cas_endpoint``), so its request log and
injected faults stay the Hub API's and hf-xet talks to a server, never to a shared directory.
Routes, as hf-xet 1.8.0 calls them (confirmed by driving it):

    GET  /v1/chunks/{prefix}/{hash}          global dedup query: always 404 (none offered)
    POST /v1/xorb-grants/{prefix}/{hash}     404: the client then posts the xorb itself
    POST /v1/xorbs/{prefix}/{hash}           a serialized xorb -> {"was_inserted": bool}
    POST /v2/shards                          404: the client falls back to /v1/shards
    POST /v1/shards, /shards                 an MDB shard -> {"result": 0 (exists) | 1 (stored)}
    GET  /v2/reconstructions/{file}          404: the client falls back to v1
    GET  /v1/reconstructions/{file}          terms + fetch_info (honours Range)
    GET  /reconstructions?file_id=..         the same for several files
    HEAD /v1/files/{file}                    Content-Length: the file size
    GET  /v1/fetch/{xorb}?exp=..&sig=..      raw xorb bytes for the Range asked (signed URL, no auth)
    POST /v1/telemetry                       accepted and dropped

Every call but the signed fetch carries ``Authorization: Bearer <xet token>`` minted by the
Hub's xet token endpoints: write tokens store bytes, read tokens only read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from .web import HubError, Request, Response
from .xet import HASH_RE, XetIndex

MiB = 1024 * 1024
MAX_XORB_BYTES = 80 * MiB  # xet caps a xorb at 64 MiB of chunks; the footer and headers add a little
MAX_SHARD_BYTES = 128 * MiB
MAX_SMALL_BODY = 1 * MiB  # grants, telemetry


class XetTokens:
    """Stateless xet access tokens: ``xet_<scope>_<expiry>_<signature>``, checked by the CAS server."""

    def __init__(self, secret: bytes | None = None, lifetime: int = 3600):
        self._secret = secret or secrets.token_bytes(32)
        self.lifetime = lifetime

    def _sign(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()[:40]

    def mint(self, scope: str) -> tuple[str, int]:
        """A token for "read" or "write" and its expiry (unix seconds)."""
        exp = int(time.time()) + self.lifetime
        body = f"{scope}_{exp}_{secrets.token_hex(8)}"
        return f"xet_{body}_{self._sign(body)}", exp

    def scope(self, token: str) -> str | None:
        """ "read" / "write" for a valid, unexpired token, else None."""
        parts = token.split("_")
        if len(parts) != 5 or parts[0] != "xet" or parts[1] not in ("read", "write"):
            return None
        body = "_".join(parts[1:4])
        if not hmac.compare_digest(parts[4], self._sign(body)):
            return None
        try:
            if int(parts[2]) < time.time():
                return None
        except ValueError:
            return None
        return parts[1]

    def sign_fetch(self, xorb: str, exp: int) -> str:
        return self._sign(f"fetch:{xorb}:{exp}")


class CasApp:
    """Request handling for the CAS server (``server.Handler`` does the HTTP plumbing)."""

    def __init__(self, xet: XetIndex, tokens: XetTokens):
        self.xet, self.tokens = xet, tokens
        self._xorb_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response], str | None]] = []
        h = r"(?P<hash>[0-9a-f]{64})"
        r = self._route
        r("GET", rf"/v1/chunks/[^/]+/{h}", self.dedup_query, "read")
        r("POST", rf"/v1/xorb-grants/[^/]+/{h}", self.xorb_grant, "write")
        r("POST", rf"/v1/xorbs/[^/]+/{h}", self.upload_xorb, "write")
        r("HEAD", rf"/v1/xorbs/[^/]+/{h}", self.head_xorb, "read")
        r("POST", r"/v2/shards", self.not_offered, "write")
        r("POST", r"/(?:v1/)?shards", self.upload_shard, "write")
        r("GET", rf"/v2/reconstructions/{h}", self.not_offered, "read")
        r("GET", rf"/v1/reconstructions/{h}", self.reconstruction, "read")
        r("GET", r"/reconstructions", self.batch_reconstruction, "read")
        r("HEAD", rf"/v1/files/{h}", self.head_file, "read")
        r("GET", rf"/v1/fetch/{h}", self.fetch, None)
        r("POST", r"/v1/telemetry", self.telemetry, "read")

    def _route(self, method: str, pattern: str, fn: Callable[..., Response], scope: str | None) -> None:
        self.routes.append((method, re.compile(pattern + r"\Z"), fn, scope))

    def handle(self, req: Request) -> Response:
        for method, pattern, fn, need in self.routes:
            m = pattern.match(req.path)
            if not m or method != req.method:
                continue
            if need is not None:
                header = req.headers.get("Authorization") or ""
                scope = self.tokens.scope(header[7:].strip()) if header.lower().startswith("bearer ") else None
                if scope is None:
                    raise HubError(401, "Invalid or expired xet access token")
                if need == "write" and scope != "write":
                    raise HubError(403, "This xet token can only read")
            return fn(req, **m.groupdict())
        raise HubError(404, "Not found")

    # -- uploads ------------------------------------------------------------------------------
    # The handlers take the route's named groups as keywords, so the `hash` parameter keeps that name.
    def not_offered(self, req: Request, **_: Any) -> Response:
        req.body.drain(limit=MAX_SHARD_BYTES)
        raise HubError(404, "Not offered by the sandbox CAS")

    def dedup_query(self, req: Request, hash: str) -> Response:
        raise HubError(404, "No global dedup shard")

    def xorb_grant(self, req: Request, hash: str) -> Response:
        req.body.read_all(limit=MAX_SMALL_BODY)
        raise HubError(404, "Xorb upload grants are not offered: post the xorb")

    def _sized_body(self, req: Request, limit: int) -> int:
        length = req.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise HubError(411, "Content-Length is required")
        if int(length) > limit:
            raise HubError(413, f"Body of {length} bytes is over the {limit} bytes accepted here")
        return int(length)

    def upload_xorb(self, req: Request, hash: str) -> Response:
        self._sized_body(req, MAX_XORB_BYTES)
        tmp = self.xet.tmp_path()
        try:
            with open(tmp, "wb") as f:
                buf = bytearray(1 << 20)
                while n := req.body.readinto(buf):
                    f.write(memoryview(buf)[:n])
            with self._locks_guard:
                lock = self._xorb_locks.setdefault(hash, threading.Lock())
            with lock:
                inserted = self.xet.add_xorb(hash, tmp)
        except ValueError as exc:
            raise HubError(400, f"Invalid xorb {hash}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return Response.json({"was_inserted": inserted})

    def head_xorb(self, req: Request, hash: str) -> Response:
        if self.xet.xorb_path(hash) is None:
            raise HubError(404, "Xorb not found")
        return Response(headers={"Content-Length": "0"})

    def upload_shard(self, req: Request) -> Response:
        self._sized_body(req, MAX_SHARD_BYTES)
        data = req.body.read_all(limit=MAX_SHARD_BYTES)
        try:
            stored = self.xet.add_shard(data)
        except (ValueError, IndexError) as exc:
            raise HubError(400, f"Invalid shard: {exc}") from exc
        except KeyError as exc:
            raise HubError(400, str(exc.args[0])) from exc
        return Response.json({"result": 1 if stored else 0})

    def telemetry(self, req: Request) -> Response:
        req.body.drain(limit=MAX_SMALL_BODY)
        return Response.json({})

    # -- downloads ----------------------------------------------------------------------------
    def _fetch_url(self, req: Request, xorb: str) -> str:
        exp = int(time.time()) + self.tokens.lifetime
        return f"{req.base}/v1/fetch/{xorb}?exp={exp}&sig={self.tokens.sign_fetch(xorb, exp)}"

    def _terms(self, req: Request, file_hash: str, rng: tuple[int, int] | None) -> tuple[dict[str, Any], int]:
        xet = self.xet.file(file_hash)
        if xet is None:
            raise HubError(404, f"File {file_hash} not found")
        start, end = rng if rng is not None else (0, xet.size - 1)
        if xet.size == 0 and rng is None:
            return {"terms": [], "fetch_info": {}}, 0
        if start >= xet.size or start > end:
            raise HubError(416, "Range not satisfiable")
        end = min(end, xet.size - 1)
        terms: list[dict[str, Any]] = []
        needed: dict[str, list[tuple[int, int]]] = {}
        pos, offset_into_first = 0, None
        for seg in xet.segments:
            seg_start, pos = pos, pos + seg.size
            if pos <= start or seg_start > end:
                continue
            if offset_into_first is None:
                offset_into_first = start - seg_start
            terms.append({"hash": seg.xorb, "unpacked_length": seg.size, "range": {"start": seg.start, "end": seg.end}})
            needed.setdefault(seg.xorb, []).append((seg.start, seg.end))
        # One fetch per run of chunks: the chunk ranges a xorb's terms need, merged and sorted (a
        # term is always inside exactly one of them, as the client expects).
        fetch_info = {}
        for xorb, ranges in needed.items():
            offsets = self.xet.offsets(xorb)
            if offsets is None or max(e for _, e in ranges) >= len(offsets):
                raise HubError(500, f"Xorb {xorb} is missing from the sandbox CAS")
            merged: list[list[int]] = []
            for s, e in sorted(ranges):
                if merged and s <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([s, e])
            url = self._fetch_url(req, xorb)
            fetch_info[xorb] = [
                {"range": {"start": s, "end": e}, "url": url, "url_range": {"start": offsets[s], "end": offsets[e] - 1}}
                for s, e in merged
            ]
        return {"terms": terms, "fetch_info": fetch_info}, offset_into_first or 0

    @staticmethod
    def _range(req: Request) -> tuple[int, int] | None:
        header = req.headers.get("Range")
        if not header:
            return None
        m = re.fullmatch(r"\s*bytes=(\d+)-(\d*)\s*", header)
        if not m:
            raise HubError(416, f"Unsupported Range header: {header}")
        return int(m.group(1)), int(m.group(2)) if m.group(2) else 2**63

    def reconstruction(self, req: Request, hash: str) -> Response:
        body, offset = self._terms(req, hash, self._range(req))
        return Response.json({"offset_into_first_range": offset, **body})

    def batch_reconstruction(self, req: Request) -> Response:
        files: dict[str, Any] = {}
        fetch_info: dict[str, list[Any]] = {}
        for file_id in req.query.get("file_id", []):
            if not HASH_RE.fullmatch(file_id):
                raise HubError(400, "Invalid file_id format")
            body, _ = self._terms(req, file_id, None)
            files[file_id] = body["terms"]
            for xorb, infos in body["fetch_info"].items():
                known = fetch_info.setdefault(xorb, [])
                known += [i for i in infos if i not in known]
        return Response.json({"files": files, "fetch_info": fetch_info})

    def head_file(self, req: Request, hash: str) -> Response:
        xet = self.xet.file(hash)
        if xet is None:
            raise HubError(404, f"File {hash} not found")
        return Response(headers={"Content-Length": str(xet.size)})

    def fetch(self, req: Request, hash: str) -> Response:
        try:
            exp = int(req.arg("exp") or "0")
        except ValueError:
            exp = 0
        if exp < time.time() or not hmac.compare_digest(req.arg("sig") or "", self.tokens.sign_fetch(hash, exp)):
            raise HubError(403, "Invalid or expired fetch URL signature")
        path = self.xet.xorb_path(hash)
        if path is None:
            raise HubError(404, "Xorb not found")
        size = path.stat().st_size
        header = req.headers.get("Range") or f"bytes=0-{size - 1}"
        ranges = []
        for part in header.strip()[len("bytes=") :].split(","):
            m = re.fullmatch(r"\s*(\d+)-(\d+)\s*", part)
            if (
                not header.strip().startswith("bytes=")
                or not m
                or int(m.group(1)) > int(m.group(2))
                or int(m.group(2)) >= size
            ):
                raise HubError(416, f"Range not satisfiable: {header}", headers={"Content-Range": f"bytes */{size}"})
            ranges.append((int(m.group(1)), int(m.group(2))))
        if len(ranges) == 1:
            start, end = ranges[0]
            return Response(
                status=206,
                file=(path, start, end - start + 1),
                content_type="application/octet-stream",
                headers={"Content-Range": f"bytes {start}-{end}/{size}"},
            )
        boundary = "sandbox_xet_multipart_boundary"
        out = bytearray()
        with open(path, "rb") as f:
            for start, end in ranges:
                f.seek(start)
                out += (
                    f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                    f"Content-Range: bytes {start}-{end}/{size}\r\n\r\n"
                ).encode()
                out += f.read(end - start + 1) + b"\r\n"
        out += f"--{boundary}--\r\n".encode()
        return Response(status=206, body=bytes(out), content_type=f"multipart/byteranges; boundary={boundary}")
