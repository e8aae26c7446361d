"""Writing results: atomically (a reader sees the old content or all of the new), readable by
the group that runs the course. One implementation for every command that writes results."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# Results, grade sheets and reports are for the group that runs the course, never for everyone
# (they hold students' grades): 0660 less the umask (0640 with the usual 022), where mkstemp
# alone would leave 0600, readable by whoever ran the batch only.
SHARED_MODE = 0o660


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)  # elsewhere it is read by setting it: a strict value meanwhile
    os.umask(mask)
    return mask


def share_with_group(fd: int, folder: Path) -> None:
    """Give a file made by mkstemp the mode a plain ``open`` would give a shared file
    (``SHARED_MODE`` less the umask) and its folder's group, as a setgid folder would."""
    os.fchmod(fd, SHARED_MODE & ~_umask())
    try:
        group = os.stat(folder).st_gid
        if os.fstat(fd).st_gid != group:
            os.fchown(fd, -1, group)
    except OSError:
        pass  # not a member of that group: the file keeps ours


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` so that ``path`` holds either its old content or all of the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        share_with_group(fd, path.parent)
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
