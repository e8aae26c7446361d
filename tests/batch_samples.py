"""A made-up class of optimizers submissions (correct, buggy, hostile) for batch tests and
benchmarks, written from the reference solution with small edits."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_ADAM_V_HAT = "v_hat = new_v[dkey] / (1 - beta1**t)"
_ADAM_S_HAT = "s_hat = new_s[dkey] / (1 - beta2**t)"
_MOMENTUM = "beta * v[dkey] + (1 - beta) * gradients[dkey]"


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise ValueError(f"the solution no longer contains {old!r}; update batch_samples.py")
    return text.replace(old, new)


def variants(solution: str, stub: str) -> dict[str, str | None]:
    """Kind of submission -> the text of its optimizers.py (None: the module is missing)."""
    return {
        "correct": solution,
        "correct_printing": 'print("hello from a student")\n' + solution,
        "adam_no_bias_correction": _replace(
            _replace(solution, _ADAM_V_HAT, "v_hat = new_v[dkey]"), _ADAM_S_HAT,
            "s_hat = new_s[dkey]"),
        "momentum_beta_swapped": _replace(solution, _MOMENTUM,
                                          "(1 - beta) * v[dkey] + beta * gradients[dkey]"),
        "crash_at_import": "import os\nos._exit(3)\n" + solution,
        "infinite_loop": solution + (
            "\n\ndef exponential_decay(learning_rate0, epoch, decay_rate):\n"
            "    while True:\n        pass\n"),
        "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + solution,
        "memory_hog": solution + "\n\n_hog = bytearray(1 << 40)\n",
        "raises": solution + (
            "\n\ndef step_decay(learning_rate0, epoch, drop, epochs_drop):\n"
            "    return learning_rate0 / 0\n"),
        "syntax_error": solution + "\n\ndef broken(:\n    pass\n",
        "not_implemented": stub,
        "missing_module": None,
    }


def write_class(folder: str | Path, n: int | None = None, *, solutions: Path | None = None,
                assignments: Path | None = None, layout: str = "plain",
                assignment: str = "ps1") -> list[str]:
    """Write ``n`` student folders (default: one of each kind) and return their names.

    Students cycle through the kinds in order; ``layout="nbgrader"`` writes
    ``submitted/<student>/<assignment>/`` instead of ``<student>/``.
    """
    solution = ((solutions or ROOT / "solutions") / "optimizers.py").read_text(encoding="utf-8")
    stub = ((assignments or ROOT / "assignments") / "optimizers.py").read_text(encoding="utf-8")
    kinds = variants(solution, stub)
    names = list(kinds)
    count = len(names) if n is None else n
    students = []
    for i in range(count):
        kind = names[i % len(names)]
        student = f"s{i:03d}_{kind}"
        base = Path(folder)
        target = (base / "submitted" / student / assignment if layout == "nbgrader"
                  else base / student)
        target.mkdir(parents=True, exist_ok=True)
        text = kinds[kind]
        if text is None:
            (target / "notes.txt").write_text("I did not finish.\n", encoding="utf-8")
        else:
            (target / "optimizers.py").write_text(text, encoding="utf-8")
        students.append(student)
    return students
