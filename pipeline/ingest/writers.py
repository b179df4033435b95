"""Is some process still writing an inbox file? Answered from ``/proc/<pid>/fd`` (Linux).

Why this and not inotify close-write: watchfiles (our watcher) reports only
added / modified / deleted, not IN_CLOSE_WRITE, and close-write alone cannot
tell "closed for good" from "closed between two appends". Asking the kernel
who holds the file open *for writing* (``fdinfo`` flags) is exact for every
writer we are allowed to inspect (same user, or root), costs one ``/proc``
walk per scan that has quiet candidates, and needs no extra dependency. A
writer we cannot see (another user, another host over NFS) is still covered
by the quiet period and by the incomplete-tail rule (a young file ending
inside an interchange waits). Where ``/proc`` is missing nothing is excluded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = "/proc"
_WRITE_MODES = os.O_WRONLY | os.O_RDWR


def open_for_writing(paths: Iterable[Path], proc: str = PROC) -> set[Path]:
    """The subset of ``paths`` that some visible process has open for writing."""
    wanted = {os.path.realpath(p): p for p in paths}
    found: set[Path] = set()
    if not wanted or not os.path.isdir(proc):
        return found
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        fd_dir = f"{proc}/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or not ours to look at
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            path = wanted.get(target)
            if path is not None and path not in found and _writable(proc, pid, fd):
                found.add(path)
    return found


def _writable(proc: str, pid: str, fd: str) -> bool:
    """True when descriptor ``fd`` of ``pid`` was opened for writing (``flags:`` of fdinfo)."""
    try:
        with open(f"{proc}/{pid}/fdinfo/{fd}", encoding="ascii") as f:
            for line in f:
                if line.startswith("flags:"):
                    return bool(int(line.split()[1], 8) & _WRITE_MODES)
    except (OSError, ValueError, IndexError):
        return False
    return False
