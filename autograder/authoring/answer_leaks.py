"""The behavioural leak check of a student bundle: every function the bundle ships (course
helpers, public checks, given code, notebook cells) is graded by the engine as each exercise
whose signature it fits. One that scores any point hands students an answer.

The line-based check (``autograder.authoring.stubs.leaks``) finds copied solution lines; this one finds
equivalent code written differently (``he_parameters`` pasted as ``initialize_parameters_he``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autograder.catalog import TOPICS
from autograder.engine.submission import foreign_imports
from autograder.results import PropertyResult

PREFIX = "shipped_"
# Like "dev" (fixed examples), without shrinking: only whether a property passes matters here.
PROFILE = "mutation"
MAGIC_RE = re.compile(r"^\s*[%!]")
# Top-level statements of a notebook cell kept in its module: definitions and what they need.
KEPT_IN_CELLS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Arity:
    """How many positional arguments a callable takes: at least ``least``, at most ``most``."""

    least: int
    most: float  # math.inf with ``*args``

    def fits(self, exercise: Arity) -> bool:
        """The exercise's full call (every argument the contract names, as the hidden tests may
        pass them all) binds: what a drop-in answer must accept."""
        return self.least <= exercise.most <= self.most


@dataclass
class Shipped:
    """One top-level function or class of the bundle, importable from its scratch module."""

    module: str  # the scratch module's name
    name: str
    arity: Arity
    numpy_only: bool  # its module and their imports use no foreign array library
    origins: list[str] = field(default_factory=list)  # paths in the bundle

    @property
    def label(self) -> str:
        return f"{' = '.join(self.origins)}: {self.name}"


@dataclass(frozen=True)
class Exercise:
    topic: str
    name: str
    arity: Arity
    builds_model: bool = False  # a torch class, or a factory of one taking no required argument

    def may_score(self, shipped: Shipped) -> bool:
        """Whether ``shipped`` could pass any of its properties: it binds one of the exercise's
        calls, and uses no library the exercise forbids; a model needs torch to be built."""
        if not shipped.arity.fits(self.arity):
            return False
        if TOPICS[self.topic].kind == "numpy":
            return shipped.numpy_only
        return not (self.builds_model and shipped.numpy_only)


@dataclass(frozen=True)
class Finding:
    """A shipped function that scored on an exercise (or could not be checked against it)."""

    shipped: str
    exercise: str
    score: float
    max_score: float
    problem: str = ""

    def __str__(self) -> str:
        if self.problem:
            return f"{self.shipped} could not be graded as {self.exercise}: {self.problem}"
        return (f"{self.shipped} scores {self.score:g}/{self.max_score:g} as {self.exercise} "
                "on the hidden tests")


# ---------------------------------------------------------------------- signatures


def _function_arity(args: ast.arguments, drop_self: bool = False) -> Arity | None:
    positional = [*args.posonlyargs, *args.args][1 if drop_self else 0:]
    if any(default is None for default in args.kw_defaults):
        return None  # a required keyword-only argument: no exercise is called that way
    least = len(positional) - len(args.defaults)
    return Arity(max(least, 0), math.inf if args.vararg else len(positional))


def _is_dataclass(node: ast.ClassDef) -> bool:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if (target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")) == "dataclass":
            return True
    return False


def arity_of(node: ast.stmt) -> Arity | None:
    """The positional arity of a top-level ``def`` or ``class`` (its constructor's), or None."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _function_arity(node.args)
    if not isinstance(node, ast.ClassDef):
        return None
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            return _function_arity(item.args, drop_self=True)
    if _is_dataclass(node):
        fields = [item for item in node.body if isinstance(item, ast.AnnAssign)
                  and isinstance(item.target, ast.Name) and "ClassVar" not in ast.unparse(item.annotation)]
        required = [f for f in fields if f.value is None]
        return Arity(len(required), len(fields))
    return Arity(0, math.inf) if node.bases else Arity(0, 0)


def is_stub(node: ast.stmt) -> bool:
    """A stub's body: a docstring at most, then ``raise NotImplementedError``."""
    body = list(getattr(node, "body", []))
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    exc = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def exercises(solutions: Path, topics: list[str], tests_dir: Path | None = None) -> list[Exercise]:
    """The graded exercises (the grading tests' ``exercise`` markers) of ``topics``, with the
    arity of their definition in ``solutions/<topic>.py``."""
    from autograder.authoring.notebooks import hidden_points

    found = []
    for topic, names in hidden_points(topics, tests_dir).items():
        path = solutions / f"{topic}.py"
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        defined = {getattr(n, "name", ""): arity_of(n) for n in tree.body}
        classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        for name in names:
            arity = defined.get(name)
            if arity is not None:
                model = TOPICS[topic].kind == "torch" and (name in classes or arity.least == 0)
                found.append(Exercise(topic, name, arity, model))
    return found


# ---------------------------------------------------------------------- the bundle's code


@dataclass
class _Source:
    path: Path  # in the bundle
    dotted: str  # its import name from its import root
    root: Path  # the folder it is imported from (``sys.path`` entry)
    tree: ast.Module
    is_package: bool = False


def _import_root(path: Path) -> tuple[Path, str, bool]:
    """(sys.path folder, dotted name, is a package ``__init__``) of a ``.py`` file."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts), path.name == "__init__.py"


def _cell_module(notebook: Path) -> ast.Module:
    """The definitions and imports of a notebook's code cells (nothing that runs at import)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except ValueError:
        return ast.Module(body=[], type_ignores=[])
    body: list[ast.stmt] = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        src = "\n".join("" if MAGIC_RE.match(line) else line for line in src.splitlines())
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        body.extend(node for node in tree.body if isinstance(node, KEPT_IN_CELLS))
    return ast.Module(body=body, type_ignores=[])


def _sources(bundle: Path) -> list[_Source]:
    found = []
    for path in sorted(bundle.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.is_symlink():
            continue
        if path.suffix == ".py":
            root, dotted, package = _import_root(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found.append(_Source(path, dotted, root, tree, package))
        elif path.suffix == ".ipynb":
            found.append(_Source(path, path.stem, path.parent, _cell_module(path)))
    return found


def _flat_name(source: _Source) -> str:
    # The same file at two places (the public checks beside each notebook) is one module.
    digest = hashlib.sha256(ast.dump(source.tree).encode() + source.dotted.encode()).hexdigest()[:10]
    kind = "nb_" if source.path.suffix == ".ipynb" else ""
    return f"{PREFIX}{kind}{re.sub(r'[^0-9A-Za-z]', '_', source.dotted or 'pkg')}_{digest}"


class _Rewrite(ast.NodeTransformer):
    """Imports of the bundle's own modules become imports of their scratch copies."""

    def __init__(self, source: _Source, table: dict[str, str]) -> None:
        self.table = table
        package = source.dotted if source.is_package else source.dotted.rpartition(".")[0]
        self.package = package

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.package.split(".") if self.package else []
        base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
        return ".".join([*base, *([node.module] if node.module else [])])

    def visit_Import(self, node: ast.Import) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for alias in node.names:
            flat = self.table.get(alias.name)
            if flat and (alias.asname or "." not in alias.name):
                out.append(ast.Import(names=[ast.alias(flat, alias.asname or alias.name)]))
            else:
                out.append(ast.Import(names=[alias]))
        return out

    def visit_ImportFrom(self, node: ast.ImportFrom) -> list[ast.stmt]:
        module = self._absolute(node)
        out: list[ast.stmt] = []
        for alias in node.names:
            submodule = self.table.get(f"{module}.{alias.name}")
            if submodule:
                out.append(ast.Import(names=[ast.alias(submodule, alias.asname or alias.name)]))
            elif module in self.table:
                out.append(ast.ImportFrom(module=self.table[module], names=[alias], level=0))
            else:
                out.append(ast.ImportFrom(module=node.module, names=[alias], level=node.level))
        return out


@dataclass
class ScratchCode:
    """The bundle's code as top-level modules of a scratch submission, and what they define."""

    modules: dict[str, str] = field(default_factory=dict)  # scratch module name -> code
    shipped: list[Shipped] = field(default_factory=list)


def scratch_code(bundle: Path) -> ScratchCode:
    sources = _sources(bundle)
    names = {id(s): _flat_name(s) for s in sources}
    tables: dict[Path, dict[str, str]] = {}
    for s in sources:
        if s.path.suffix == ".py":
            tables.setdefault(s.root, {})[s.dotted] = names[id(s)]
    code = ScratchCode()
    imports: dict[str, set[str]] = {}
    foreign: dict[str, bool] = {}
    by_key: dict[tuple[str, str], Shipped] = {}  # (name, definition)
    for s in sources:
        flat = names[id(s)]
        origin = str(s.path.relative_to(bundle))
        if flat not in code.modules:
            table = tables.get(s.root, {})
            tree = ast.fix_missing_locations(_Rewrite(s, table).visit(s.tree))
            code.modules[flat] = ast.unparse(tree) + "\n"
            imports[flat] = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | \
                {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            foreign[flat] = bool(foreign_imports(tree))
        for node in s.tree.body:
            arity = arity_of(node)
            if arity is None or is_stub(node):
                continue
            name = node.name  # type: ignore[attr-defined]
            # The same definition in a module and in its notebook is graded once.
            item = by_key.setdefault((name, ast.dump(node)), Shipped(flat, name, arity, True))
            if origin not in item.origins:
                item.origins.append(origin)
    for item in by_key.values():
        item.numpy_only = not _reaches_foreign(item.module, imports, foreign)
        code.shipped.append(item)
    return code


def _reaches_foreign(module: str, imports: dict[str, set[str]], foreign: dict[str, bool]) -> bool:
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen or name not in imports:
            continue
        seen.add(name)
        if foreign[name]:
            return True
        todo.extend(imports[name])
    return False


# ---------------------------------------------------------------------- grading

# What a function that does nothing scores is no answer (a property that only checks that the
# arguments are left unchanged passes for it): each exercise's properties are graded with it first.
NOTHING = Shipped(f"{PREFIX}nothing", "nothing", Arity(0, math.inf), True, ["(a function that does nothing)"])
NOTHING_CODE = "def nothing(*args, **kwargs):\n    return None\n"
CALL_TIMEOUT = 5.0  # seconds per call: an answer runs as fast as the exercise's own solution


def rounds(code: ScratchCode, wanted: list[Exercise]) -> Iterator[dict[Exercise, Shipped]]:
    """Rounds of (exercise -> the shipped function graded as it): first the function that does
    nothing as every exercise, then each pair that may score once, one per exercise a round."""
    yield {e: NOTHING for e in wanted}
    candidates = {e: [s for s in code.shipped if e.may_score(s)] for e in wanted}
    for index in range(max((len(c) for c in candidates.values()), default=0)):
        yield {e: c[index] for e, c in candidates.items() if len(c) > index}


def grade_round(code: ScratchCode, chosen: dict[Exercise, Shipped], folder: Path,
                tests_dir: Path | None = None) -> tuple[list[Finding], list[tuple[Shipped, PropertyResult]]]:
    """Grade one round's submission (each ``<topic>.py`` naming its exercises after their
    candidates): why a module could not be graded, and each property's result with its candidate."""
    from autograder.engine.pipeline import grade_submission

    for name, text in {**code.modules, NOTHING.module: NOTHING_CODE}.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    topics: dict[str, list[str]] = {}
    for exercise, shipped in chosen.items():
        topics.setdefault(exercise.topic, []).append(
            f"from {shipped.module} import {shipped.name} as {exercise.name}\n")
    for name, lines in topics.items():
        (folder / f"{name}.py").write_text("".join(lines), encoding="utf-8")
    result = grade_submission(folder, list(topics), functions={e.name for e in chosen}, profile=PROFILE,
                              tests_dir=tests_dir, call_timeout=CALL_TIMEOUT, topic_budget=None,
                              submission_budget=None)
    by_name = {(e.topic, e.name): s for e, s in chosen.items()}
    problems, graded = [], []
    for graded_topic in result.topics:
        if graded_topic.problem:  # the check itself could not run: never a silent pass
            problems += [Finding(s.label, f"{t}.{n}", 0, 0, graded_topic.problem)
                         for (t, n), s in by_name.items() if t == graded_topic.topic]
            continue
        graded += [(by_name[(graded_topic.topic, p.function)], p) for p in graded_topic.properties]
    return problems, graded


def _grade_in_scratch(code: ScratchCode, chosen: dict[Exercise, Shipped], tests_dir: Path | None,
                      ) -> tuple[list[Finding], list[tuple[Shipped, PropertyResult]]]:
    with tempfile.TemporaryDirectory(prefix="agleak-") as scratch:
        return grade_round(code, chosen, Path(scratch), tests_dir)


def answer_leaks(bundle: Path, solutions: Path, topics: list[str] | None = None,
                 tests_dir: Path | None = None, progress: Callable[[int, int], None] | None = None,
                 jobs: int = 1) -> list[Finding]:
    """Every shipped function that scores on the hidden tests of an exercise of ``topics``
    (default: every topic) when submitted as that exercise, beyond what doing nothing scores;
    and every pair that could not be graded. ``progress(rounds done, rounds)`` after each round;
    ``jobs`` rounds graded at once, each in a process of its own."""
    code = scratch_code(bundle)
    wanted = exercises(solutions, topics or list(TOPICS), tests_dir)
    plan = list(rounds(code, wanted))
    results: dict[int, tuple[list[Finding], list[tuple[Shipped, PropertyResult]]]] = {}
    if jobs <= 1:
        for index, chosen in enumerate(plan):
            results[index] = _grade_in_scratch(code, chosen, tests_dir)
            if progress is not None:
                progress(len(results), len(plan))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_grade_in_scratch, code, chosen, tests_dir): index
                       for index, chosen in enumerate(plan)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(len(results), len(plan))
    findings = [problem for index in sorted(results) for problem in results[index][0]]
    free = {p.nodeid for _, p in results.get(0, ([], []))[1] if p.score > 0}  # doing nothing passes
    scores: dict[tuple[str, str], list[float]] = {}
    for index in sorted(results):
        for shipped, prop in results[index][1] if index else []:
            if prop.nodeid not in free:
                total = scores.setdefault((shipped.label, f"{prop.topic}.{prop.function}"), [0.0, 0.0])
                total[0] += prop.score
                total[1] += prop.max_score
    findings += [Finding(label, exercise, score, max_score)
                 for (label, exercise), (score, max_score) in scores.items() if score > 0]
    return findings
