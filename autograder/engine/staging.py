"""Reading a student's folder without trusting it: regular files only, never through a link,
never blocking on a pipe or device, within size limits; whatever is refused is named with why.

Every path that reads a submission (``grade``, ``grade-batch`` and its Dask packing, nbgrader,
Gradescope, ``check``) goes through ``read_submission`` and writes copies with ``write_files``.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from autograder.i18n import _

MAX_FILE_BYTES = 1_000_000
MAX_SUBMISSION_BYTES = 8_000_000
MODULES = (".py",)  # notebooks are read apart, with their own limits (autograder.engine.notebook_module)
# O_NOFOLLOW: a link swapped in after lstat fails with ELOOP; O_NONBLOCK: a FIFO swapped in
# opens without waiting for a writer (fstat then refuses it).
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass
class Staged:
    """What was read from a folder: the files, and every relevant entry that was not read."""

    files: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    refused: dict[str, str] = field(default_factory=dict)  # file name -> why it was not read
    folder_problem: str = ""  # the folder itself was refused: nothing in it was read

    @property
    def problems(self) -> list[str]:
        return ([self.folder_problem] if self.folder_problem else []) + list(self.refused.values())


def megabytes(n: int) -> str:
    return f"{n / 1e6:g} MB"


def unreadable(name: str, exc: OSError) -> str:
    return _("{name} could not be read ({error})").format(name=name, error=exc.strerror)


def too_large(name: str, max_file: int) -> str:
    return _("{name} is larger than {size}: it was not read").format(name=name, size=megabytes(max_file))


def over_total(name: str, max_total: int) -> str:
    return _("the submission is larger than {size} in total; {name} was not read").format(
        size=megabytes(max_total), name=name)


def kind_problem(name: str, mode: int) -> str | None:
    """Why an entry of this type is not read, or None for a regular file."""
    return None if stat.S_ISREG(mode) else refusal(name, mode)


def refusal(name: str, mode: int) -> str:
    """Why an entry that is not a regular file is not read."""
    if stat.S_ISLNK(mode):
        return _("{name} is a symbolic link: upload the file itself").format(name=name)
    if stat.S_ISDIR(mode):
        return _("{name} is a folder, not a file: upload the file itself").format(name=name)
    if stat.S_ISFIFO(mode):
        return _("{name} is a FIFO (named pipe), not a file: upload the file itself").format(name=name)
    if stat.S_ISSOCK(mode):
        return _("{name} is a socket, not a file: upload the file itself").format(name=name)
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("{name} is a device, not a file: upload the file itself").format(name=name)
    return _("{name} is not a regular file: upload the file itself").format(name=name)


def folder_problem(folder: Path, exc: OSError) -> str:
    """Why the submission folder itself cannot be opened (without following a link)."""
    label = folder.name or str(folder)
    if folder.is_symlink():
        return _("the submission folder {label} is a symbolic link: upload the files themselves").format(
            label=label)
    if exc.errno == errno.ENOENT:
        return _("the submission folder {label} does not exist").format(label=label)
    if exc.errno == errno.ENOTDIR:
        return _("the submission {label} is not a folder").format(label=label)
    return _("the submission folder {label} could not be read ({error})").format(
        label=label, error=exc.strerror)


def _read_one(dir_fd: int, name: str, room: int, max_file: int, max_total: int) -> bytes | str:
    """The content of ``name`` (at most ``room`` bytes), or why it was not read."""
    try:
        fd = os.open(name, READ_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return refusal(name, stat.S_IFLNK)
        return unreadable(name, exc)
    try:
        info = os.fstat(fd)
        problem = kind_problem(name, info.st_mode)
        if problem:
            return problem
        chunks: list[bytes] = []
        got = 0
        while got <= room:
            chunk = os.read(fd, min(1 << 20, room + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        return unreadable(name, exc)
    finally:
        os.close(fd)
    if got > max_file:
        return too_large(name, max_file)
    if got > room:
        return over_total(name, max_total)
    return b"".join(chunks)


def read_submission(folder: str | Path, suffixes: tuple[str, ...] = MODULES,
                    max_file: int = MAX_FILE_BYTES,
                    max_total: int = MAX_SUBMISSION_BYTES) -> Staged:
    """The regular files named ``*<suffix>`` at the top of ``folder`` (hidden ones left out),
    read without following any link, in name order until ``max_total`` bytes."""
    folder = Path(folder)
    staged = Staged()
    try:
        dir_fd = os.open(folder, DIR_FLAGS)
    except OSError as exc:
        staged.folder_problem = folder_problem(folder, exc)
        return staged
    try:
        total = 0
        for name in sorted(os.listdir(dir_fd)):
            if name.startswith(".") or not name.endswith(suffixes):
                continue
            try:
                info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except OSError as exc:
                staged.refused[name] = unreadable(name, exc)
                continue
            problem = kind_problem(name, info.st_mode)
            if problem is None and info.st_size > max_file:
                problem = too_large(name, max_file)
            elif problem is None and total + info.st_size > max_total:
                problem = over_total(name, max_total)
            if problem is None:
                content = _read_one(dir_fd, name, min(max_file, max_total - total), max_file,
                                    max_total)
                if isinstance(content, bytes):
                    staged.files[name] = content
                    total += len(content)
                    continue
                problem = content
            staged.refused[name] = problem
    finally:
        os.close(dir_fd)
    return staged


def plain_name(name: str) -> bool:
    """A file name that stays inside the folder it is written to."""
    return bool(name) and name not in (".", "..") and not name.startswith(".") \
        and "/" not in name and "\\" not in name and "\0" not in name


def write_files(files: dict[str, bytes], folder: str | Path) -> Path:
    """Write ``files`` (plain names only: a path is refused) as new files in ``folder``, a
    folder of the grader's own (created if missing, never through a link)."""
    folder = Path(folder)
    bad = sorted(name for name in files if not plain_name(name))
    if bad:
        raise ValueError(f"refusing to write files outside {folder}: {bad[:3]}")
    folder.mkdir(parents=True, exist_ok=True)
    dir_fd = os.open(folder, DIR_FLAGS)
    try:
        for name, content in files.items():
            fd = os.open(name, WRITE_FLAGS, 0o644, dir_fd=dir_fd)
            try:
                os.fchmod(fd, 0o644)  # readable by the sandbox's unprivileged user, whatever umask
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
    finally:
        os.close(dir_fd)
    return folder
