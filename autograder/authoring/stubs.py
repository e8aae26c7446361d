"""Student stubs generated from the reference solutions: one source of truth.

Everything between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes
``# YOUR CODE HERE`` + ``raise NotImplementedError``; signatures, docstrings and given code stay.
"""

from __future__ import annotations

import re
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
MARKER_RE = re.compile(r"###\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)")
HEADER = "# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.\n"


class MarkerError(ValueError):
    pass


def strip_solution(text: str, filename: str = "<source>", header: bool = True) -> str:
    out: list[str] = [HEADER] if header else []
    inside = False
    begin_line = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise MarkerError(f"{filename}:{number}: BEGIN SOLUTION inside another")
            inside, begin_line = True, number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError\n")
        elif stripped.startswith(END):
            if not inside:
                raise MarkerError(f"{filename}:{number}: END SOLUTION without BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{filename}:{begin_line}: BEGIN SOLUTION is never closed")
    return "".join(out)


def solution_lines(text: str) -> set[str]:
    """Lines that exist only inside solution blocks: none may appear in a released file."""
    inside_lines: set[str] = set()
    outside_lines: set[str] = set()
    inside = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            inside = True
        elif stripped.startswith(END):
            inside = False
        elif stripped and not stripped.startswith("#"):
            (inside_lines if inside else outside_lines).add(stripped)
    trivial = {"return", "pass", ")", "]", "}", "else:", "try:", "return None"}
    return {line for line in inside_lines - outside_lines if line not in trivial}


def generate(solutions: Path, assignments: Path, check: bool = False) -> list[str]:
    """Write (or with ``check``, compare) a stub for every solution module; returns stale files."""
    stale = []
    assignments.mkdir(parents=True, exist_ok=True)
    for src in sorted(solutions.glob("*.py")):
        if src.name.startswith("_"):
            continue
        stub = strip_solution(src.read_text(encoding="utf-8"), str(src))
        dest = assignments / src.name
        current = dest.read_text(encoding="utf-8") if dest.exists() else None
        if current != stub:
            stale.append(str(dest))
            if not check:
                dest.write_text(stub, encoding="utf-8")
    return stale


def leaks(released: Path, solutions: Path) -> list[str]:
    """Markers or solution lines found in a released folder (recursively, text files)."""
    secret: dict[str, set[str]] = {
        src.stem: solution_lines(src.read_text(encoding="utf-8")) for src in solutions.glob("*.py")
    }
    every_secret = set().union(*secret.values()) if secret else set()
    found = []
    for path in sorted(released.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".ipynb", ".txt", ".md", ".json", ""):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if MARKER_RE.search(text):
            found.append(f"{path}: holds a solution or hidden-test marker")
        lines = {line.strip() for line in text.splitlines()}
        if path.suffix == ".ipynb":
            import json

            try:
                cells = json.loads(text).get("cells", [])
            except ValueError:
                cells = []
            lines = set()
            for cell in cells:
                src = cell.get("source", "")
                src = "".join(src) if isinstance(src, list) else src
                lines.update(line.strip() for line in src.splitlines())
        hit = sorted(lines & every_secret)
        if hit:
            found.append(f"{path}: holds solution line(s) {hit[:3]}")
    return found
