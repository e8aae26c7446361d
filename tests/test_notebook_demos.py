"""The course's demos and experiments run from the notebooks, as a student runs them.

Each source notebook that holds a demo (the answer cells filled in with the solution) is executed
top to bottom in a real Jupyter kernel, in a folder generated like an assignment's (its public
checks and course helpers beside it). Every cell must run without an error, every figure a demo
shows must reach the notebook as a picture (a ``matplotlib.figure.Figure`` shown with
``display`` is only text in a kernel where pyplot never started the inline backend), and no demo
may be skipped, as it is where nbgrader runs the notebook.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autograder.authoring.notebooks import assignment_of, generate
from autograder.catalog import ASSIGNMENTS, TOPICS

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

TEXT_DIR = Path(__file__).resolve().parents[1] / "autograder" / "authoring" / "text"
RUN_FENCE = "```python run"
WITH_DEMO = [t for t in TOPICS if RUN_FENCE in (TEXT_DIR / f"{t}.md").read_text(encoding="utf-8")]


def test_the_demo_notebooks_are_the_ones_with_a_run_block():
    # Guards the parametrization below: a new demo is executed without anyone listing it.
    assert {"optimizers", "landscape", "deep_gradients", "tuning", "feature_vis", "inception"} <= set(WITH_DEMO)


def execute(path: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in ("NBGRADER_EXECUTION", "MPLBACKEND")}
    env["OMP_NUM_THREADS"] = "1"  # one torch thread: the suite runs two tests at a time on two cores
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return json.loads(nbformat.writes(nb))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def stream_text(cell: dict) -> str:
    return "".join("".join(o["text"]) if isinstance(o["text"], list) else o["text"]
                   for o in cell.get("outputs", []) if o["output_type"] == "stream")


@pytest.mark.slow
@pytest.mark.parametrize("topic", WITH_DEMO)
def test_the_demo_runs_in_a_kernel_and_shows_its_figures(topic, tmp_path):
    if topic == "feature_vis":
        pytest.importorskip("sklearn", reason="the feature_vis demo trains on scikit-learn's digits "
                                              "(the 'course' extra installs it)")
    assignment = assignment_of(topic)
    # The whole assignment: a demo may use another notebook of it (landscape runs the
    # student's optimizers from optimizers.ipynb).
    generate(tmp_path, topics=list(ASSIGNMENTS[assignment]))
    nb = execute(tmp_path / assignment / f"{topic}.ipynb")

    errors = [(o["ename"], o["evalue"]) for c in nb["cells"] if c["cell_type"] == "code"
              for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == [], f"{topic}.ipynb raised: {errors}"
    demos = [c for c in nb["cells"] if c["cell_type"] == "code" and "NBGRADER_EXECUTION" in source(c)]
    assert demos, f"{topic}.ipynb has no demo cell"
    for cell in demos:
        text = stream_text(cell)
        assert "skipped" not in text, f"a demo of {topic}.ipynb was skipped:\n{text}"
        shown = source(cell).count("display(")
        pictures = [o for o in cell.get("outputs", []) if o["output_type"] in ("display_data", "execute_result")
                    and "image/png" in o.get("data", {})]
        assert len(pictures) >= shown, (
            f"a demo of {topic}.ipynb shows {len(pictures)} pictures for {shown} display() calls; outputs: "
            f"{[sorted(o.get('data', {})) or o['output_type'] for o in cell.get('outputs', [])]}")
