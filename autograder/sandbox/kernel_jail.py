"""The jail of a notebook's kernel: what ``nbgrader autograde`` lets a submitted notebook see.

``unshare ... python -I -m autograder.sandbox.kernel_jail CONFIG -- KERNEL...`` runs as root in fresh
mount, PID, network, IPC and UTS namespaces (``nbgrader_grade.JailedKernelRun`` starts it). It
builds a root of read-only binds (system folders, the interpreter, its packages), a minimal
``/dev``, a private ``/tmp``, a size-limited tmpfs copy of this one notebook's folder at
``/notebook`` and, at its own path, the folder of the kernel's ``ipc`` sockets; then it
``chroot``s, drops to the kernel's unprivileged uid and stays as the namespace's init (it reaps
orphans) while the kernel runs. The course folder and its gradebook are not in that root.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
from typing import Any

from autograder.sandbox import jail

NOTEBOOK_DIR = "/notebook"
MAX_ENTRIES = 20000
# Kernels start in /tmp (empty, private): nothing of the notebook's folder is imported or read
# as configuration before the socket folder is closed; ``enter_notebook_folder`` then moves in.
START_DIR = "/tmp"


def kernel_env(cfg: dict[str, Any]) -> dict[str, str]:
    """The kernel's whole environment: nothing of the instructor's (tokens, paths) gets in."""
    env = {
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "IPYTHONDIR": "/tmp/.ipython",
        "JUPYTER_CONFIG_DIR": "/tmp/.jupyter",
        "JUPYTER_DATA_DIR": "/tmp/.jupyter/data",
        "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter/runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    env.update({str(k): str(v) for k, v in cfg.get("env", {}).items()})
    return env


def enter_notebook_folder(ipc: str, timeout: float = 60.0) -> str:
    """The kernel's first code (``IPKernelApp.exec_lines``, after it bound its sockets and
    before any cell): wait until the grader closed the socket folder to the kernel's uid, then
    move into the notebook's folder, as a kernel started there would be."""
    return (
        "import os as _os, time as _time\n"
        f"_until = _time.monotonic() + {timeout!r}\n"
        f"while _os.access({ipc!r}, _os.W_OK):\n"
        "    if _time.monotonic() > _until:\n"
        "        _os._exit(3)\n"
        "    _time.sleep(0.01)\n"
        f"_os.chdir({NOTEBOOK_DIR!r})\n"
        "del _os, _time, _until\n"
    )


def copy_folder(src: str, dest: str, uid: int, budget: list[int] | None = None) -> None:
    """Copy the regular files and folders under ``src`` into ``dest``, owned by ``uid``.
    Links and anything else are left out and no link is ever followed; past ``MAX_ENTRIES``
    entries the rest is left out too (the tmpfs's size bounds the bytes)."""
    budget = [MAX_ENTRIES] if budget is None else budget
    with os.scandir(src) as entries:
        for entry in entries:
            if budget[0] <= 0:
                return
            budget[0] -= 1
            target = os.path.join(dest, entry.name)
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                os.mkdir(target, 0o755)
                os.chown(target, uid, uid)
                copy_folder(entry.path, target, uid, budget)
            elif stat.S_ISREG(mode):
                _copy_file(entry.path, target, uid)


def _copy_file(src: str, dest: str, uid: int) -> None:
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return
        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                      0o644 | (info.st_mode & 0o111))
        try:
            while chunk := os.read(fd, 1 << 20):
                os.write(out, chunk)
            os.fchown(out, uid, uid)
        finally:
            os.close(out)
    finally:
        os.close(fd)


def build_root(cfg: dict[str, Any]) -> None:
    """Mount the kernel's root under ``cfg["newroot"]`` and ``chroot`` into it (still root)."""
    m = jail
    m._mount(None, "/", None, m.MS_REC | m.MS_PRIVATE, None)
    newroot = cfg["newroot"]
    os.makedirs(newroot, exist_ok=True)
    m._mount("tmpfs", newroot, "tmpfs", m.MS_NOSUID | m.MS_NODEV, "size=4m,mode=755")
    # /tmp first: the course's .venv may live under /tmp and must not end up hidden.
    os.makedirs(newroot + "/tmp", exist_ok=True)
    m._mount("tmpfs", newroot + "/tmp", "tmpfs", m.MS_NOSUID | m.MS_NODEV,
             f"size={int(cfg.get('tmp_mb', 256))}m,mode=1777")
    for path in m._outermost(list(cfg["binds"])):
        if os.path.islink(path):
            continue
        os.makedirs(newroot + path, exist_ok=True)
        m._mount(path, newroot + path, None, m.MS_BIND | m.MS_REC, None)
        m._mount(None, newroot + path, None, m.MS_BIND | m.MS_REMOUNT | m.MS_RDONLY | m.MS_NOSUID, None)
    for path in m.SYSTEM_DIRS:  # /bin -> usr/bin style links
        if os.path.islink(path) and not os.path.lexists(newroot + path):
            os.symlink(os.readlink(path), newroot + path)
    m._minimal_dev(newroot, cfg)
    if os.path.isdir("/sys"):
        os.makedirs(newroot + "/sys", exist_ok=True)
        m._mount("/sys", newroot + "/sys", None, m.MS_BIND | m.MS_REC, None)
        m._mount(None, newroot + "/sys", None, m.MS_BIND | m.MS_REMOUNT | m.MS_RDONLY | m.MS_NOSUID, None)
    os.makedirs(newroot + "/proc", exist_ok=True)
    m._mount("proc", newroot + "/proc", "proc", m.MS_NOSUID | m.MS_NODEV, None)

    uid = int(cfg["uid"])
    work = newroot + NOTEBOOK_DIR
    os.makedirs(work, exist_ok=True)
    m._mount("tmpfs", work, "tmpfs", m.MS_NOSUID | m.MS_NODEV,
             f"size={int(cfg.get('notebook_mb', 512))}m,mode=755")
    os.chown(work, uid, uid)
    copy_folder(cfg["source"], work, uid)

    ipc = cfg["ipc"]
    os.makedirs(newroot + ipc, exist_ok=True)
    m._mount(ipc, newroot + ipc, None, m.MS_BIND, None)
    m._mount(None, newroot + ipc, None, m.MS_BIND | m.MS_REMOUNT | m.MS_NOSUID | m.MS_NODEV, None)
    os.chown(cfg["connection_file"], uid, uid, follow_symlinks=False)
    # Nothing more is mounted: freeze the tmpfs that holds the mount points.
    m._mount(None, newroot, None, m.MS_BIND | m.MS_REMOUNT | m.MS_RDONLY | m.MS_NOSUID | m.MS_NODEV, None)
    os.chroot(newroot)
    os.chdir(START_DIR)


def run_kernel(cfg: dict[str, Any], argv: list[str]) -> int:
    """Drop to the kernel's uid, start the kernel and reap everything until it ends."""
    uid = int(cfg["uid"])
    jail.drop_privileges(uid)
    env = kernel_env(cfg)
    pid = os.fork()
    if pid == 0:
        try:
            devnull = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            jail.apply_limits(cfg)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    # The host interrupts the kernel through its process group; this init ignores it all.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            return 1
        if done == pid:
            return os.waitstatus_to_exitcode(status) & 0xFF


def main() -> None:
    sep = sys.argv.index("--")
    cfg = json.loads(sys.argv[1])
    argv = sys.argv[sep + 1:]
    try:
        build_root(cfg)
    except OSError as exc:
        print(f"kernel jail: {exc}", file=sys.stderr)
        os._exit(1)
    os._exit(run_kernel(cfg, argv))


if __name__ == "__main__":
    main()
