"""A submission as the grader sees it: checked files, a private copy, and workers to run it.

Static checks (presence, syntax, forbidden imports) happen here in the grader, where the
student's code cannot interfere; everything that executes student code goes to a worker.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from autograder.catalog import TOPICS
from autograder.engine.budget import Budgets
from autograder.engine.notebook_module import (
    MAX_NOTEBOOK_BYTES,
    MAX_NOTEBOOKS_BYTES,
    NOTEBOOK_SUFFIX,
    MissingTemplate,
    NotebookProblem,
    grade_cell_points,
    load_template,
    module_from_notebook,
    parse_notebook,
)
from autograder.engine.staging import MAX_FILE_BYTES, read_submission, write_files
from autograder.i18n import _
from autograder.sandbox import protocol
from autograder.sandbox.client import (
    CallResult,
    GraderFault,
    NotImplementedYet,
    Remote,
    StudentAbort,
    StudentCodeError,
    Worker,
    WorkerFailure,
    WorkerTimeout,
)
from autograder.sandbox.jail import FOREIGN_ARRAY_LIBS, namespaces_available

IMPORT_TIMEOUT = 30.0
TEST_BUDGET = 120.0  # seconds of student code per property, shrinking included
IMPORT_CALLS = {"__import__", "import_module", "find_spec", "load_module", "find_module"}


class ModuleProblem(Exception):
    """The module cannot be graded at all: missing, syntax error, forbidden import, import crash."""


def syntax_message(filename: str, exc: SyntaxError) -> str:
    line = (exc.text or "").rstrip("\n")
    caret = ""
    if line and exc.offset:
        caret = "\n    " + " " * (max(exc.offset, 1) - 1 - (len(line) - len(line.lstrip()))) + "^"
    return (_("{filename} has a syntax error on line {line}: {error}").format(
        filename=filename, line=exc.lineno, error=exc.msg) + f"\n    {line.strip()}{caret}")


def not_submitted(module: str) -> str:
    """Why ``module`` is not graded when other modules were submitted."""
    return _("{module}.py was not submitted").format(module=module)


def nothing_submitted(module: str) -> str:
    """Why ``module`` is not graded when nothing of the course was submitted."""
    return _("nothing to grade: no {module}.py or {notebook} was submitted").format(
        module=module, notebook=f"{module}{NOTEBOOK_SUFFIX}")


def foreign_imports(tree: ast.AST) -> list[str]:
    """Names of array/ML libraries a module imports, by statement or by import function."""
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call):
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if fname in IMPORT_CALLS:
                names = [
                    a.value for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
        for name in names:
            root = name.split(".")[0]
            if root in FOREIGN_ARRAY_LIBS and root not in found:
                found.append(root)
    return found


def local_imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


class Submission:
    """One student's folder of modules or notebooks, graded through sandboxed workers.

    ``<topic>.ipynb`` is graded as nbgrader grades it: the module built from its answer cells
    and the course's source notebook (from ``notebooks``, see ``autograder.engine.notebook_module``).
    It wins over a ``<topic>.py`` beside it (nbgrader ignores that file too); the topic's note
    says so."""

    def __init__(self, path: str | Path, *, call_timeout: float = 10.0,
                 use_sandbox: bool | None = None, budgets: Budgets | None = None,
                 notebooks: str | Path | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise FileNotFoundError(_("submission folder {path} does not exist").format(path=self.path))
        self.call_timeout = call_timeout
        self.use_sandbox = use_sandbox
        self.notebooks = notebooks  # the source notebooks a notebook is rebuilt from
        self.notes: dict[str, str] = {}  # topic -> what was graded, when a notebook was involved
        self.grader_errors: dict[str, str] = {}  # topic -> why the grader itself could not grade it
        self.cell_points: dict[str, dict[str, float]] = {}  # topic -> its grade cells' points
        self._other_notebooks: list[str] = []
        # Wall-clock budgets of the topic and the submission; none unless the engine sets them.
        self.budgets = budgets or Budgets(None, None)
        self._staged = Path(tempfile.mkdtemp(prefix="agsub-"))
        self._staged.chmod(0o755)
        self._sources: dict[str, str] = {}
        self._stage_files()
        self._workers: dict[str, Worker] = {}
        self._status: dict[str, str | None] = {}
        self._poison: WorkerFailure | None = None  # a property's calls after its worker failed
        self._spent = 0.0
        self.output: list[str] = []

    # ------------------------------------------------------------------ files

    def _stage_files(self) -> None:
        # Regular files only, never through a link nor from a pipe or device: what was refused
        # becomes the reason its module (or a module importing it) cannot be graded.
        staged = read_submission(self.path, max_file=MAX_FILE_BYTES)
        self._folder_problem = staged.folder_problem
        self._refused = {name.removesuffix(".py"): why for name, why in staged.refused.items()}
        texts = {name: content.decode("utf-8", "replace") for name, content in staged.files.items()}
        if not self._folder_problem:
            self._stage_notebooks(texts)
        self._sources.update({name.removesuffix(".py"): text for name, text in texts.items()})
        write_files({name: text.encode("utf-8") for name, text in texts.items()}, self._staged)

    def _stage_notebooks(self, texts: dict[str, str]) -> None:
        """Replace ``texts[<topic>.py]`` by the module built from each ``<topic>.ipynb``; a
        notebook that cannot be read or rebuilt makes its topic's reason instead."""
        staged = read_submission(self.path, (NOTEBOOK_SUFFIX,), MAX_NOTEBOOK_BYTES, MAX_NOTEBOOKS_BYTES)
        names = sorted({*staged.files, *staged.refused})
        self._other_notebooks = [n for n in names if n.removesuffix(NOTEBOOK_SUFFIX) not in TOPICS]
        for name in names:
            topic = name.removesuffix(NOTEBOOK_SUFFIX)
            if topic not in TOPICS:
                continue
            module = f"{topic}.py"
            ignored = module in texts or topic in self._refused
            texts.pop(module, None)
            self._refused.pop(topic, None)
            if ignored:
                self.notes[topic] = _("{module} was ignored: {notebook} beside it is graded (as nbgrader "
                                      "grades it)").format(module=module, notebook=name)
            try:
                if name in staged.refused:
                    raise NotebookProblem(staged.refused[name])
                notebook = parse_notebook(staged.files[name], name)
                template = load_template(topic, self.notebooks)
            except NotebookProblem as exc:
                self._refused[topic] = str(exc)
                continue
            except MissingTemplate as exc:
                self._refused[topic] = self.grader_errors[topic] = str(exc)
                continue
            texts[module] = module_from_notebook(notebook, topic, template)
            self.notes[topic] = (
                _("graded from {notebook}, as nbgrader grades it: the code of its answer cells "
                  "({module} beside it was ignored)") if ignored else
                _("graded from {notebook}, as nbgrader grades it: the code of its answer cells")
            ).format(notebook=name, module=module)
            self.cell_points[topic] = grade_cell_points(template)

    @property
    def sandboxed(self) -> bool:
        """Whether workers run in the namespace jail (else resource limits only)."""
        return namespaces_available() if self.use_sandbox is None else self.use_sandbox

    def has_module(self, module: str) -> bool:
        return module in self._sources

    def missing(self, module: str) -> str:
        """Why ``module`` is not there: not submitted, or nothing of the course at all."""
        if self._sources or self._refused:
            return not_submitted(module)
        text = nothing_submitted(module)
        if self._other_notebooks:
            text += " " + _("(found {notebooks}: a notebook is graded only under its own name, "
                            "{notebook})").format(notebooks=", ".join(self._other_notebooks[:3]),
                                                  notebook=f"{module}{NOTEBOOK_SUFFIX}")
        return text

    def not_submitted(self, module: str) -> bool:
        """``module`` alone is missing: other modules of the submission were read."""
        return (not self._folder_problem and module not in self._sources
                and module not in self._refused and bool(self._sources or self._refused))

    def unread(self, module: str) -> str | None:
        """Why ``module`` was not read or built (folder, refused file, missing), or None."""
        if self._folder_problem:
            return self._folder_problem
        if module in self._refused:
            return self._refused[module]
        return None if module in self._sources else self.missing(module)

    def source(self, module: str) -> str | None:
        return self._sources.get(module)

    def check_module(self, module: str) -> str | None:
        """A reason the module cannot be graded, or None. Cached: the same every time."""
        if module in self._status:
            return self._status[module]
        reason = self._static_problem(module)
        if reason is None:
            reason = self._import_problem(module)
        self._status[module] = reason
        return reason

    def _static_problem(self, module: str) -> str | None:
        reason = self.unread(module)
        if reason:
            return reason
        kind = TOPICS[module].kind if module in TOPICS else "numpy"
        seen: set[str] = set()
        todo = [module]
        while todo:
            name = todo.pop()
            if name in seen or name not in self._sources:
                continue
            seen.add(name)
            try:
                tree = ast.parse(self._sources[name], filename=f"{name}.py")
            except SyntaxError as exc:
                return syntax_message(f"{name}.py", exc)
            except ValueError as exc:  # null bytes
                return _("{module}.py could not be read as Python: {error}").format(module=name, error=exc)
            if kind == "numpy":
                bad = foreign_imports(tree)
                if bad:
                    if name == module:
                        return _("{module}.py uses {libraries}: NumPy exercises may import NumPy "
                                 "and the standard library only, so this module scores 0").format(
                            module=module, libraries=", ".join(bad))
                    return _("{module}.py uses {libraries} (through {other}.py): NumPy exercises "
                             "may import NumPy and the standard library only, so this module "
                             "scores 0").format(module=module, libraries=", ".join(bad), other=name)
            else:
                if "torchvision" in foreign_imports(tree):
                    return _("{module}.py imports torchvision, which these exercises may not "
                             "use").format(module=module)
            imported = local_imports(tree)
            unread = sorted(imported & set(self._refused))
            if unread:
                return _("{module}.py imports {other}, which was not read: {why}").format(
                    module=name, other=unread[0], why=self._refused[unread[0]])
            todo.extend(imported & set(self._sources))
        return None

    def _import_problem(self, module: str) -> str | None:
        try:
            # Importing may load torch (seconds): a longer limit than a call's.
            timeout = max(self.call_timeout, min(IMPORT_TIMEOUT, 3 * self.call_timeout))
            timeout = self.budgets.limit(timeout)
            self.worker(module).request({"op": "import", "module": module}, timeout)
        except StudentCodeError as exc:
            # The worker's own words (autograder/sandbox/worker.py's import guard), never translated.
            if exc.type_name == "ImportError" and "NumPy exercises" in exc.message:
                return _("{module}.py: {error}; this module scores 0").format(module=module,
                                                                             error=exc.message)
            return (_("importing {module}.py raised {type}: {message}").format(
                module=module, type=exc.type_name, message=exc.message)
                + f"\n{exc.traceback}").rstrip()
        except NotImplementedYet:
            return _("importing {module}.py raised NotImplementedError").format(module=module)
        except WorkerFailure as exc:
            self._raise_if_out_of_time()  # not cached: the module is not at fault
            return _("{module}.py could not be imported: {error}").format(module=module, error=exc)
        return None

    # ------------------------------------------------------------------ workers

    def worker(self, module: str) -> Worker:
        kind = TOPICS[module].kind if module in TOPICS else "numpy"
        if kind not in self._workers:
            worker = Worker(self._staged, kind=kind, call_timeout=self.call_timeout,
                            use_sandbox=self.use_sandbox)
            self._workers[kind] = worker
        return self._workers[kind]

    def begin_test(self) -> None:
        """A new property: forget an earlier one's failure; same seeds for global RNGs."""
        self._poison = None
        self._spent = 0.0
        for worker in self._workers.values():
            if worker.alive:
                timeout = self.budgets.limit(10.0)
                try:
                    worker.request({"op": "reset"}, timeout=timeout)
                except (StudentAbort, StudentCodeError, GraderFault):
                    worker.stop()  # a fresh worker starts clean

    def close(self) -> None:
        for worker in self._workers.values():
            worker.stop()
        self._workers.clear()
        shutil.rmtree(self._staged, ignore_errors=True)

    def __enter__(self) -> Submission:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ calls

    def module(self, name: str) -> Remote:
        problem = self.check_module(name)
        if problem:
            raise ModuleProblem(problem)
        return Remote(_Session(self, name), name)

    def request(self, module: str, message: dict[str, Any], timeout: float | None = None) -> Any:
        if self._poison is not None:
            raise type(self._poison)(str(self._poison))
        worker = self.worker(module)
        timeout = self.budgets.limit(timeout or self.call_timeout)
        started = time.monotonic()
        try:
            reply = worker.request(message, timeout)
        except WorkerFailure as exc:
            self._raise_if_out_of_time()
            self._poison = exc
            raise
        except StudentCodeError as exc:
            if exc.output:
                self.output.append(exc.output)
            raise
        finally:
            self._spent += time.monotonic() - started
            if self._poison is None and self._spent > TEST_BUDGET:
                self._poison = WorkerTimeout(_("your code ran for more than {seconds} s in total on "
                                               "this property; it is far too slow").format(
                                                   seconds=f"{TEST_BUDGET:g}"))
        if worker.output_log:
            self.output.extend(worker.output_log)
            worker.output_log.clear()
        return reply

    def _raise_if_out_of_time(self) -> None:
        """A call stopped at the end of a budget fails for the budget, not as a hang."""
        left = self.budgets.left()
        if left is not None and left <= 0:
            raise self.budgets.exhausted() from None


