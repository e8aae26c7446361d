"""nbgrader source notebooks built from ``solutions/``: one source of truth for solution code.

Each SPEC module becomes ``source/<assignment>/<module>.ipynb``: teaching text from
``autograder/authoring/text/<module>.md`` (the Chinese edition, ``lang="zh"``: from
``autograder/authoring/text/zh/<module>.md``, with the cells this module writes in Chinese too),
the module's given code as locked cells, every marked
function or class as an nbgrader solution cell (markers kept: ``generate_assignment`` strips
them), and after it a grade cell worth the hidden properties' points that runs the public checks.
The hidden grading itself happens outside the kernel (``autograder.nbgrader_grade``).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from autograder.authoring.stubs import BEGIN
from autograder.catalog import ASSIGNMENTS, TOPICS

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
TEXT_DIR = PACKAGE / "authoring" / "text"
PUBLIC_CHECKS = PACKAGE / "student" / "public_checks"
COURSE_HELPERS = PACKAGE / "student" / "course"
HELPER_FILES = ("experiments.py", "feature_maps.py")

LANGS = ("en", "zh")  # "en", the default, builds the committed source/; "zh": the Chinese edition
SCHEMA_VERSION = 3
SECTION_RE = re.compile(r"^<!--\s*@(\S+)\s*-->\s*$")
RUN_FENCE = "```python run"


def assignment_of(topic: str) -> str:
    for name, topics in ASSIGNMENTS.items():
        if topic in topics:
            return name
    raise ValueError(f"topic {topic!r} belongs to no assignment")


# ---------------------------------------------------------------------- module -> chunks


@dataclass
class Chunk:
    kind: str  # "given" (locked code) or "solution" (one marked function or class)
    code: str
    name: str = ""


def split_module(text: str, filename: str = "<module>") -> list[Chunk]:
    """Cut a solution module into given code and one solution chunk per marked top-level def.

    The module docstring is dropped (the notebook's text replaces it); comments and blank
    lines go with the statement that follows them; consecutive given statements share a chunk.
    """
    tree = ast.parse(text, filename=filename)
    lines = text.splitlines(keepends=True)
    body = list(tree.body)
    start_line = 1
    first_node = body[0] if body else None
    if isinstance(first_node, ast.Expr) and isinstance(first_node.value, ast.Constant) \
            and isinstance(first_node.value.value, str):
        start_line = (first_node.end_lineno or first_node.lineno) + 1
        body = body[1:]
    chunks: list[Chunk] = []
    previous_end = start_line - 1
    for node in body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        end = node.end_lineno or node.lineno
        # Indented comments after the last statement (``### END SOLUTION``) belong to the body.
        while end < len(lines) and lines[end].strip() and lines[end][:1] in (" ", "\t"):
            end += 1
        code = "".join(lines[previous_end:end]).strip("\n")
        own = "".join(lines[first - 1:end])
        previous_end = end
        if BEGIN in own and isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            chunks.append(Chunk("solution", code, node.name))
        elif chunks and chunks[-1].kind == "given":
            chunks[-1].code += "\n\n\n" + code if isinstance(node, (ast.FunctionDef, ast.ClassDef)) \
                else "\n" + code
        else:
            chunks.append(Chunk("given", code))
    tail = "".join(lines[previous_end:]).strip("\n")
    if tail and chunks:
        chunks[-1].code += "\n" + tail
    return chunks


# ---------------------------------------------------------------------- hidden points


class _PointsCollector:
    def __init__(self) -> None:
        self.points: dict[str, dict[str, float]] = {}

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        for item in items:
            callspec = getattr(item, "callspec", None)
            if callspec and callspec.params.get("device", "cpu") != "cpu":
                continue
            points = item.get_closest_marker("points")
            exercise = item.get_closest_marker("exercise")
            if points is None or exercise is None:
                continue
            topic, name = exercise.args[0], exercise.args[1]
            per_topic = self.points.setdefault(topic, {})
            per_topic[name] = per_topic.get(name, 0.0) + float(points.args[0])


def hidden_points(topics: list[str], tests_dir: Path | None = None) -> dict[str, dict[str, float]]:
    """Points of the hidden properties (CPU), per topic and SPEC name, from pytest's collection."""
    import contextlib
    import io

    import pytest

    from autograder.engine.pipeline import default_tests_dir
    from autograder.engine.properties import INI

    tests = tests_dir or default_tests_dir()
    files = [str(tests / f"test_{t}.py") for t in topics if (tests / f"test_{t}.py").exists()]
    collector = _PointsCollector()
    if files:
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            code = pytest.main([*files, "-c", str(INI), "--rootdir", str(tests), "--collect-only",
                                "-qq", "-p", "no:cacheprovider", "-p", "no:randomly"],
                               plugins=[collector])
        if code not in (0, 5):
            raise RuntimeError(f"collecting the grading tests failed (exit {code}):\n{log.getvalue()[-3000:]}")
    return collector.points


# ---------------------------------------------------------------------- teaching text


def text_path(topic: str, lang: str = "en") -> Path:
    """The teaching text of ``topic`` in ``lang``: ``course/text/<topic>.md`` (English) or
    ``course/text/<lang>/<topic>.md``."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; known languages: {', '.join(LANGS)}")
    return TEXT_DIR / f"{topic}.md" if lang == "en" else TEXT_DIR / lang / f"{topic}.md"


def read_text(topic: str, lang: str = "en") -> dict[str, str]:
    """Sections of ``course/text/<topic>.md`` (or of its ``lang`` edition): "intro", then one
    per ``<!-- @name -->``. A topic with an English text but none in ``lang`` is an error: a
    notebook of that edition in English would pass unnoticed."""
    path = text_path(topic, lang)
    if not path.exists() and lang != "en" and text_path(topic).exists():
        raise FileNotFoundError(f"the {lang} edition of the course lacks the teaching text of {topic}: "
                                f"{path} (translate {text_path(topic)})")
    sections: dict[str, str] = {"intro": ""}
    if not path.exists():
        sections["intro"] = CELL_TEXT[lang]["todo"].format(title=TOPICS[topic].title, topic=topic)
        return sections
    current = "intro"
    buffer: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = SECTION_RE.match(line)
        if match:
            sections[current] = "\n".join(buffer).strip("\n")
            current, buffer = match.group(1), []
        else:
            buffer.append(line)
    sections[current] = "\n".join(buffer).strip("\n")
    return sections


def text_cells(text: str) -> list[tuple[str, str]]:
    """Markdown with ```python run fences -> [("markdown" | "code", source), ...]."""
    cells: list[tuple[str, str]] = []
    buffer: list[str] = []
    in_code = False
    for line in text.splitlines():
        if not in_code and line.strip() == RUN_FENCE:
            if "".join(buffer).strip():
                cells.append(("markdown", "\n".join(buffer).strip("\n")))
            buffer, in_code = [], True
        elif in_code and line.strip() == "```":
            cells.append(("code", "\n".join(buffer).strip("\n")))
            buffer, in_code = [], False
        else:
            buffer.append(line)
    if "".join(buffer).strip():
        cells.append(("code" if in_code else "markdown", "\n".join(buffer).strip("\n")))
    return cells


# ---------------------------------------------------------------------- notebook


GRADING_NOTE = """\
**How this notebook is graded.** Write your code in the cells marked `# YOUR CODE HERE`
(replace the `raise NotImplementedError`). Keep every function's name and signature; helper
functions you need go into the same answer cell. The cell after each answer runs a few
*public checks* in your kernel: they catch common slips, nothing more. The grade comes from
hidden property tests that run **outside this notebook**: the grader takes the code of the
answer cells (and the given cells, as released), puts it in `{topic}.py`, and compares it with
PyTorch on many generated inputs, in a sandbox. Anything printed or changed in this kernel does
not affect the grade. From a terminal, in this notebook's folder, in the bundle's `modules/` or
at its top, `python -m public_checks` runs the same public checks on every exercise it finds
there (`python -m public_checks {topic}`: this one, from `{topic}.ipynb` or `{topic}.py`)."""

# The texts this module itself writes into a notebook, per language (placeholders in braces;
# whole sentences, so that each reads well in its language). The code around them stays the same.
CELL_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "todo": "# {title}\n\n(TODO: teaching text for `{topic}`.)",
        "grading_note": GRADING_NOTE,
        "no_check": ("# No public check for {name} yet: try it on a small example of your own.\n"
                     "# The hidden tests grade the answer cell above, outside this kernel."),
        "no_check_assert": "{name} must be defined",
        "checks": ("# Public checks for {name} (they run here, in your kernel; the hidden tests grade\n"
                   "# the answer cell above on their own, outside it)."),
    },
    "zh": {
        "todo": "# {title}\n\n（待补充：`{topic}` 的教学文本。）",
        "grading_note": """\
**本 notebook 如何评分。** 请在标有 `# YOUR CODE HERE` 的单元格里编写代码（替换掉其中的
`raise NotImplementedError`）。不要改动任何函数的名称和签名；需要的辅助函数也写在同一个答案单元格里。
每个答案后面的单元格会在你的内核中运行几项*公开检查*：它们只能发现常见的疏忽，仅此而已。
成绩来自在**本 notebook 之外**运行的隐藏性质测试：评分程序取出各答案单元格（以及发布时给定的单元格）中的代码，
放进 `{topic}.py`，然后在沙箱中用大量自动生成的输入与 PyTorch 的结果进行比较。你在这个内核里打印或修改的任何内容
都不会影响成绩。在终端中，于本 notebook 所在的文件夹、作业包的 `modules/` 文件夹或作业包的顶层目录下运行
`python -m public_checks`，会对在那里找到的每道练习运行同样的公开检查（`python -m public_checks {topic}`
只检查这一道，读取 `{topic}.ipynb` 或 `{topic}.py`）。""",
        "no_check": ("# {name} 暂时还没有公开检查：请自己用一个小例子试一试。\n"
                     "# 隐藏测试会在这个内核之外，为上面的答案单元格评分。"),
        "no_check_assert": "必须定义 {name}",
        "checks": ("# {name} 的公开检查（它们在这里、在你的内核中运行；隐藏测试则在内核之外，\n"
                   "# 单独为上面的答案单元格评分）。"),
    },
}


