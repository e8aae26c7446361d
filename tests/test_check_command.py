"""``autograder check`` runs the student's code the way grading does: in a worker, jailed where
the machine allows, with a time limit, so staff can run it on anyone's submission."""

from __future__ import annotations

import io
import os

import pytest

from autograder.commands.check import check_paths
from autograder.sandbox import jail
from tests.conftest import ROOT, SOLUTIONS

needs_jail = pytest.mark.skipif(not jail.namespaces_available(),
                                reason="needs root and unshare (Linux)")


def checked(*paths, timeout: float = 60.0) -> tuple[int, str]:
    out = io.StringIO()
    code = check_paths(list(paths), timeout=timeout, out=out)
    return code, out.getvalue()


def test_the_solution_passes_and_the_stub_fails_with_todo(tmp_path):
    assert checked(SOLUTIONS / "optimizers.py")[0] == 0
    code, text = checked(ROOT / "assignments" / "optimizers.py")
    assert code == 1 and "TODO" in text


@needs_jail
def test_a_check_cannot_read_hidden_tests_or_write_the_course(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    spy = f'''
import os
_seen = []
for _p in ({str(ROOT / "grading_tests" / "test_optimizers.py")!r}, {str(SOLUTIONS / "optimizers.py")!r}):
    try:
        _seen.append(open(_p).read()[:20])
    except OSError:
        pass
try:
    open({str(ROOT / "autograder" / "pwned.py")!r}, "w").write("x")
    _seen.append("wrote")
except OSError:
    pass
print("SEEN", _seen)
'''
    (folder / "optimizers.py").write_text(spy + (SOLUTIONS / "optimizers.py").read_text())
    code, text = checked(folder)
    assert "SEEN []" in text or "SEEN" not in text
    assert not (ROOT / "autograder" / "pwned.py").exists()
    assert code == 0


def test_a_module_that_hangs_at_import_is_stopped_with_the_reason(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "initialization.py").write_text("while True:\n    pass\n")
    code, text = checked(folder, timeout=3)
    assert code == 1 and "initialization.py" in text and "did not return" in text


def test_a_symlinked_module_is_refused_by_name(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    os.symlink(SOLUTIONS / "optimizers.py", folder / "optimizers.py")
    code, text = checked(folder)
    assert code == 1 and "symbolic link" in text and "ok   update_parameters_with_adam" not in text
