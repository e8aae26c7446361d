"""What the public checks share: a close-enough comparison, a success line, and reading the
modules (or notebooks) to check without following links."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
from pathlib import Path

import numpy as np

from ._i18n import _


class CheckFailed(AssertionError):
    pass


def close(label, got, expected, rtol=1e-6, atol=1e-9):
    """Fail with a readable message unless ``got`` has ``expected``'s shape and values."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(_("{label}: expected an array, got {type}").format(
            label=label, type=type(got).__name__)) from exc
    if got_arr.shape != expected.shape:
        raise CheckFailed(_("{label}: shape {shape}, expected {expected}").format(
            label=label, shape=got_arr.shape, expected=expected.shape))
    bad = ~np.isclose(got_arr, expected, rtol=rtol, atol=atol)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise CheckFailed(_("{label}: at index {index} got {got!r}, expected {expected!r}").format(
            label=label, index=index, got=got_arr[index], expected=expected[index]))


def same_keys(label, got, expected_keys):
    if not isinstance(got, dict):
        raise CheckFailed(_("{label}: expected a dict, got {type}").format(
            label=label, type=type(got).__name__))
    if set(got) != set(expected_keys):
        raise CheckFailed(_("{label}: keys {keys}, expected {expected}").format(
            label=label, keys=sorted(got), expected=sorted(expected_keys)))


def unchanged(label, before, after):
    """``before`` is a deep copy taken before the call."""
    if isinstance(before, dict):
        for key in before:
            unchanged(f"{label}[{key!r}]", before[key], after[key])
    elif not np.array_equal(before, after):
        raise CheckFailed(_("{label} was modified in place; work on copies").format(label=label))


def raises(label, exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type:
        return
    except NotImplementedError:
        raise
    except SystemExit as exc:  # sys.exit() would end the checks (and a notebook's kernel) here
        raise CheckFailed(_("{label}: called sys.exit(); raise {expected} instead").format(
            label=label, expected=exc_type.__name__)) from exc
    except Exception as exc:  # noqa: BLE001
        raise CheckFailed(_("{label}: raised {raised}, expected {expected}").format(
            label=label, raised=type(exc).__name__, expected=exc_type.__name__)) from exc
    raise CheckFailed(_("{label}: expected {expected}, nothing was raised").format(
        label=label, expected=exc_type.__name__))


def shape_is(label, got, expected, hint=""):
    """Fail unless ``got`` (an array or a tensor) has the shape ``expected``."""
    shape = getattr(got, "shape", None)
    if shape is None:
        raise CheckFailed(_("{label}: expected an array of shape {expected}, got {type}. {hint}").format(
            label=label, expected=tuple(expected), type=type(got).__name__, hint=hint).rstrip())
    if tuple(shape) != tuple(expected):
        raise CheckFailed(_("{label}: shape {shape}, expected {expected}. {hint}").format(
            label=label, shape=tuple(shape), expected=tuple(expected), hint=hint).rstrip())


def state_shapes(label, module, expected, hint=""):
    """Fail unless the ``state_dict`` of ``module`` has exactly the keys of ``expected`` (a dict
    key -> shape), each with its shape."""
    got = {key: tuple(value.shape) for key, value in module.state_dict().items()}
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing or extra:
        raise CheckFailed(_("{label}: state_dict keys missing {missing}, unexpected {extra}. {hint}").format(
            label=label, missing=missing, extra=extra, hint=hint).rstrip())
    for key, shape in expected.items():
        if got[key] != tuple(shape):
            raise CheckFailed(_("{label}: {key} has shape {shape}, expected {expected}. {hint}").format(
                label=label, key=key, shape=got[key], expected=tuple(shape), hint=hint).rstrip())


def sibling(fn, name):
    """The function or class ``name`` defined beside ``fn`` (in its module or notebook), which a
    check needs too (a backward pass needs its forward pass's cache)."""
    namespace = getattr(fn, "__globals__", None)
    if namespace is None:  # a class: its module's names
        namespace = getattr(sys.modules.get(getattr(fn, "__module__", "")), "__dict__", {})
    found = namespace.get(name)
    if found is None:
        raise CheckFailed(_("this check also calls your {name}, which is not defined next to "
                            "{function}").format(name=name, function=fn.__name__))
    return found


def passed(name, quiet=False):
    if not quiet:
        print("\u2713 " + _("{name}: public checks passed (the hidden tests check much more)").format(
            name=name))


def tiny_network():
    """Parameters of a 2-3-1 network and gradients shaped like them, all small and fixed."""
    params = {
        "W1": np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]),
        "b1": np.array([[0.01], [-0.02], [0.03]]),
        "W2": np.array([[0.7, -0.8, 0.9]]),
        "b2": np.array([[0.05]]),
    }
    grads = {
        "dW1": np.array([[1.0, -2.0], [0.5, 0.25], [-1.5, 3.0]]),
        "db1": np.array([[0.2], [-0.4], [0.6]]),
        "dW2": np.array([[-0.3, 0.1, 2.0]]),
        "db2": np.array([[1.0]]),
    }
    return params, grads