def _cell(kind: str, source: str, nbgrader: dict[str, Any] | None, cell_id: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": source}
    if nbgrader is not None:
        cell["metadata"]["nbgrader"] = {"schema_version": SCHEMA_VERSION, **nbgrader}
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def has_public_check(topic: str, name: str) -> bool:
    path = PUBLIC_CHECKS / f"{topic}.py"
    return path.exists() and f"def check_{name}(" in path.read_text(encoding="utf-8")


def check_cell_source(topic: str, name: str, lang: str = "en") -> str:
    text = CELL_TEXT[lang]
    if not has_public_check(topic, name):
        message = json.dumps(text["no_check_assert"].format(name=name), ensure_ascii=False)
        return text["no_check"].format(name=name) + f"\nassert callable({name}), {message}"
    return (text["checks"].format(name=name) + "\n"
            f"from public_checks import {topic} as checks\n"
            f"checks.check_{name}({name})")


def build_notebook(topic: str, solution_text: str, points: dict[str, float],
                   lang: str = "en") -> dict[str, Any]:
    """The source notebook (solution markers kept) for one SPEC module, as nbformat JSON, with the
    teaching text and this module's own cell texts in ``lang`` (the code is the same in each)."""
    sections = read_text(topic, lang)
    chunks = split_module(solution_text, f"{topic}.py")
    cells: list[dict[str, Any]] = []

    def add(kind: str, source: str, nbgrader: dict[str, Any] | None = None) -> None:
        cells.append(_cell(kind, source, nbgrader, f"{topic}-{len(cells):02d}"))

    def add_text(text: str) -> None:
        for kind, source in text_cells(text):
            add(kind, source)

    add_text(sections["intro"])
    add("markdown", CELL_TEXT[lang]["grading_note"].format(topic=topic))
    names = {c.name for c in chunks if c.kind == "solution"}
    orphans = [n for n in points if n not in names]
    given = 0
    last_solution = max((i for i, c in enumerate(chunks) if c.kind == "solution"), default=-1)
    for index, chunk in enumerate(chunks):
        if chunk.kind == "given":
            given += 1
            add("code", chunk.code, {"grade": False, "solution": False, "locked": True,
                                     "grade_id": f"given_{given}"})
            continue
        if chunk.name in sections:
            add_text(sections[chunk.name])
        add("code", chunk.code, {"grade": False, "solution": True, "locked": False,
                                 "grade_id": chunk.name})
        graded = [chunk.name] + (orphans if index == last_solution else [])
        for name in graded:
            if points.get(name, 0) > 0:
                add("code", check_cell_source(topic, name, lang),
                    {"grade": True, "solution": False, "locked": True,
                     "grade_id": f"check_{name}", "points": points[name]})
    for section, text in sections.items():
        if section != "intro" and section not in names:
            add_text(text)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "autograder": {"topic": topic, **({"lang": lang} if lang != "en" else {})},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def course_language(source: Path) -> str:
    """The language the notebooks of a course's ``source/`` were built in (``build_notebook``
    records any other than English in their metadata): that of the first one, else "en"."""
    for assignment in ASSIGNMENTS:
        for path in sorted((source / assignment).glob("*.ipynb")):
            try:
                meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("autograder", {})
            except (OSError, ValueError, AttributeError):
                continue
            lang = meta.get("lang", "en") if isinstance(meta, dict) else "en"
            return lang if lang in LANGS else "en"
    return "en"


def dumps(notebook: dict[str, Any]) -> str:
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------- the course folder


@dataclass
class Plan:
    """Every file of ``source/`` with its content, so that writing and checking agree."""

    files: dict[Path, str] = field(default_factory=dict)


def _copy_tree_text(src: Path, dest: Path, plan: Plan) -> None:
    for path in sorted(src.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        plan.files[dest / path.relative_to(src)] = path.read_text(encoding="utf-8")


def plan_source(source: Path, solutions: Path | None = None, tests_dir: Path | None = None,
                topics: list[str] | None = None, lang: str = "en", config: Path | None = None) -> Plan:
    """The notebooks and config ``source/`` should hold for the solutions present (or ``topics``
    only), in ``lang``. The copies beside them (``support_files``) are not part of it: git does not
    keep them. ``config``: the nbgrader config to copy into ``source`` (a folder built elsewhere,
    ``notebooks --output``); by default the one ``source`` holds, if any, is kept."""
    solutions = solutions or ROOT / "solutions"
    wanted = [t for t in (topics or list(TOPICS)) if (solutions / f"{t}.py").exists()]
    points = hidden_points(wanted, tests_dir)
    plan = Plan()
    if config is not None:
        plan.files[source / "nbgrader_config.py"] = config.read_text(encoding="utf-8")
    elif (source / "nbgrader_config.py").exists():
        plan.files[source / "nbgrader_config.py"] = (source / "nbgrader_config.py").read_text(encoding="utf-8")
    for assignment, members in ASSIGNMENTS.items():
        folder = source / assignment
        for topic in [t for t in members if t in wanted]:
            text = (solutions / f"{topic}.py").read_text(encoding="utf-8")
            notebook = build_notebook(topic, text, points.get(topic, {}), lang)
            plan.files[folder / f"{topic}.ipynb"] = dumps(notebook)
    return plan


# Copies of package files that an assignment's notebooks need beside them (nbgrader releases a
# notebook's folder as it is). Generated, never kept in git (.gitignore): written when notebooks
# are built and when a course folder or a release is made.
SUPPORT_DIRS = ("public_checks", "course")
HELPERS_INIT = '"""The course\'s helpers: experiments and demos."""\n'
# Beside the public checks of notebooks built in another language than English: the language
# their messages come out in (public_checks/_i18n.py reads it).
LANGUAGE_FILE = ('"""The language of the notebooks beside these public checks (written by\n'
                 '`autograder notebooks --lang {lang}`)."""\n\nLANGUAGE = "{lang}"\n')


def notebooks_language(folder: Path) -> str:
    """The language the notebooks in ``folder`` were built in (their metadata), else "en"."""
    for path in sorted(folder.glob("*.ipynb")):
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("autograder", {})
        except (ValueError, AttributeError):
            continue
        lang = meta.get("lang", "en") if isinstance(meta, dict) else "en"
        return lang if lang in LANGS else "en"
    return "en"


@overload
def support_files(assignment: str, folder: Path, binary: Literal[False] = ...) -> dict[Path, str]: ...
@overload
def support_files(assignment: str, folder: Path, binary: bool) -> dict[Path, str | bytes]: ...
def support_files(assignment: str, folder: Path,
                  binary: bool = False) -> dict[Path, str] | dict[Path, str | bytes]:
    """Paths (relative to the assignment's folder) and texts of the copies its notebooks use: the
    public checks, which every notebook tells students to run (the framework, the checks of the
    assignment's topics and, for notebooks in another language, the file naming it), and each
    course helper that one of its notebooks imports. ``binary``: also the public checks' compiled
    catalogs (bytes), so that their messages can come out in each language."""
    notebooks = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.ipynb")))
    files: dict[Path, str] = {}
    if not notebooks:
        return files
    for name in ("__init__.py", "__main__.py", "_common.py", "_i18n.py"):
        files[Path("public_checks", name)] = (PUBLIC_CHECKS / name).read_text(encoding="utf-8")
    lang = notebooks_language(folder)
    if lang != "en":
        files[Path("public_checks", "_language.py")] = LANGUAGE_FILE.format(lang=lang)
    for topic in ASSIGNMENTS.get(assignment, []):
        check = PUBLIC_CHECKS / f"{topic}.py"
        if check.exists() and (folder / f"{topic}.ipynb").exists():
            files[Path("public_checks", check.name)] = check.read_text(encoding="utf-8")
    used = [h for h in HELPER_FILES if re.search(
        rf"\bcourse\.{h[:-3]}\b|from course import [^\n]*\b{h[:-3]}\b", notebooks)]
    if used:
        files[Path("course", "__init__.py")] = HELPERS_INIT
    for helper in used:
        files[Path("course", helper)] = (COURSE_HELPERS / helper).read_text(encoding="utf-8")
    if not binary:
        return files
    with_catalogs: dict[Path, str | bytes] = dict(files)
    for catalog in sorted((PUBLIC_CHECKS / "locale").glob("*/LC_MESSAGES/*.mo")):
        with_catalogs[Path("public_checks", catalog.relative_to(PUBLIC_CHECKS))] = catalog.read_bytes()
    return with_catalogs


def _same(path: Path, content: str | bytes) -> bool:
    """Whether the file ``path`` holds ``content`` (text or bytes)."""
    if not path.is_file():
        return False
    if isinstance(content, bytes):
        return path.read_bytes() == content
    return path.read_text(encoding="utf-8") == content


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def write_support(assignment: str, folder: Path) -> list[str]:
    """Write the ``support_files`` missing in ``folder``, keeping the copies there (an
    instructor's edit); returns the paths written."""
    written = []
    for rel, content in support_files(assignment, folder, binary=True).items():
        if not (folder / rel).exists():
            _write(folder / rel, content)
            written.append(str(folder / rel))
    return written


def refresh_support(assignment: str, folder: Path) -> None:
    """Rewrite every generated copy beside the notebooks from this package (its own course:
    a copy there is never an instructor's edit, and one left from an older checkout is stale)."""
    for rel, content in support_files(assignment, folder, binary=True).items():
        if not _same(folder / rel, content):
            _write(folder / rel, content)


def generate(source: Path, solutions: Path | None = None, tests_dir: Path | None = None,
             topics: list[str] | None = None, check: bool = False, prune: bool = True,
             lang: str = "en", config: Path | None = None) -> list[str]:
    """Write (or with ``check``, compare) the course's source notebooks and the copies beside
    them; returns stale paths. A missing copy is written, never stale: git does not keep them.
    ``prune``: also remove (report) files of the assignments that nothing generates any more.
    ``lang`` and ``config``: as in ``plan_source``."""
    plan = plan_source(source, solutions, tests_dir, topics, lang, config)
    stale = []
    for path, text in plan.files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(str(path))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    planned = set(plan.files)
    for assignment in ASSIGNMENTS:
        folder = source / assignment
        for rel, content in support_files(assignment, folder, binary=True).items() if folder.is_dir() else []:
            path = folder / rel
            planned.add(path)
            if path.exists() and not _same(path, content):
                stale.append(str(path))
            if not check and not _same(path, content):
                _write(path, content)
        language_file = folder / "public_checks" / "_language.py"
        if language_file not in planned and language_file.is_file():  # its notebooks are English again
            stale.append(f"{language_file} (not generated any more)")
            if not check:
                language_file.unlink()
    if topics is None and prune:
        # Files that nothing produces any more (a renamed helper, a deleted topic).
        for assignment in ASSIGNMENTS:
            for path in sorted((source / assignment).rglob("*")) if (source / assignment).exists() else []:
                if path.is_file() and "__pycache__" not in path.parts and path not in planned:
                    stale.append(f"{path} (not generated any more)")
                    if not check:
                        path.unlink()
    return stale


def make_course(course: Path, source: Path, assignments: list[str] | None = None,
                config: Path | None = None) -> list[str]:
    """An instructor's nbgrader course folder: its ``nbgrader_config.py`` and ``source/``, from
    the course ``source`` (its config in it or beside it, unless ``config`` says where)."""
    if config is None:
        from autograder.authoring.course_folder import course_of_source

        config = course_of_source(source).config
    course.mkdir(parents=True, exist_ok=True)
    if config.resolve() != (course / "nbgrader_config.py").resolve():
        shutil.copyfile(config, course / "nbgrader_config.py")
    made = []
    for assignment in assignments or list(ASSIGNMENTS):
        src = source / assignment
        if not src.is_dir():
            continue
        dest = course / "source" / assignment
        if dest.resolve() == src.resolve():
            write_support(assignment, dest)
            made.append(assignment)  # the course itself
            continue
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        write_support(assignment, dest)
        made.append(assignment)
    return made


def module_of_notebook(notebook: dict[str, Any]) -> str:
    """The solution module a source notebook was built from (markers kept, docstring and
    teaching text left out): its given (locked) cells and solution cells, in order."""
    parts = []
    for cell in notebook.get("cells", []):
        info = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not info or info.get("grade"):
            continue
        if info.get("solution") or info.get("locked"):
            src = cell.get("source", "")
            parts.append("".join(src) if isinstance(src, list) else src)
    topic = notebook.get("metadata", {}).get("autograder", {}).get("topic", "")
    head = f'"""{TOPICS[topic].title}: the exercises of {topic}.ipynb."""\n\n' if topic in TOPICS else ""
    return head + "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


def write_solution_modules(source: Path, into: Path) -> list[str]:
    """``into/<topic>.py`` rebuilt from every ``source/<assignment>/<topic>.ipynb``; the topics."""
    into.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment, members in ASSIGNMENTS.items():
        for topic in members:
            path = source / assignment / f"{topic}.ipynb"
            if path.is_file():
                notebook = json.loads(path.read_text(encoding="utf-8"))
                (into / f"{topic}.py").write_text(module_of_notebook(notebook), encoding="utf-8")
                written.append(topic)
    return written
