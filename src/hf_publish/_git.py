"""The one module that talks to git.

The git binary is the only git there is: no GitPython. Everything returns plain data; nothing
here decides policy. A pre-commit hook is a new interpreter per commit, so the git calls are
built for start-up time:
- git is started with `os.posix_spawnp` and read through one poll loop (`_Spawned`): importing
  subprocess (threading, selectors, signal) would cost a hook ~4 ms; subprocess is the fallback
  where there is no posix_spawnp;
- `*_later` functions start git and return the function that collects its answer, so that git's
  start-up (~2 ms) runs while the caller works on;
- one `git cat-file --batch-command` (`BlobReader`) answers every size and content question of a
  check run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from hf_publish._record import Record
from hf_publish.errors import GitError

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    import subprocess
    import threading
    from typing import IO

LFS_ATTRIBUTES = ("filter", "diff", "merge", "text")
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/v1\n"
MAX_POINTER_SIZE = 1024  # the LFS spec caps pointers at 1024 bytes


class IndexEntry(Record):
    """A path as staged in git's index: `oid` is the git blob sha1 (the Hub's oid for regular files)."""

    path: str
    mode: str
    oid: str


class Blob(Record):
    """A blob's size and, when asked for and small enough, its bytes."""

    oid: str
    size: int
    data: bytes | None


def _git(root: Path | str, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    return _git_later(root, *args, input=input, check=check)()


def _git_later(root: Path | str, *args: str, input: bytes | None = None, check: bool = True) -> Callable[[], bytes]:
    """Start `git -C root ARGS` now; the function returned waits for its output. A hook calls the
    function later, so git's start-up (~2 ms) runs while Python works on."""
    proc = _spawn(["git", "-C", str(root), *args], stdin=input is not None, stderr=True)

    def output() -> bytes:
        out, err = proc.communicate(input)
        if check and proc.returncode != 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {detail[-1] if detail else f'exit {proc.returncode}'}")
        return out

    return output


_NOT_INSTALLED = "git is not installed or not on PATH. Next: install git (e.g. apt-get install git) and retry"


class _Spawned:
    """The part of `subprocess.Popen` this module uses, for a git started by `os.posix_spawnp`:
    importing subprocess (threading, selectors, signal) would cost every hook ~4 ms.

    stdin is a pipe or /dev/null, stdout a pipe, stderr a pipe or /dev/null. SIGPIPE stays
    ignored in the child, as Python leaves it; git treats EPIPE as SIGPIPE on its own."""

    def __init__(self, argv: list[str], *, stdin: bool, stderr: bool) -> None:
        self.returncode: int | None = None
        self.stdin: IO[bytes] | None = None
        self.stdout: IO[bytes]
        self._stderr: int | None = None
        child_ends: list[int] = []
        actions: list[tuple[int, int, int]] = []
        try:
            for target, piped in ((0, stdin), (1, True), (2, stderr)):
                if piped:
                    read_end, write_end = os.pipe()
                    mine, theirs = (write_end, read_end) if target == 0 else (read_end, write_end)
                    if target == 0:
                        self.stdin = open(mine, "wb")  # noqa: SIM115 (closed by communicate/close)
                    elif target == 1:
                        self.stdout = open(mine, "rb")  # noqa: SIM115
                    else:
                        self._stderr = mine
                else:
                    theirs = os.open(os.devnull, os.O_RDONLY if target == 0 else os.O_WRONLY)
                child_ends.append(theirs)
                actions.append((os.POSIX_SPAWN_DUP2, theirs, target))
            self.pid = os.posix_spawnp(argv[0], argv, _git_env(), file_actions=actions)
        except BaseException:
            self._close_own_ends()
            raise
        finally:
            for fd in child_ends:
                os.close(fd)

    def _close_own_ends(self) -> None:
        for handle in (self.stdin, getattr(self, "stdout", None)):
            if handle is not None:
                try:  # noqa: SIM105 (contextlib.suppress: a hook would import contextlib)
                    handle.close()
                except OSError:
                    pass
        if self._stderr is not None:
            os.close(self._stderr)
            self._stderr = None

    def communicate(self, input: bytes | None = None) -> tuple[bytes, bytes]:
        """Write `input`, read stdout and stderr to their end, wait: one poll loop, no threads."""
        import select

        chunks: dict[int, list[bytes]] = {self.stdout.fileno(): []}
        if self._stderr is not None:
            chunks[self._stderr] = []
        poller = select.poll()
        for fd in chunks:
            poller.register(fd, select.POLLIN)
        view, offset = memoryview(input or b""), 0
        stdin, writer = self.stdin, None  # writer: stdin's fd while there is input left to write
        if stdin is not None:
            if view:
                writer = stdin.fileno()
                poller.register(writer, select.POLLOUT)
            else:
                stdin.close()
        open_fds = len(chunks) + (writer is not None)
        while open_fds:
            for fd, _ in poller.poll():
                if fd == writer:
                    try:  # at most PIPE_BUF bytes: POLLOUT promises that much room
                        offset += os.write(fd, view[offset : offset + select.PIPE_BUF])
                    except BrokenPipeError:
                        offset = len(view)
                    if offset >= len(view):
                        assert stdin is not None  # writer is set only with stdin
                        poller.unregister(fd)
                        stdin.close()
                        writer = None
                        open_fds -= 1
                    continue
                data = os.read(fd, 1 << 16)
                if data:
                    chunks[fd].append(data)
                else:
                    poller.unregister(fd)
                    open_fds -= 1
        out = b"".join(chunks[self.stdout.fileno()])
        err = b"".join(chunks[self._stderr]) if self._stderr is not None else b""
        self._close_own_ends()
        self.wait()
        return out, err

    def __del__(self) -> None:
        # A git started early and never asked (a check that failed first): close its pipes, so
        # that it ends, and reap it.
        if getattr(self, "pid", None) is not None and self.returncode is None:
            try:
                self._close_own_ends()
                self.wait()
            except Exception:
                pass

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def _std_fds_open() -> bool:
    """With 0, 1 or 2 closed, a pipe could land on a standard descriptor, which posix_spawn's dup2
    onto itself would leave close-on-exec: subprocess handles that case."""
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return False
    return True


def _spawn(argv: list[str], *, stdin: bool, stderr: bool) -> _Spawned | subprocess.Popen[bytes]:
    """Start git with pipes: `os.posix_spawnp` where there is one (Linux, macOS), else subprocess."""
    try:
        if hasattr(os, "posix_spawnp") and _std_fds_open():
            return _Spawned(argv, stdin=stdin, stderr=stderr)
        import subprocess

        return subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if stderr else subprocess.DEVNULL,
            env=_git_env(),
        )
    except FileNotFoundError:
        raise GitError(_NOT_INSTALLED) from None


