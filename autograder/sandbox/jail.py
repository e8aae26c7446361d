"""The worker's jail: what the process that runs student code can see and use.

With root and ``unshare`` (Linux), the worker starts in fresh mount, PID, network, IPC and
UTS namespaces, builds a new root out of read-only bind mounts of the interpreter, the
installed packages and the submission, a minimal ``/dev`` and private, size-limited ``/tmp``
and ``/dev/shm``, ``chroot``s into it and drops to an unprivileged uid of its own (one per
concurrent worker, so no per-uid limit is shared between students). The course folder
(hidden tests, solutions, notebooks, .git) is simply not in that root. As root without
namespaces (many containers) the worker still runs under its own uid, with the course's
private folders closed to it. Elsewhere (a student's laptop) only resource limits apply;
see README "Sandbox".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import functools
import os
import resource
import shutil
import site
import stat
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NOBODY = 65534
# Each concurrent worker runs under its own uid from this range (a lock file per uid says
# which are taken), so RLIMIT_NPROC and everything else the kernel counts per uid is per
# student. AUTOGRADER_UID_BASE moves the range where it collides with real accounts.
UID_BASE = int(os.environ.get("AUTOGRADER_UID_BASE", "61000"))
UID_SLOTS = 2000
WORKER_NPROC = 256  # processes and threads of one worker (its uid, and its pids cgroup)
TMPFS_MB = 64  # the jail's private /tmp (which also holds /dev/shm)
LOCK_DIRS = ("/run/autograder-uids", "/tmp/.autograder-uids")
DEVICES = ("null", "zero", "full", "random", "urandom")
# Places an unjailed worker could leave files in; swept for its uid when it stops.
SHARED_WRITABLE = ("/dev/shm", "/dev/mqueue", "/tmp", "/var/tmp", "/run/lock", "/run/shm")
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 32, 4096, 16384, 1 << 18,
)
PR_SET_NO_NEW_PRIVS = 38
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
# Libraries a NumPy exercise may not use; hidden from the NumPy worker, not just forbidden.
FOREIGN_ARRAY_LIBS = ("torch", "torchvision", "scipy", "sklearn", "jax", "jaxlib",
                      "tensorflow", "cupy", "keras", "numba", "functorch", "triton")
SANDBOX_ROOT_MOUNT = "/sub"


@functools.lru_cache(maxsize=1)
def namespaces_available() -> bool:
    """True when this process can start a worker in its own namespaces (root + unshare)."""
    if os.environ.get("AUTOGRADER_NO_SANDBOX") == "1":
        return False
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    try:
        probe = subprocess.run(
            [*unshare_prefix(), "true"], capture_output=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def unshare_prefix() -> list[str]:
    return [
        "unshare", "--mount", "--pid", "--fork", "--mount-proc", "--net", "--ipc", "--uts",
        "--kill-child=SIGKILL", "--propagation", "private",
    ]


def can_drop_privileges() -> bool:
    """Root on Linux: each worker can run under a uid of its own, jailed or not."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


def isolation() -> str:
    """``jail`` (namespaces + chroot + own uid), ``uid`` (own uid, no namespaces) or ``limits``."""
    if namespaces_available():
        return "jail"
    return "uid" if can_drop_privileges() else "limits"


