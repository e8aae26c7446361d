"""The worker's watch on pyplot: the ``plt.show()`` calls and the figures one student call leaves open.

An import hook patches ``matplotlib.pyplot`` as it is first imported, before any importer sees it;
the counts live here, in the worker, and the check after each call reads matplotlib's figure
registry through references taken at patch time, so replacing ``plt.show`` does not hide a call.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

PYPLOT = "matplotlib.pyplot"
HELPERS = "matplotlib._pylab_helpers"


class _State:
    """What the watch knows: the patched module, the registry it found, this call's counts."""

    def __init__(self) -> None:
        self.module: types.ModuleType | None = None
        self.gcf: Any = None  # matplotlib._pylab_helpers.Gcf, as pyplot's import left it
        self.figs: Any = None  # Gcf.figs, the OrderedDict of open figures (number -> manager)
        self.show: Any = None  # what ``plt.show`` gives while a call runs (ours, or the student's wrapped)
        self.calls = 0  # plt.show() calls during the current student call
        self.before: list[Any] = []  # the figure managers open when the call began
        self.result: Any = None  # the current call's value, and what the call did
        self.report: dict[str, Any] | None = None


_state = _State()


def _recorded_show(*args: Any, **kwargs: Any) -> None:
    """``plt.show`` in the worker: counted, and nothing shown (Agg has no window anyway)."""
    _state.calls += 1


def _counting(func: Any) -> Any:
    """A student's replacement for ``plt.show``: it still runs, and each call still counts."""
    if not callable(func):
        return func

    def show(*args: Any, **kwargs: Any) -> Any:
        _state.calls += 1
        return func(*args, **kwargs)

    return show


class _WatchedPyplot(types.ModuleType):
    """The class of the patched pyplot module: ``plt.show`` is a property the student can set
    (their function is wrapped so that calls still count) but not get around by assigning."""

    @property
    def show(self) -> Any:
        return _state.show

    @show.setter
    def show(self, value: Any) -> None:
        _state.show = _counting(value)

    @show.deleter
    def show(self) -> None:
        _state.show = _recorded_show


_SHOW = vars(_WatchedPyplot)["show"]


def _patch(module: types.ModuleType) -> None:
    """Make ``module`` (pyplot, just executed) count its shows; remember its figure registry."""
    helpers = sys.modules.get(HELPERS)
    module.__dict__["show"] = _recorded_show  # what `vars(plt)` or a changed class would find
    module.__class__ = _WatchedPyplot
    _state.show = _recorded_show
    _state.module = module
    _state.gcf = getattr(helpers, "Gcf", None)
    _state.figs = getattr(_state.gcf, "figs", None)


class _Loader:
    """pyplot's own loader, and the patch right after the module's code ran."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._inner.exec_module(module)
        _patch(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, ... for tracebacks
        return getattr(self._inner, name)


class _Finder:
    """Meta-path finder that hands ``matplotlib.pyplot`` to the next finder, loaded by ``_Loader``."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != PYPLOT or _state.module is not None:
            return None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


def install() -> None:
    """Before any student code runs: watch pyplot from its first import on."""
    if PYPLOT in sys.modules:
        _patch(sys.modules[PYPLOT])
    sys.meta_path.insert(0, _Finder())


def _open_managers() -> list[tuple[Any, Any]]:
    figs = _state.figs
    return list(figs.items()) if figs is not None else []


def start_call() -> None:
    """Just before the student's function is called."""
    _state.calls = 0
    _state.result = None
    _state.report = None
    _state.before = [manager for _, manager in _open_managers()]


def _tampering() -> str:
    """What of pyplot's machinery the call replaced (restored here for the next call), or ""."""
    changes = []
    module = sys.modules.get(PYPLOT)
    if module is not None and module is not _state.module:
        changes.append("matplotlib.pyplot was imported past the grader's watch or replaced")
    if _state.module is not None:
        if type(_state.module) is not _WatchedPyplot:
            changes.append("the class of matplotlib.pyplot was changed")
            _state.module.__class__ = _WatchedPyplot
        if vars(_WatchedPyplot).get("show") is not _SHOW:
            changes.append("pyplot's show property was replaced")
            type.__setattr__(_WatchedPyplot, "show", _SHOW)
    if _state.gcf is not None:
        helpers = sys.modules.get(HELPERS)
        if getattr(helpers, "Gcf", None) is not _state.gcf:
            changes.append("matplotlib's figure registry (Gcf) was replaced")
        if vars(_state.gcf).get("figs") is not _state.figs:
            changes.append("the list of open figures (Gcf.figs) was replaced")
            type.__setattr__(_state.gcf, "figs", _state.figs)
    return "; ".join(changes)


def finish_call(result: Any, canvas_figure: Callable[[Any], Any]) -> None:
    """Just after the student's function returned ``result``: count the figures it opened and
    left open besides the one it returned, then close all it opened (the returned one too: the
    Figure object stays whole), so that no call sees another's figures.

    ``canvas_figure(manager)`` reads the figure a manager holds (the student's objects: the caller
    runs it as student code)."""
    tampered = _tampering()
    before = _state.before
    opened = [(num, m) for num, m in _open_managers() if not any(m is b for b in before)]
    extra = 0
    for _, manager in opened:
        if canvas_figure(manager) is not result:
            extra += 1
    figs = _state.figs
    for num, manager in opened:
        if figs.get(num) is manager:
            del figs[num]
    _state.report = {"show_calls": _state.calls, "extra_figures": extra, "tampered": tampered}
    figure = getattr(sys.modules.get("matplotlib.figure"), "Figure", None)
    # Only a figure is kept (till the next call): a large array returned is not held here.
    _state.result = result if figure is not None and issubclass(type(result), figure) else None
    _state.show = _recorded_show
    _state.before = []


def report_for(fig: Any) -> dict[str, Any] | None:
    """What the last call did with pyplot, when ``fig`` is the figure it returned, and how many
    of its Axes are empty (``empty_axes``)."""
    if _state.report is not None and fig is _state.result:
        return {**_state.report, "empty_axes": empty_axes(fig)}
    return None


# Where an Axes keeps what it draws (matplotlib's Axes.get_children holds these and the defaults:
# the spines, the axis, the title texts and the background patch, none of which is content).
_CONTENT = ("images", "lines", "collections", "patches", "texts", "artists", "tables", "containers")


def empty_axes(fig: Any) -> int:
    """The Axes of ``fig`` that are shown, with their frame and ticks (axis on), and draw
    nothing: no image, line, collection, patch, text, table or other artist, no title, axis
    label or legend. A colorbar's Axes is never empty (its colours are a collection or an
    image), nor one turned off with ``ax.axis('off')`` or hidden, which shows nothing. 0 when
    the figure cannot be read."""
    try:
        count = 0
        for ax in list(fig.get_axes())[:10_000]:
            if not (ax.get_visible() and ax.axison):
                continue
            if getattr(ax, "_colorbar", None) is not None:
                continue
            if any(len(getattr(ax, name, ())) for name in _CONTENT):
                continue
            if any(ax.get_title(loc) for loc in ("left", "center", "right")):
                continue
            if ax.get_xlabel() or ax.get_ylabel() or ax.get_legend() is not None:
                continue
            count += 1
        return count
    except Exception:  # noqa: BLE001 - a figure that cannot be read has no empty Axes to report
        return 0
