"""Public checks: a few fixed examples per exercise that students run themselves.

They catch common slips (shapes, a missing bias correction, modified inputs); the grade
comes from hidden property tests. ``python -m public_checks optimizers.py conv.py`` runs the
checks of each file's module; ``check_<name>(function)`` runs one function's checks.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from pathlib import Path

__all__ = ["run_checks"]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def run_checks(paths: list[str], out=None) -> int:
    """Run the public checks of every ``<module>.py`` in ``paths`` (files or folders); 0 if all pass."""
    out = out or sys.stdout
    files: list[Path] = []
    for entry in map(Path, paths):
        files.extend(sorted(entry.glob("*.py")) if entry.is_dir() else [entry])
    failures = ran = 0
    for path in files:
        try:
            checks = importlib.import_module(f"{__name__}.{path.stem}")
        except ImportError:
            continue  # not an exercise module
        print(f"== {path.name}", file=out)
        try:
            module = _load(path)
        except Exception:  # noqa: BLE001 - report any import failure to the student
            print(f"  cannot import {path.name}:\n{traceback.format_exc(limit=-1)}", file=out)
            failures += 1
            continue
        for name in sorted(n for n in dir(checks) if n.startswith("check_")):
            target = name[len("check_"):]
            ran += 1
            if not hasattr(module, target):
                print(f"  FAIL {target}: not defined in {path.name}", file=out)
                failures += 1
                continue
            try:
                getattr(checks, name)(getattr(module, target), quiet=True)
            except NotImplementedError:
                print(f"  TODO {target}: not implemented yet", file=out)
                failures += 1
            except Exception as exc:  # noqa: BLE001 - any failure is feedback
                print(f"  FAIL {target}: {type(exc).__name__}: {exc}", file=out)
                failures += 1
            else:
                print(f"  ok   {target}", file=out)
    if not ran:
        print("no exercise module found (expected files like optimizers.py)", file=out)
        return 1
    print(f"{ran - failures} of {ran} public checks passed (the hidden tests check much more)", file=out)
    return 1 if failures else 0