class UidSlot:
    """An unprivileged uid held by one worker for its lifetime (an flock on its lock file).

    The lock dies with the process that holds it, so a grader killed with SIGKILL never leaks
    a slot. Before a uid is handed out, and after its worker stops, every process still
    running under it is killed, so nothing one student started outlives its worker.
    """

    def __init__(self) -> None:
        self.uid = -1
        self._fd = -1
        folder = _lock_dir()
        for uid in range(UID_BASE, UID_BASE + UID_SLOTS):
            fd = os.open(os.path.join(folder, f"{uid}.lock"),
                         os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            break
        else:
            raise RuntimeError(f"all {UID_SLOTS} grading uids from {UID_BASE} are in use")
        kill_uid(self.uid)
        # What was killed counts against the uid's process limit until its parent (often the
        # machine's init) reaps it: a worker started sooner could not fork or start a thread.
        deadline = time.monotonic() + REAP_WAIT
        while processes_of(self.uid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def release(self, *, sweep: bool) -> None:
        if self._fd < 0:
            return
        if sweep:
            kill_uid(self.uid)
            remove_files_of(self.uid)
        os.close(self._fd)
        self._fd = -1


CGROUP_V1 = "/sys/fs/cgroup"
CGROUP_CPU_QUOTA_US = 100_000  # one core per worker, whatever it starts


def worker_cgroups(uid: int, nproc: int, memory_mb: int | None = None) -> list[str]:
    """Control groups for the worker of ``uid`` (cgroup v1 ``cpu``, ``pids`` and ``memory``,
    where this machine has them writable), nested in the grader's own groups: one core,
    ``nproc`` tasks and ``memory_mb`` (plus its tmpfs) for everything the worker starts, with
    an equal CPU share, so a student who starts hundreds of busy or memory-hungry processes
    slows or kills only their own worker. One group per uid slot, made once and reused.
    Empty where cgroups cannot be written (containers)."""
    wanted: list[tuple[str, dict[str, str]]] = [
        ("cpu", {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": str(CGROUP_CPU_QUOTA_US),
                 "cpu.shares": "1024"}),
        ("pids", {"pids.max": str(nproc)}),
    ]
    if memory_mb:
        limit = (int(memory_mb) + 2 * TMPFS_MB + 128) * 1024 * 1024
        wanted.append(("memory", {"memory.limit_in_bytes": str(limit)}))
    groups = []
    for controller, settings in wanted:
        base = os.path.join(CGROUP_V1, controller)
        if not os.path.isfile(os.path.join(base, "cgroup.procs")):
            continue
        # One memory group per limit: a group keeps the page cache its last worker touched
        # (torch's libraries), and a limit below that usage could not be set.
        name = f"uid-{uid}" + (f"-{memory_mb}m" if controller == "memory" else "")
        group = os.path.join(base, _own_cgroup(controller).lstrip("/"), "autograder", name)
        try:
            os.makedirs(group, exist_ok=True)
            for setting, value in settings.items():
                _write_setting(group, setting, value)
        except OSError:
            continue
        groups.append(group)
    return groups


def _write_setting(group: str, setting: str, value: str) -> None:
    try:
        with open(os.path.join(group, setting), "w") as f:
            f.write(value)
    except OSError as exc:
        if exc.errno != errno.EBUSY or setting != "memory.limit_in_bytes":
            raise
        with open(os.path.join(group, "memory.force_empty"), "w") as f:  # no task is left in it
            f.write("0")
        with open(os.path.join(group, setting), "w") as f:
            f.write(value)


def _own_cgroup(controller: str) -> str:
    """This process's group of a cgroup v1 controller (workers nest in the grader's)."""
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, names, path = line.rstrip("\n").split(":", 2)
                if controller in names.split(","):
                    return path
    except (OSError, ValueError):
        pass
    return "/"


def join_cgroups(groups: list[str]) -> None:
    """Move this process (still root, before any student code) into its worker's groups."""
    for group in groups:
        with open(os.path.join(group, "cgroup.procs"), "w") as f:
            f.write("0")


def _lock_dir() -> str:
    for folder in LOCK_DIRS:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            info = os.lstat(folder)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0:
            os.chmod(folder, 0o700)
            return folder
    raise RuntimeError("no folder for the grading uids' lock files (/run or /tmp)")


REAP_WAIT = 5.0  # seconds a uid's killed processes are given to be reaped before it is handed out


def processes_of(uid: int) -> list[int]:
    """The pids in /proc whose real uid is ``uid`` (zombies too: they count against its limit)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            found.append(int(pid))
                        break
        except (OSError, ValueError, IndexError):
            pass
    return found


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (``kill(-1)`` from a helper running as that uid)."""
    if uid < 1:
        raise ValueError("refusing to kill the processes of root")
    code = ("import os, sys\n"
            f"os.setgroups([]); os.setgid({uid}); os.setuid({uid})\n"
            "for _ in range(200):\n"
            "    try:\n"
            "        os.kill(-1, 9)\n"
            "    except ProcessLookupError:\n"
            "        sys.exit(0)\n"
            "sys.exit(1)\n")
    subprocess.run([sys.executable, "-I", "-S", "-c", code], check=False, timeout=30,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def remove_files_of(uid: int, places: tuple[str, ...] = SHARED_WRITABLE) -> None:
    """Delete what ``uid`` left in the machine's shared writable folders (unjailed workers)."""
    for place in places:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def close_to_workers(paths: Sequence[str | Path]) -> list[str]:
    """Without a jail, the course's private folders (hidden tests, solutions, notebooks, .git,
    results) must not be readable by a worker's uid: take the "other" permissions off each
    existing folder (a worker's only group is its own, so the course's group keeps access).
    Returns the folders changed."""
    changed = []
    for raw in paths:
        path = str(raw)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            continue
        if info.st_mode & 0o007:
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o007)
            changed.append(path)
    return changed


_private: set[str] = set()


def keep_private(*paths: str | Path) -> None:
    """Register folders that no unjailed worker may read (hidden tests in use, a class's
    submissions, batch results); closed before such a worker starts."""
    _private.update(os.path.abspath(p) for p in paths)


def course_private_dirs() -> list[str]:
    """The folders no worker may read: this checkout's hidden tests, solutions, instructor
    notebooks and repository, plus those registered with ``keep_private``."""
    root = Path(__file__).resolve().parents[2]
    found = [str(root / name) for name in ("grading_tests", "solutions", "source", ".git")]
    return sorted({*found, *_private})


def closed_to_others(paths: list[str]) -> str | None:
    """The first folder on the way to ``paths`` that another uid cannot pass (no o+x), or a
    path it cannot read; None when an unprivileged worker can reach them all."""
    for raw in paths:
        path = Path(os.path.realpath(raw))
        for folder in [*reversed(path.parents), path]:
            try:
                mode = os.stat(folder).st_mode
            except OSError:
                return str(folder)
            if stat.S_ISDIR(mode) and not mode & 0o001:
                return str(folder)
            if not stat.S_ISDIR(mode) and not mode & 0o004:
                return str(folder)
    return None


def interpreter_paths() -> list[str]:
    """What an unjailed worker must be able to read: the interpreter, its standard library,
    its packages and this package."""
    import autograder

    found = [sys.executable, os.path.dirname(os.__file__),
             str(Path(autograder.__file__).resolve().parent)]
    found += [d for d in site.getsitepackages() if os.path.isdir(d)]
    return found


def drop_privileges(uid: int) -> None:
    """No way back to root, and no setuid binary gives it back (``no_new_privs``)."""
    _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError(errno.EPERM, "could not drop privileges")


def package_dirs() -> list[str]:
    """Folders the worker's interpreter needs: its prefix, its packages, this package."""
    import autograder

    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    dirs.update(site.getsitepackages())
    dirs.add(str(Path(autograder.__file__).resolve().parent))
    dirs.add(str(Path(sys.executable).resolve().parent.parent))
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if path.is_dir() and ("site-packages" in path.parts or "dist-packages" in path.parts):
            dirs.add(str(path))
    return sorted(d for d in dirs if d and os.path.isdir(d))


def hidden_package_dirs(names: tuple[str, ...] = FOREIGN_ARRAY_LIBS) -> list[str]:
    found = []
    for base in site.getsitepackages():
        for name in names:
            path = os.path.join(base, name)
            if os.path.isdir(path):
                found.append(path)
    return found


# ---------------------------------------------------------------------------- inside the jail


def _libc() -> Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None):
    libc = _libc()
    res = libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if res != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} -> {target}: {os.strerror(err)}")