def find_root(start: Path | str = ".") -> Path | None:
    """The work tree's top folder, or None outside a git work tree.

    Under pre-commit or prek (`PRE_COMMIT=1`) a hook starts in the top folder (both chdir there
    first): when `start` is the current folder, holds `.git` and no GIT_DIR/GIT_WORK_TREE points
    elsewhere, that folder is the answer without a `git rev-parse` (~2 ms of every hook)."""
    if _started_at_top(start):
        return Path(os.getcwd())
    out = _git(start, "rev-parse", "--show-toplevel", check=False).strip()
    return Path(out.decode()) if out else None


def _started_at_top(start: Path | str) -> bool:
    env = os.environ
    if env.get("PRE_COMMIT") != "1" or "GIT_DIR" in env or "GIT_WORK_TREE" in env:
        return False
    try:
        return os.path.samefile(start, ".") and os.path.lexists(".git")
    except OSError:
        return False


def current_branch(root: Path) -> str | None:
    """The checked-out branch name, or None on a detached HEAD.

    In a plain clone (`.git` a folder, no GIT_DIR) this is `.git/HEAD` as git writes it
    ("ref: refs/heads/<name>", or a commit id when detached), read without starting a git; any
    other shape (a worktree, a submodule, the reftable backend's placeholder) is asked of git."""
    branch = _branch_from_head_file(root)
    if branch is not None:
        return branch or None
    out = _git(root, "symbolic-ref", "--short", "-q", "HEAD", check=False).strip()
    return out.decode() if out else None


_HEX = frozenset("0123456789abcdef")


