"""The bytes of one input, for both passes of ingest: in memory (façade) or a file on disk.

:class:`Job` runs the passes in worker threads so that exactly one party
frees the input, whoever gives up first.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import mmap
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from parsers.envelopes import (
    Event,
)
from parsers.stream import events
from parsers.tolerance import Tolerance
from pipeline.contracts import errors as perr
from pipeline.ingest.results import (
    Cancelled,
    Rejected,
)

log = logging.getLogger(__name__)

RELEASE_STEP = 8 * 1_048_576  # memory-mapped pages behind the scan are released in steps of this
_READ_BLOCK = 1 << 20


class Source:
    """The bytes of one input, for both passes: in memory (façade) or a file on disk.

    A file is opened without following symlinks and must be a regular file;
    the parser reads it through ``pread`` in 1 MiB blocks, byte ranges are read
    back with ``pread``, and the chunker sees it memory-mapped (``release``
    drops mapped pages behind the scan so they do not count as resident).
    """

    def __init__(self, data: bytes | None = None, path: Path | None = None) -> None:
        self.data = data
        self.path = path
        self.fd = -1
        self.map: mmap.mmap | None = None
        self._released = 0
        self.read_pos = 0  # how far the last ``events`` run has read
        if data is not None:
            self.size = len(data)
            return
        assert path is not None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            self.fd = os.open(path, flags)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Rejected(
                    [perr.error(perr.SYMLINK, "symbolic links are not accepted")]
                ) from None
            raise
        try:
            st = os.fstat(self.fd)
            if not stat.S_ISREG(st.st_mode):
                raise Rejected([perr.error(perr.NOT_A_FILE, "not a regular file")])
            self.size = st.st_size
            self.signature = (st.st_size, st.st_mtime_ns)
            if self.size:
                self.map = mmap.mmap(self.fd, 0, access=mmap.ACCESS_READ)
        except BaseException:
            os.close(self.fd)
            raise

    @property
    def buffer(self) -> bytes:
        """Random access to the whole input (bytes, or the mapping typed as bytes)."""
        if self.data is not None:
            return self.data
        return cast(bytes, self.map if self.map is not None else b"")

    def events(
        self,
        digest: Any = None,
        cancel: threading.Event | None = None,
        tolerance: Tolerance | None = None,
    ) -> Iterator[Event]:
        """The envelope machine's events over the input (text of segments skipped, errors judged)."""
        if self.data is not None:
            if digest is not None:
                digest.update(self.data)
            return events(None, self.data, keep_segments=False, tolerance=tolerance)
        self.read_pos = 0
        self._released = 0  # a new pass touches the mapping from the start again

        def read(n: int) -> bytes:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            b = os.pread(self.fd, n, self.read_pos)
            self.read_pos += len(b)
            if digest is not None:
                digest.update(b)
            self.release(self.read_pos)
            return b

        return events(read, b"", _READ_BLOCK, keep_segments=False, tolerance=tolerance)

    def hash_rest(self, digest: Any, start: int) -> None:
        """Hash the input from ``start`` to its end (after a scan stopped early)."""
        if self.data is not None:
            return
        pos = start
        while True:
            b = os.pread(self.fd, _READ_BLOCK, pos)
            if not b:
                return
            digest.update(b)
            pos += len(b)

    def pread(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``."""
        if self.data is not None:
            return self.data[offset : offset + length]
        parts = []
        while length > 0:
            b = os.pread(self.fd, length, offset)
            if not b:
                raise OSError(f"{self.path}: file shrank while being read")
            parts.append(b)
            offset += len(b)
            length -= len(b)
        return b"".join(parts) if len(parts) != 1 else parts[0]

    def release(self, upto: int) -> None:
        """Drop mapped pages below ``upto`` (minus a margin) from this process's memory."""
        if self.map is None or upto - self._released < RELEASE_STEP:
            return
        end = max(0, upto - RELEASE_STEP) // mmap.PAGESIZE * mmap.PAGESIZE
        if end > self._released and hasattr(self.map, "madvise"):
            with contextlib.suppress(OSError, ValueError):
                self.map.madvise(mmap.MADV_DONTNEED, self._released, end - self._released)
            self._released = end

    def changed(self) -> bool:
        """True when the file's size or mtime changed since it was opened."""
        if self.data is not None:
            return False
        st = os.fstat(self.fd)
        return (st.st_size, st.st_mtime_ns) != self.signature

    def close(self) -> None:
        if self.map is not None:
            with contextlib.suppress(BufferError):
                self.map.close()
            self.map = None
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Job:
    """One input's passes run in worker threads, with exactly one party freeing the input.

    The event loop may give up on a thread (cancellation, timeout) while it
    still reads the file: the thread then frees the input when it returns,
    otherwise ``close`` does. ``cancel`` makes a running scan stop early.
    """

    def __init__(self, src: Source) -> None:
        self.src = src
        self.cancel = threading.Event()
        self.it: Iterator[list[bytes]] | None = None
        self._state = threading.Lock()
        self._running = False
        self._closed = False

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` (in a worker thread)."""
        with self._state:
            if self._closed:
                raise Cancelled()
            self._running = True
        try:
            return fn()
        finally:
            with self._state:
                self._running = False
                free = self._closed
            if free:
                self._free()

    def next_batch(self) -> list[bytes] | None:
        """The next batch of pass 2 (in a worker thread)."""
        assert self.it is not None
        it = self.it
        return cast("list[bytes] | None", self.call(lambda: next(it, None)))

    def close(self) -> None:
        """Done with the input (from the event loop)."""
        self.cancel.set()
        with self._state:
            self._closed = True
            free = not self._running
        if free:
            self._free()

    def _free(self) -> None:
        it, self.it = self.it, None
        close = getattr(it, "close", None)
        if close is not None:
            with contextlib.suppress(ValueError):
                close()
        self.src.close()