# Reading your modules as the grader does: regular files only, never through a symbolic link,
# never waiting on a pipe or device, at most 1 MB each. The checks import private copies.
MAX_FILE_BYTES = 1_000_000
MAX_TOTAL_BYTES = 8_000_000
MAX_NOTEBOOK_BYTES = 16_000_000  # outputs (plots) make a notebook far larger than its code
NOTEBOOK = ".ipynb"
MAGIC_RE = re.compile(r"^\s*[%!]")
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
    | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def not_a_file(name, mode):
    """Why an entry of this type is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
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


def _read_file(path, room, limit=MAX_FILE_BYTES):
    """The bytes of ``path`` (a regular file of at most ``room`` bytes), or why not read."""
    name = path.name
    try:
        problem = not_a_file(name, os.lstat(path).st_mode)
        if problem:
            return problem
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link after lstat
            return not_a_file(name, stat.S_IFLNK)
        return _("{name} could not be read ({error})").format(name=name, error=exc.strerror)
    try:
        problem = not_a_file(name, os.fstat(fd).st_mode)
        if problem:
            return problem
        chunks, got = [], 0
        while got <= room:
            chunk = os.read(fd, min(1 << 20, room + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        return _("{name} could not be read ({error})").format(name=name, error=exc.strerror)
    finally:
        os.close(fd)
    if got > limit:
        return _("{name} is larger than {size} MB: it was not read").format(name=name, size=limit // 1_000_000)
    if got > room:
        return _("the modules are larger than {size} MB in total; {name} was not read").format(
            size=MAX_TOTAL_BYTES // 1_000_000, name=name)
    return b"".join(chunks)


def notebook_module(content, name):
    """The module of a notebook, as the grader builds it: its given (locked) cells and answer
    cells in order; grade cells (these checks) and cells without nbgrader metadata left out."""
    try:
        cells = json.loads(content.decode("utf-8")).get("cells", [])
    except (UnicodeDecodeError, ValueError, AttributeError):
        return _("{name} is not a notebook Jupyter saved (not UTF-8 JSON with cells)").format(name=name)
    parts = []
    for cell in cells if isinstance(cells, list) else []:
        info = (cell.get("metadata") or {}).get("nbgrader") if isinstance(cell, dict) else None
        if cell.get("cell_type") != "code" or not isinstance(info, dict) or info.get("grade"):
            continue
        if info.get("solution") or info.get("locked"):
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else str(src)
            parts.append("\n".join("# " + line if MAGIC_RE.match(line) else line for line in src.splitlines()))
    if not parts:
        return _("{name} holds no answer cell (is it one of the course's notebooks?)").format(name=name)
    return ("\n\n\n".join(parts) + "\n").encode("utf-8")


def read_modules(folder, first=()):
    """(bytes by module file name, why-not-read by file name) of the ``*.py`` files at the top of
    ``folder``, the names in ``first`` read first; a notebook named in ``first`` (``x.ipynb``)
    is read as the module ``x.py``. A linked folder is not read at all."""
    folder = Path(folder)
    if folder.is_symlink():
        return {}, {"": _("the folder {folder} is a symbolic link: check the folder itself").format(
            folder=folder.name)}
    try:
        listed = sorted(n for n in os.listdir(folder) if n.endswith(".py") and not n.startswith("."))
    except OSError as exc:
        return {}, {"": _("the folder {folder} could not be read ({error})").format(
            folder=folder, error=exc.strerror)}
    files, refused, total = {}, {}, 0
    for name in dict.fromkeys([*first, *listed]):
        if name.endswith(NOTEBOOK):
            module = name[: -len(NOTEBOOK)] + ".py"
            content = _read_file(folder / name, MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_BYTES)
            if isinstance(content, bytes):
                content = notebook_module(content, name)
            if isinstance(content, bytes) and len(content) > min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - total):
                content = _("the code of {name} is larger than {size} MB: it was not read").format(
                    name=name, size=MAX_FILE_BYTES // 1_000_000)
        else:
            module = name
            content = _read_file(folder / name, min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - total))
        if module in files or module in refused:
            continue  # x.py after x.ipynb: the one asked for first is checked
        if isinstance(content, bytes):
            files[module] = content
            total += len(content)
        else:
            refused[module] = content
    return files, refused


def build_light(torch, factory, **kwargs):
    """``factory(**kwargs)`` built on torch's meta device: no memory, no weights drawn, so even
    VGG-16 builds in a moment (enough for its parameter count and state_dict shapes, not for a
    forward pass); on the CPU when the model cannot be built there. ``torch`` is the torch
    module (these helpers import no array library of their own)."""
    try:
        with torch.device("meta"):
            model = factory(**kwargs)
    except Exception:  # noqa: BLE001 - something the meta device lacks: build it for real
        model = factory(**kwargs)
    if model is None:
        raise CheckFailed(_("{constructor}() returned None: return the model").format(
            constructor=getattr(factory, "__name__", "the constructor")))
    return model