def _branch_from_head_file(root: Path) -> str | None:
    """The branch `.git/HEAD` names, "" when it holds a commit id, None when git must be asked."""
    if "GIT_DIR" in os.environ:
        return None
    try:
        with open(os.path.join(root, ".git", "HEAD"), "rb") as handle:
            head = handle.read(4096).decode("utf-8").rstrip("\n")
    except (OSError, UnicodeDecodeError):  # `.git` is a file (worktree, submodule), or no repo
        return None
    if head.startswith("ref: refs/heads/"):
        name = head[len("ref: refs/heads/") :]
        return name if name and name != ".invalid" and "\n" not in name else None
    return "" if len(head) in (40, 64) and set(head) <= _HEX else None


def head_commit(root: Path) -> str | None:
    """HEAD's commit sha, or None in a repo with no commits yet."""
    out = _git(root, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False).strip()
    return out.decode() if out else None


def _split_z(out: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def staged_paths(root: Path) -> list[str]:
    """Paths added, copied, modified or renamed in the index (what the next commit adds)."""
    if head_commit(root) is None:
        return [e.path for e in index_entries(root)]
    return _split_z(_git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--no-renames"))


def index_entries(root: Path, paths: Sequence[str] | None = None, globs: Sequence[str] = ()) -> list[IndexEntry]:
    """Index entries (stage 0) for `paths` (and `globs`, see `index_entries_later`), or for every
    tracked file."""
    return index_entries_later(root, paths, globs)()


def index_entries_later(
    root: Path, paths: Sequence[str] | None = None, globs: Sequence[str] = ()
) -> Callable[[], list[IndexEntry]]:
    """`index_entries`, with git started now and its answer collected by the function returned.

    `globs` adds the entries that git's glob pathspecs name (`**/*.gguf`: at any depth), so one
    question can list a few named files and every file of a kind without listing the index."""
    args = ["ls-files", "-s", "-z", "--full-name"]
    if paths is not None:
        if not paths and not globs:
            return list
        args += ["--", *[f":(literal){p}" for p in paths], *[f":(glob){g}" for g in globs]]
    output = _git_later(root, *args)
    return lambda: [IndexEntry(path, mode, oid) for (mode, oid, stage), path in _listing(output()) if stage == "0"]


def _listing(out: bytes) -> list[tuple[list[str], str]]:
    """`<fields> TAB <path>` records of `git ls-files -s -z` / `git ls-tree -z`: (fields, path)."""
    records = []
    for record in out.split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            records.append((meta.decode().split(), path.decode("utf-8", "surrogateescape")))
    return records


def check_attr(
    root: Path,
    paths: Iterable[str],
    attributes: Sequence[str] = LFS_ATTRIBUTES,
    *,
    cached: bool = False,
    git_dir: str | None = None,
) -> dict[str, dict[str, str]]:
    """What the repository's .gitattributes files say for each path, as git computes it (the path
    need not exist). Values are git's: "set", "unset", "unspecified" or the value string.

    With `cached`, attributes come from the index's .gitattributes (what is being committed).
    The user's global `core.attributesFile` is ignored: a rule that lives only in one developer's
    home folder would pass here and fail in every other clone (and on the Hub).
    """
    return check_attr_later(root, paths, attributes, cached=cached, git_dir=git_dir)()


def check_attr_later(
    root: Path,
    paths: Iterable[str],
    attributes: Sequence[str] = LFS_ATTRIBUTES,
    *,
    cached: bool = False,
    git_dir: str | None = None,
) -> Callable[[], dict[str, dict[str, str]]]:
    """`check_attr`, with git started now and its answer collected by the function returned."""
    paths = list(paths)
    if not paths:
        return dict
    args = ["-c", "core.attributesFile=/dev/null", "check-attr", "-z", "--stdin"]
    if git_dir is not None:  # a folder outside git (see folder_check_attr)
        args = ["--git-dir", git_dir, "--work-tree", str(root)] + args
    args += (["--cached"] if cached else []) + list(attributes)
    output = _git_later(root, *args, input=b"\0".join(p.encode("utf-8", "surrogateescape") for p in paths) + b"\0")

    def result() -> dict[str, dict[str, str]]:
        fields = output().split(b"\0")
        answer: dict[str, dict[str, str]] = {}
        for i in range(0, len(fields) - 2, 3):
            path = fields[i].decode("utf-8", "surrogateescape")
            answer.setdefault(path, {})[fields[i + 1].decode()] = fields[i + 2].decode()
        return answer

    return result


def is_lfs_tracked(attributes: dict[str, str]) -> bool:
    return attributes.get("filter") == "lfs"


def read_blobs(root: Path, oids: Iterable[str], *, max_bytes: int) -> dict[str, Blob]:
    """Sizes of blobs by oid, with the bytes of those no larger than `max_bytes`.

    Sizes come from `git cat-file --batch-check`; only small blobs are then read, so a staged
    2 GB file is never loaded to learn that it is too large.
    """
    sizes = blob_sizes(root, oids)
    small = [oid for oid, size in sizes.items() if size <= max_bytes]
    data: dict[str, bytes] = {}
    if small:
        out = _git(root, "cat-file", "--batch", input="\n".join(small).encode() + b"\n")
        pos = 0
        for oid in small:
            header_end = out.index(b"\n", pos)
            size = int(out[pos:header_end].split()[2])
            start = header_end + 1
            data[oid] = out[start : start + size]
            pos = start + size + 1
    return {oid: Blob(oid, size, data.get(oid)) for oid, size in sizes.items()}


def parse_lfs_pointer(data: bytes) -> tuple[str, int] | None:
    """(sha256, size) of a git-lfs pointer file, or None if `data` is not one."""
    if len(data) > MAX_POINTER_SIZE or not data.startswith(LFS_POINTER_PREFIX):
        return None
    oid = size = None
    for line in data.decode("ascii", "replace").splitlines()[1:]:
        key, _, value = line.partition(" ")
        if key == "oid" and value.startswith("sha256:") and len(value) == 71:
            oid = value[7:]
        elif key == "size" and value.isdigit():
            size = int(value)
    return (oid, size) if oid and size is not None else None


def modified_paths(root: Path, paths: Sequence[str] | None = None) -> set[str]:
    """Tracked paths (all, or among `paths`) whose working-tree content differs from the index."""
    if paths is not None and not paths:
        return set()
    limit = ["--", *[f":(literal){p}" for p in paths]] if paths is not None else []
    return set(_split_z(_git(root, "diff", "--name-only", "-z", "--no-renames", *limit)))


def remote_urls(root: Path) -> dict[str, str]:
    """The fetch URL of each remote, by name (`git config --get-regexp`, nothing fetched)."""
    out = _git(root, "config", "--get-regexp", r"^remote\..*\.url$", check=False).decode("utf-8", "replace")
    urls = {}
    for line in out.splitlines():
        key, _, url = line.partition(" ")
        urls[key[len("remote.") : -len(".url")]] = url.strip()
    return urls


def untracked_paths(root: Path, under: str = ".") -> list[str]:
    """Untracked, not ignored files below `under` (relative to the root)."""
    return _split_z(
        _git(root, "ls-files", "-o", "--exclude-standard", "-z", "--full-name", "--", f":(literal){under or '.'}")
    )


def is_shallow(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-shallow-repository").strip() == b"true"


# --- lfs/secrets -------------------------------------------------------------------------------
# Reading what is staged for the lfs and secrets checks without ever loading a big blob: sizes
# first (`cat-file --batch-check`, which reads object headers only), then at most `limit` bytes
# of just the blobs a check asks for, streamed so memory stays bounded whatever is staged.

REGULAR_FILE_MODES = frozenset({"100644", "100755"})  # not symlinks (120000), not submodules (160000)
_PIPE_BUFFER = 32 * 1024  # below this, the oid list is written to git in one go without a thread


def _git_env() -> dict[str, str]:
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def blob_sizes(root: Path, oids: Iterable[str]) -> dict[str, int]:
    """Size in bytes of each blob, without reading its content (missing objects are left out)."""
    oids = list(dict.fromkeys(oids))
    if not oids:
        return {}
    out = _git(root, "cat-file", "--batch-check", input="\n".join(oids).encode() + b"\n")
    sizes: dict[str, int] = {}
    for line in out.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    return sizes


def _feed(stdin: IO[bytes], payload: bytes, *, close: bool) -> threading.Thread | None:
    """Write `payload` to git's stdin, then close it (or flush it, for a git that goes on reading).
    A payload that fits in the pipe is written here: git's answers cannot block that write. A
    larger one is written from a thread, since git answers while it reads and both pipes would
    fill up; the caller joins the thread once it has read the answers. A git that has gone
    (BrokenPipeError) is found out by the caller's reads."""

    def write() -> None:
        try:
            stdin.write(payload)
            if close:
                stdin.close()
            else:
                stdin.flush()
        except BrokenPipeError:
            pass

    if len(payload) <= _PIPE_BUFFER:
        write()
        return None
    import threading

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


_ONE_READ_MAX = 64 * 1024 * 1024  # below this total, one read of git's whole answer is fastest


def read_blob_prefixes(
    root: Path, oids: Iterable[str], *, limit: int, sizes: dict[str, int] | None = None
) -> dict[str, bytes]:
    """The first `limit` bytes of each blob, through one `git cat-file --batch`.

    The rest of each blob passes through the pipe and is dropped, so ask only for blobs of a
    sensible size (check `blob_sizes` first): git inflates a whole object to send it. With
    `sizes` (from `blob_sizes`) adding up to little, git's answer is read in one go; otherwise
    it is streamed, so memory stays bounded by `limit` per blob.
    """
    oids = list(dict.fromkeys(oids))
    if not oids:
        return {}
    if sizes is not None and all(o in sizes for o in oids) and sum(sizes[o] for o in oids) <= _ONE_READ_MAX:
        out = _git(root, "cat-file", "--batch", input="\n".join(oids).encode() + b"\n")
        result: dict[str, bytes] = {}
        pos = 0
        while pos < len(out):
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].split()
            pos = header_end + 1
            if len(header) == 3:  # "<oid> <type> <size>", then the content and a newline
                size = int(header[2])
                result[header[0].decode()] = out[pos : pos + min(size, limit)]
                pos += size + 1
        return result
    payload = "\n".join(oids).encode() + b"\n"
    proc = _spawn(["git", "-C", str(root), "cat-file", "--batch"], stdin=True, stderr=False)
    assert proc.stdin is not None and proc.stdout is not None
    writer = _feed(proc.stdin, payload, close=True)
    result = {}
    try:
        for _ in oids:
            header = proc.stdout.readline().split()
            if len(header) != 3:  # "<oid> missing" or git died
                if not header:
                    break
                continue
            oid, size = header[0].decode(), int(header[2])
            result[oid] = proc.stdout.read(min(size, limit))
            remaining = size - len(result[oid])
            while remaining > 0:
                chunk = proc.stdout.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            proc.stdout.read(1)  # the newline after each object
    finally:
        proc.stdout.close()
        if writer is not None:
            writer.join()
        proc.wait()
    return result


class BlobReader:
    """Sizes and first bytes of blobs for a whole check run, from ONE `git cat-file --batch-command`
    process (git 2.36+) that lives until `close`: the lfs, secrets and model-card checks ask it
    in turn, where each question used to start a git (~2 ms of a hook each). A git without
    --batch-command answers through `blob_sizes` and `read_blob_prefixes` instead.

    Ask for the contents of blobs of a sensible size only (`sizes` first): git sends a whole
    object, and what lies past `limit` is read and dropped.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._proc: _Spawned | subprocess.Popen[bytes] | None = None
        self._batch_command: bool | None = None  # None: not tried yet

    def sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """Size in bytes of each blob (missing objects and non-blobs are left out)."""
        oids = list(dict.fromkeys(oids))
        if not oids:
            return {}
        answers = self._ask("info", oids, limit=0)
        if answers is None:
            return blob_sizes(self.root, oids)
        return {answer[0]: answer[1] for answer in answers if answer is not None}

    def prefixes(self, oids: Iterable[str], *, limit: int) -> dict[str, bytes]:
        """The first `limit` bytes of each blob (missing objects are left out)."""
        oids = list(dict.fromkeys(oids))
        if not oids:
            return {}
        answers = self._ask("contents", oids, limit=limit)
        if answers is None:
            return read_blob_prefixes(self.root, oids, limit=limit)
        return {answer[0]: answer[2] for answer in answers if answer is not None}

    def staged(self, paths: Sequence[str]) -> dict[str, tuple[str, int]] | None:
        """(blob id, size) of the file staged at each path (relative to the root), as git's index
        holds it at stage 0, with no `ls-files`: asked as `:0:<path>`. Left out: what is not a
        staged blob (a folder, a submodule, a path not in the index, a name with a newline, which
        the question cannot carry). A symlink's blob is its target. None without --batch-command."""
        askable = [p for p in dict.fromkeys(paths) if "\n" not in p and p]
        if not askable:
            return {}
        answers = self._ask("info", [f":0:{p}" for p in askable], limit=0)
        if answers is None:
            return None
        return {
            path: (answer[0], answer[1]) for path, answer in zip(askable, answers, strict=True) if answer is not None
        }

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            assert proc.stdin is not None and proc.stdout is not None
            try:  # noqa: SIM105 (contextlib.suppress: a hook would import contextlib)
                proc.stdin.close()
            except BrokenPipeError:
                pass
            proc.stdout.close()
            proc.wait()

    def __del__(self) -> None:  # a CheckContext dropped without close(): git ends with its input
        try:  # noqa: SIM105 (contextlib.suppress: a hook would import contextlib)
            self.close()
        except Exception:
            pass

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> None:
        """Start git now, so that it gets ready while the caller works on (the first question
        would start it anyway)."""
        self._start()

    def _start(self) -> _Spawned | subprocess.Popen[bytes] | None:
        if self._batch_command is False:
            return None
        if self._proc is None:
            self._proc = _spawn(["git", "-C", str(self.root), "cat-file", "--batch-command"], stdin=True, stderr=False)
        return self._proc

    def _ask(self, command: str, oids: list[str], *, limit: int) -> list[tuple[str, int, bytes] | None] | None:
        """For each object asked for, in order: (blob id, size, first `limit` bytes), or None when it
        is missing or not a blob. None when this git has no --batch-command."""
        proc = self._start()
        if proc is None:
            return None
        assert proc.stdin is not None and proc.stdout is not None
        stdout = proc.stdout
        writer = _feed(proc.stdin, "".join(f"{command} {oid}\n" for oid in oids).encode(), close=False)
        answers: list[tuple[str, int, bytes] | None] = []
        try:
            for index in range(len(oids)):
                header = stdout.readline()
                if not header.endswith(b"\n"):  # git stopped answering
                    if index == 0 and self._batch_command is None:
                        self._batch_command = False  # an older git: "unknown option"
                        self.close()
                        return None
                    raise GitError("git cat-file stopped answering. Next: run `git fsck` in this repository")
                parts = header.split()
                if len(parts) != 3:  # "<oid> missing" or "<oid> ambiguous"
                    answers.append(None)
                    continue
                size = int(parts[2])
                data = b""
                if command == "contents":
                    data = stdout.read(min(size, limit))
                    remaining = size - len(data)
                    while remaining > 0:
                        chunk = stdout.read(min(remaining, 1 << 20))
                        if not chunk:
                            break
                        remaining -= len(chunk)
                    stdout.read(1)  # the newline after each object
                answers.append((parts[0].decode(), size, data) if parts[1] == b"blob" else None)
        finally:
            if writer is not None:
                writer.join()
        self._batch_command = True
        return answers


# --- action ------------------------------------------------------------------------------------
# What changed between two commits, for `hf-publish matrix` (the monorepo workflow's job matrix).


def resolve_commit(root: Path, rev: str) -> str | None:
    """The commit sha `rev` names, or None when it is unknown here (e.g. cut off by a shallow clone)."""
    if not rev or rev.startswith("-"):
        return None
    out = _git(root, "rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}", check=False).strip()
    return out.decode() if out else None


def changed_paths(root: Path, base: str, head: str = "HEAD") -> list[str]:
    """Paths added, modified, deleted or renamed (both names) between two commits."""
    return _split_z(_git(root, "diff", "--name-only", "-z", "--no-renames", base, head, "--"))


# --- publish -----------------------------------------------------------------------------------
# The publish plan reads ids from the index; a stale index (files written just before it, "racily
# clean") makes every later `git diff` re-read those files through their filters (git-lfs reads
# whole weights). One explicit refresh records their stat data, as `git status` would.


def refresh_index(root: Path) -> None:
    """`git update-index -q --refresh`: update the index's stat cache; never fails the caller
    (a read-only checkout or a held index.lock only costs speed)."""
    _git(root, "update-index", "-q", "--refresh", check=False)


def is_ancestor(root: Path, commit: str, of: str = "HEAD") -> bool:
    """Is `commit` `of` itself or one of its ancestors? False when either is unknown here (a
    shallow clone, another clone's commit)."""
    if not commit or commit.startswith("-"):
        return False
    out = _git(root, "merge-base", "--end-of-options", commit, of, check=False).strip().decode()
    return bool(out) and out == commit


def tree_entries(root: Path, commit: str, folder: str = ".") -> list[IndexEntry]:
    """Regular files of `folder` (relative to the root) in a commit's tree, with their blob ids:
    what a clean checkout of that commit held. Paths are relative to the root."""
    args = ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit]
    if folder not in ("", "."):
        args += ["--", f":(literal){folder.rstrip('/')}"]
    return [
        IndexEntry(path, mode, oid)
        for (mode, kind, oid), path in _listing(_git(root, *args))
        if kind == "blob" and mode in REGULAR_FILE_MODES
    ]


def known_commits(root: Path, shas: Iterable[str]) -> set[str]:
    """Which of these commit shas this clone holds (one `git cat-file --batch-check`)."""
    shas = [s for s in dict.fromkeys(shas) if s and not s.startswith("-")]
    if not shas:
        return set()
    out = _git(root, "cat-file", "--batch-check", input="\n".join(shas).encode() + b"\n")
    return {
        parts[0]
        for parts in (line.split() for line in out.decode().splitlines())
        if len(parts) == 3 and parts[1] == "commit"
    }


def folder_check_attr(
    folder: Path, paths: Iterable[str], attributes: Sequence[str] = LFS_ATTRIBUTES
) -> dict[str, dict[str, str]]:
    """`check_attr` for a folder that is not in a git work tree: git reads the folder's own
    .gitattributes files through a throwaway, empty git dir (the folder is not touched)."""
    import tempfile

    paths = list(paths)
    if not paths:
        return {}
    with tempfile.TemporaryDirectory(prefix="hf-publish-attr-") as git_dir:
        _git(git_dir, "init", "-q", "--bare", git_dir)
        return check_attr(folder, paths, attributes, git_dir=git_dir)


def is_ignored_folder(root: Path, folder: str) -> bool:
    """Does git ignore this folder as a whole (`git check-ignore`), e.g. `outputs/` in .gitignore?"""
    proc = _spawn(
        ["git", "-C", str(root), "check-ignore", "-q", "--", folder.rstrip("/") + "/"], stdin=False, stderr=True
    )
    proc.communicate()
    return proc.returncode == 0


def changed_since_head(root: Path, folder: str = ".") -> list[str]:
    """Paths below `folder` whose working-tree state differs from HEAD: staged, modified, deleted
    or untracked (not ignored). Every path when there is no commit yet."""
    out = _git(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        f":(literal){folder or '.'}",
    )
    paths = []
    for record in out.split(b"\0"):
        if len(record) > 3:
            paths.append(record[3:].decode("utf-8", "surrogateescape"))
    return paths


def history_objects(root: Path, rev_range: str) -> dict[str, str]:
    """Object id -> the first path it appears at, for every object reachable in `rev_range`
    (`--all`: every ref). Commits and the root tree have no path and are left out."""
    args = ["rev-list", "--objects", *(["--all"] if rev_range == "--all" else [rev_range])]
    paths: dict[str, str] = {}
    for line in _git(root, *args).decode("utf-8", "surrogateescape").splitlines():
        oid, _, path = line.partition(" ")
        if path and oid not in paths:
            paths[oid] = path
    return paths


def commits_adding(root: Path, oid: str, rev_range: str) -> list[str]:
    """The commits in `rev_range` (newest first) that add or remove the object `oid`."""
    out = _git(
        root,
        "log",
        "--format=%H",
        f"--find-object={oid}",
        *(["--all"] if rev_range == "--all" else [rev_range]),
        check=False,
    )
    return out.decode().split()
