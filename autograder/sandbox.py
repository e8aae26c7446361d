"""The worker's jail: what the process that runs student code can see and use.

With root and ``unshare`` (Linux), the worker starts in fresh mount, PID, network, IPC and
UTS namespaces, builds a new root out of read-only bind mounts of the interpreter, the
installed packages and the submission, ``chroot``s into it and drops to ``nobody``. The
course folder (hidden tests, solutions, notebooks, .git) is simply not in that root.
Elsewhere (a student's laptop) only resource limits apply; see README "Sandbox".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import resource
import shutil
import site
import subprocess
import sys
from pathlib import Path
from typing import Any

NOBODY = 65534
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
           f"size={cfg.get('tmp_mb', 64)}m,mode=1777")
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

    dev = newroot + "/dev"
    os.makedirs(dev, exist_ok=True)
    _mount("/dev", dev, None, MS_BIND | MS_REC, None)
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
    _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def apply_limits(cfg: dict[str, Any]) -> None:
    """Resource limits, on every platform that has them."""
    mem = int(cfg.get("memory_mb", 4096)) * 1024 * 1024
    limits = [
        (resource.RLIMIT_AS, mem),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, 32 * 1024 * 1024),
        (resource.RLIMIT_CPU, int(cfg.get("cpu_s", 900))),
    ]
    if cfg.get("sandbox"):
        limits.append((resource.RLIMIT_NPROC, 512))
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
