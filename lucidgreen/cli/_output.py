"""Where an export's lines go: a regular file it may replace, or a stream it only writes to.

A regular file (or a path that does not exist yet) is the resumable case: each write is
flushed and fsynced, a cursor file sits beside it, and an existing file that ``--force``
replaces is cut only when the first lines are in hand, so a run that fails before them
leaves it as it was. A file this run created and wrote nothing to is removed on failure.

Anything else ``--out`` names is a stream: stdout (``-``, or any path to the file stdout
is, such as ``/dev/stdout``), a FIFO, a character device, a socket. A stream is opened for
writing without ``O_CREAT`` or ``O_TRUNC`` (as a shell's ``>`` would open it, but never
truncating), written and flushed; never fsynced (a pipe refuses with EINVAL), truncated,
renamed or unlinked, and never given a cursor file (there is nothing to resume).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import IO, Protocol

from ._common import UsageError

__all__ = ["STDOUT", "FileOutput", "Output", "StreamOutput", "inspect_output", "open_output"]

STDOUT = "-"


def _describe(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _is_stdout(found: os.stat_result) -> bool:
    """``found`` is the very file stdout writes to (``/dev/stdout``, ``/proc/self/fd/1``)."""
    try:
        own = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no descriptor behind stdout (a capture)
        return False
    return (found.st_dev, found.st_ino) == (own.st_dev, own.st_ino)


def inspect_output(text: str) -> str | None:
    """What ``--out text`` is when it is a stream (``"stdout"``, ``"a FIFO"``, ...), or None
    for a regular file or a path still to create. A directory is a :class:`UsageError`."""
    if text == STDOUT:
        return "stdout"
    try:
        found = Path(text).stat()  # through symlinks: what would be written is what counts
    except FileNotFoundError:
        return None  # created by the run (a missing parent fails when it is opened)
    if stat.S_ISDIR(found.st_mode):
        raise UsageError(f"--out {text} is a directory; name a file in it")
    if _is_stdout(found):
        return "stdout"
    return None if stat.S_ISREG(found.st_mode) else _describe(found.st_mode)


class Output:
    """A written export: bytes in, flushed at once. ``path`` is set for a resumable file."""

    path: Path | None = None
    is_stdout = False

    def write(self, data: bytes) -> int:
        """Write ``data`` and push it out; the length written so far (a file's size)."""
        raise NotImplementedError

    def close(self, *, failed: bool) -> None:
        raise NotImplementedError


class _Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


class StreamOutput(Output):
    """A pipe, FIFO, device or stdout: written and flushed, never synced, cut or removed."""

    def __init__(self, handle: _Sink, *, owned: bool, is_stdout: bool = False) -> None:
        self._handle = handle
        self._owned = owned  # stdout's descriptor belongs to the process, not to the export
        self._written = 0
        self.is_stdout = is_stdout

    @classmethod
    def stdout(cls) -> StreamOutput:
        sys.stdout.flush()  # anything printed before stays before the data
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text-only stdout (an embedding application's capture)
            return cls(_TextAsBytes(sys.stdout), owned=False, is_stdout=True)
        return cls(buffer, owned=False, is_stdout=True)

    def write(self, data: bytes) -> int:
        self._handle.write(data)
        self._handle.flush()
        self._written += len(data)
        return self._written

    def close(self, *, failed: bool) -> None:
        if self._owned:
            self._handle.close()
        else:
            self._handle.flush()


class _TextAsBytes:
    """The little of ``IO[bytes]`` a stream needs, over a text stream (the lines are UTF-8)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        return self._stream.write(data.decode("utf-8"))

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


class FileOutput(Output):
    """A regular file: flushed and fsynced after each write, with a cursor file beside it.

    ``replacing`` (an existing file, ``--force``): the file and its ``sidecar`` are cut and
    removed just before the first write, not when the run starts.
    """

    def __init__(
        self, path: Path, handle: IO[bytes], *, created: bool, replacing: bool, sidecar: Path
    ) -> None:
        self.path = self.file = path
        self.handle = handle
        self._created = created
        self._replacing = replacing
        self._sidecar = sidecar
        self.wrote = False

    def write(self, data: bytes) -> int:
        if self._replacing:
            self._sidecar.unlink(missing_ok=True)  # first: no cursor may describe a cut file
            self.handle.truncate(0)
            self.handle.seek(0)
            self._replacing = False
        self.handle.write(data)
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.wrote = True
        return self.handle.tell()

    def close(self, *, failed: bool) -> None:
        """Close; on failure, a file this run created and put nothing in goes (if still ours)."""
        try:
            if failed and self._created and self.handle.tell() == 0 and self._still_ours():
                self.file.unlink()
                if self.wrote:  # the cursor it saved after an empty first page
                    self._sidecar.unlink(missing_ok=True)
        finally:
            self.handle.close()

    def _still_ours(self) -> bool:
        """The path still names the file this run opened (not one put there since)."""
        try:
            now = os.lstat(self.file)
        except FileNotFoundError:
            return False
        mine = os.fstat(self.handle.fileno())
        return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def open_output(text: str, *, resume: bool, sidecar: Path) -> Output:
    """Open ``--out text`` for an export: before any request, so a path that cannot be
    written fails (``OSError``) while nothing has been fetched. ``resume`` opens an existing
    file for reading too; a stream cannot be resumed (:class:`UsageError`)."""
    kind = inspect_output(text)
    if kind is not None and resume:
        raise UsageError(f"cannot resume: --out {text} is {kind}; only a file has a resume state")
    if kind == "stdout":
        return StreamOutput.stdout()
    path = Path(text)
    created = not path.exists()
    if created and resume:
        raise UsageError(f"cannot resume: {path} is missing (its cursor file exists)")
    flags = os.O_RDWR if resume else os.O_WRONLY  # os.open's descriptors are not inherited
    if created:
        flags |= os.O_CREAT | os.O_EXCL  # a path that appeared meanwhile is not overwritten
    descriptor = os.open(path, flags, 0o666)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        if resume:
            os.close(descriptor)
            raise UsageError(f"cannot resume: --out {text} is not a regular file")
        return StreamOutput(os.fdopen(descriptor, "wb"), owned=True)
    handle = os.fdopen(descriptor, "r+b" if resume else "wb")  # no truncation: see write()
    return FileOutput(
        path, handle, created=created, replacing=not (created or resume), sidecar=sidecar
    )