def _outermost(paths: list[str]) -> list[str]:
    keep: list[str] = []
    for path in sorted({os.path.realpath(p) for p in paths if os.path.exists(p)}):
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in keep):
            keep.append(path)
    return keep


def enter_jail(cfg: dict[str, Any]) -> None:
    """Build the new root, chroot into it and drop privileges. Runs as root in the namespaces."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    newroot = cfg["newroot"]
    os.makedirs(newroot, exist_ok=True)
    _mount("tmpfs", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")

    # /tmp first: the course (and its .venv) may itself live under /tmp, and a tmpfs mounted
    # after the binds would hide them.
    os.makedirs(newroot + "/tmp", exist_ok=True)
    _mount("tmpfs", newroot + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={cfg.get('tmp_mb', TMPFS_MB)}m,mode=1777")
    binds = _outermost(list(SYSTEM_DIRS) + list(cfg["binds"]))
    for path in binds:
        target = newroot + path
        if os.path.islink(path):
            continue
        os.makedirs(target, exist_ok=True)
        _mount(path, target, None, MS_BIND | MS_REC, None)
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, None)
    for path in SYSTEM_DIRS:  # /bin -> usr/bin style links
        if os.path.islink(path) and not os.path.lexists(newroot + path):
            os.symlink(os.readlink(path), newroot + path)

    _minimal_dev(newroot, cfg)
    for extra in ("/sys",):
        if os.path.isdir(extra):
            os.makedirs(newroot + extra, exist_ok=True)
            _mount(extra, newroot + extra, None, MS_BIND | MS_REC, None)
            _mount(None, newroot + extra, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, None)
    os.makedirs(newroot + "/proc", exist_ok=True)
    _mount("proc", newroot + "/proc", "proc", MS_NOSUID | MS_NODEV, None)
    sub = newroot + SANDBOX_ROOT_MOUNT
    os.makedirs(sub, exist_ok=True)
    _mount(cfg["submission"], sub, None, MS_BIND, None)
    _mount(None, sub, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
    for hidden in cfg.get("hide", []):
        if os.path.isdir(newroot + hidden):
            _mount("tmpfs", newroot + hidden, "tmpfs", MS_RDONLY, "size=4k,mode=555")
    # Nothing more is mounted: freeze the tmpfs that holds the mount points.
    _mount(None, newroot, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)

    os.chroot(newroot)
    os.chdir(SANDBOX_ROOT_MOUNT)
    drop_privileges(int(cfg.get("uid") or NOBODY))


def _minimal_dev(newroot: str, cfg: dict[str, Any]) -> None:
    """A /dev of its own: the harmless character devices, the std streams, and a /dev/shm that
    is a folder of the worker's private /tmp (so both share one size limit and vanish with
    the worker). No host /dev/shm, /dev/mqueue, terminals or disks."""
    dev = newroot + "/dev"
    os.makedirs(dev, exist_ok=True)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID, "size=64k,mode=755")
    for name in DEVICES:
        node = f"{dev}/{name}"
        with open(node, "w"):
            pass
        _mount(f"/dev/{name}", node, None, MS_BIND, None)
    for name, target in (("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2"), ("fd", "/proc/self/fd")):
        os.symlink(target, f"{dev}/{name}")
    shm = newroot + "/tmp/.shm"
    os.makedirs(shm, exist_ok=True)
    os.chmod(shm, 0o1777)
    os.makedirs(dev + "/shm")
    _mount(shm, dev + "/shm", None, MS_BIND, None)
    _mount(None, dev, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, None)


def apply_limits(cfg: dict[str, Any]) -> None:
    """Resource limits, on every platform that has them."""
    mem = int(cfg.get("memory_mb", 4096)) * 1024 * 1024
    limits = [
        (resource.RLIMIT_AS, mem),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, 32 * 1024 * 1024),
        (resource.RLIMIT_CPU, int(cfg.get("cpu_s", 900))),
    ]
    if cfg.get("uid"):  # a uid of this worker's own: the limit counts only its processes
        limits.append((resource.RLIMIT_NPROC, int(cfg.get("nproc", WORKER_NPROC))))
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