class _Session:
    """Routes a Remote's calls for one module through the submission."""

    def __init__(self, submission: Submission, module: str) -> None:
        self.submission = submission
        self.module = module

    def call(self, root: str | int, path: str, args: tuple[Any, ...], kwargs: dict[str, Any],
             return_args: bool = False, timeout: float | None = None) -> Any:
        message = {"op": "call", "root": root, "path": path, "args": list(args),
                   "kwargs": dict(kwargs), "return_args": return_args}
        reply = self.submission.request(self.module, message, timeout)
        if not return_args:
            return self._wrap(reply)
        if not isinstance(reply, dict) or set(reply) != {"value", "args", "kwargs"}:
            raise WorkerFailure(_("the worker's reply was not in the expected form"))
        return CallResult(self._wrap(reply["value"]), reply["args"], reply["kwargs"], "")

    def call_many(self, root: str | int, path: str, calls: list[tuple[tuple[Any, ...], dict[str, Any]]],
                  return_args: bool = False) -> list[Any]:
        """Each call of ``calls`` in one request, under the limit of one call (``Remote.call_many``
        sends a few at a time, so that a call that hangs is stopped as soon as a single one)."""
        message = {"op": "call_many", "root": root, "path": path, "return_args": return_args,
                   "calls": [[list(args), dict(kwargs)] for args, kwargs in calls]}
        reply = self.submission.request(self.module, message)
        if not isinstance(reply, list) or len(reply) != len(calls):
            raise WorkerFailure(_("the worker's reply was not in the expected form"))
        if not return_args:
            return [self._wrap(value) for value in reply]
        if not all(isinstance(r, dict) and set(r) == {"value", "args", "kwargs"} for r in reply):
            raise WorkerFailure(_("the worker's reply was not in the expected form"))
        return [CallResult(self._wrap(r["value"]), r["args"], r["kwargs"], "") for r in reply]

    def get(self, root: str | int, path: str) -> Any:
        message = {"op": "get", "root": root, "path": path}
        return self._wrap(self.submission.request(self.module, message))

    def torch(self, action: str, timeout: float | None = None, **fields: Any) -> Any:
        message = {"op": "torch", "action": action, **fields}
        return self.submission.request(self.module, message, timeout)

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, protocol.HandleRef):
            return Remote(self, value.id, "", value.type_name)
        return value
