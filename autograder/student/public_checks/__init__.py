"""Public checks: a few fixed examples per exercise that students run themselves.

They catch common slips (shapes, a missing bias correction, modified inputs); the grade
comes from hidden property tests. ``python -m public_checks`` checks every exercise it finds from
where you stand (the bundle's top, ``modules/`` or a notebook's folder); ``python -m public_checks
optimizers`` one exercise (``optimizers.py`` or ``optimizers.ipynb`` here, else the bundle's
``modules/optimizers.py``); files and folders work too. ``check_<name>(function)`` runs one
function's checks. Your files are read as the grader reads them (no symbolic links, pipes or
devices) and imported from a copy.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from ._common import NOTEBOOK, read_modules
from ._i18n import N_, _, matches

__all__ = ["run_checks", "find_targets", "is_summary"]
HERE = Path(__file__).resolve().parent
# The last line run_checks prints when checks ran (``autograder check`` prints its own).
SUMMARY = N_("{passed} of {ran} public checks passed (the hidden tests check much more)")


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(_("cannot load {path}").format(path=path))
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def _targets(paths: list[str]) -> list[tuple[Path, list[str] | None, str]]:
    """(folder, the file names asked for there or None for all its modules, the argument)."""
    return [(entry, None, arg) if entry.is_dir() else (entry.parent, [entry.name], arg)
            for entry, arg in zip(map(Path, paths), paths)]


def exercises_checked() -> list[str]:
    """The exercise modules that have public checks (this package's ``<module>.py`` files)."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def bundle_modules() -> Path | None:
    """The bundle's ``modules/`` folder, found from where this package lies (the bundle's top,
    ``modules/`` or a notebook's folder), or None outside a bundle."""
    for folder in HERE.parents:
        if (folder / "modules").is_dir() and (folder / "public_checks").is_dir():
            return folder / "modules"
    return None


def find_targets(args: list[str], cwd: Path | None = None) -> list[str]:
    """Paths to check for the command line's arguments: a file or folder as it is; an exercise
    name (``optimizers``) as ``optimizers.py`` or ``optimizers.ipynb`` in ``cwd``, else the
    bundle's ``modules/optimizers.py``; no argument: every exercise with checks found so.
    Relative to the working directory unless ``cwd`` is given."""
    here = cwd or Path(".")
    modules = bundle_modules()
    found = []
    for arg in args or exercises_checked():
        path = here / arg
        if path.is_dir() or arg.endswith((".py", NOTEBOOK)) and (path.exists() or path.is_symlink()):
            found.append(str(path))
            continue
        stem = arg[: -len(NOTEBOOK)] if arg.endswith(NOTEBOOK) else arg.removesuffix(".py")
        places = [here / f"{stem}.py", here / f"{stem}{NOTEBOOK}"]
        if modules is not None:
            places.append(modules / f"{stem}.py" if cwd else Path(os.path.relpath(modules / f"{stem}.py")))
        hit = next((p for p in places if p.exists() or p.is_symlink()), None)
        if hit is not None:
            found.append(str(hit))
        elif args:
            found.append(str(here / f"{stem}.py"))  # reported as not found
    return found


def run_checks(paths: list[str], out=None) -> int:
    """Run the public checks of every ``<module>.py`` in ``paths`` (files or folders); 0 if all pass."""
    out = out or sys.stdout
    failures = ran = 0
    for folder, wanted, arg in _targets(paths):
        files, refused = read_modules(folder, wanted or ())
        if "" in refused:
            reason = _("cannot check {name}: {reason}").format(name=folder, reason=refused[""])
            print(f"== {folder}\n  {reason}", file=out)
            failures += 1
            continue
        private = Path(tempfile.mkdtemp(prefix="public-checks-"))
        try:
            for name, content in files.items():
                (private / name).write_bytes(content)
            shown = {_module_name(n): arg for n in wanted or []}
            names = [_module_name(n) for n in wanted] if wanted else sorted({*files, *refused})
            f, r = _check_folder(private, names, refused, out, shown)
        finally:
            shutil.rmtree(private, ignore_errors=True)
        failures, ran = failures + f, ran + r
    if not ran:
        print(_("no public check ran") if failures else
              _("no exercise module found (expected files like optimizers.py)"), file=out)
        return 1
    print(_(SUMMARY).format(passed=ran - failures, ran=ran), file=out)
    return 1 if failures else 0


def _module_name(name: str) -> str:
    return name[: -len(NOTEBOOK)] + ".py" if name.endswith(NOTEBOOK) else name


def _check_folder(private: Path, names: list[str], refused: dict[str, str], out,
                  shown: dict[str, str] | None = None) -> tuple[int, int]:
    """(failures, checks run) for the modules ``names``, imported from the private copy."""
    failures = ran = 0
    checked = []
    for name in names:
        try:
            checked.append((name, importlib.import_module(f"{__name__}.{Path(name).stem}")))
        except ImportError:
            continue  # not an exercise module
    exercises = {name for name, _ in checked}
    helpers = [why for name, why in refused.items() if name not in exercises]
    for name, checks in checked:
        print(f"== {(shown or {}).get(name, name)}", file=out)
        if name in refused:
            print("  " + _("cannot check {name}: {reason}").format(name=name, reason=refused[name]), file=out)
            failures += 1
            continue
        try:
            module = _load(private / name)
        except Exception:  # noqa: BLE001 - report any import failure to the student
            print("  " + _("cannot import {name}:").format(name=name) + "\n" + traceback.format_exc(limit=-1),
                  file=out)
            for why in helpers:
                print("  " + _("(not read: {reason})").format(reason=why), file=out)
            failures += 1
            continue
        for check in sorted(n for n in dir(checks) if n.startswith("check_")):
            target = check[len("check_"):]
            ran += 1
            if not hasattr(module, target):
                print("  " + _("FAIL {function}: not defined in {name}").format(function=target, name=name),
                      file=out)
                failures += 1
                continue
            try:
                getattr(checks, check)(getattr(module, target), quiet=True)
            except NotImplementedError:
                print("  " + _("TODO {function}: not implemented yet").format(function=target), file=out)
                failures += 1
            except Exception as exc:  # noqa: BLE001 - any failure is feedback
                print("  " + _("FAIL {function}: {error_type}: {error}").format(
                    function=target, error_type=type(exc).__name__, error=exc), file=out)
                failures += 1
            else:
                print("  " + _("ok   {function}").format(function=target), file=out)
    return failures, ran


def is_summary(line: str) -> bool:
    """Whether ``line`` is the summary ``run_checks`` ends with when checks ran, in the language
    the checks speak now."""
    return matches(SUMMARY, line)
