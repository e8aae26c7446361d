"""The public checks' messages in the student's language, with the standard library's gettext only:
these files ship to students on their own (no autograder package in a student's kernel).

The catalogs are the ``public_checks`` domain in ``locale/`` beside this file (``make catalogs``).
The language comes from, in order: ``set_language``, ``$AUTOGRADER_LANG``, the ``_language.py``
that a Chinese build of the notebooks writes beside these copies, else English. A language
without its compiled catalog here reads the messages as written (English).
"""

from __future__ import annotations

import functools
import gettext
import os
import re
from pathlib import Path
from typing import TypeVar

DOMAIN = "public_checks"
LOCALE_DIR = Path(__file__).resolve().with_name("locale")
ENV = "AUTOGRADER_LANG"
DEFAULT = "en"
# The languages a user names -> the catalog that holds them (None: the messages as written).
LANGUAGES: dict[str, str | None] = {"en": None, "zh": "zh_CN"}
_ALIASES = {"zh_CN": "zh", "zh_Hans": "zh", "en_US": "en", "en_GB": "en"}

_chosen: str | None = None  # set_language's


def known_language(lang: object) -> str | None:
    """``lang`` as one of LANGUAGES' keys ("zh_CN", "zh-CN" read as "zh"), or None for any other."""
    if not isinstance(lang, str):
        return None
    name = lang.strip().replace("-", "_")
    name = _ALIASES.get(name, name)
    return name if name in LANGUAGES else None


def set_language(lang: str | None) -> None:
    """Messages from now on in ``lang`` (None: back to ``$AUTOGRADER_LANG``, the build's, English);
    a ValueError naming the choices for an unknown language."""
    global _chosen
    if lang is not None and known_language(lang) is None:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    _chosen = None if lang is None else known_language(lang)


def built_language() -> str | None:
    """The language the notebooks beside these copies were built in (their ``_language.py``)."""
    try:
        from . import _language  # type: ignore[attr-defined]  # written by a Chinese build only
    except ImportError:
        return None
    return known_language(getattr(_language, "LANGUAGE", None))


def current_language() -> str:
    """The language the checks speak now. An unknown ``$AUTOGRADER_LANG`` is passed over (the
    checks must still run in a student's kernel)."""
    return _chosen or known_language(os.environ.get(ENV)) or built_language() or DEFAULT


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    catalog = LANGUAGES.get(lang)
    if catalog is None:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[catalog], fallback=True)


def _(message: str) -> str:
    """``message`` in the current language."""
    if not message:  # gettext("") is the catalog's header
        return message
    return translations(current_language()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    """``message`` unchanged: marked for the catalog, translated where it is shown (``_(x)``)."""
    return message


def matches(message: str, text: str) -> bool:
    """Whether ``text`` is ``message`` (a msgid with ``{name}`` placeholders) in the current
    language, whatever the placeholders hold."""
    parts = re.split(r"\{[^{}]*\}", _(message))
    return re.fullmatch(".*?".join(map(re.escape, parts)), text.strip()) is not None


# ---------------------------------------------------------------------- the course helpers' plots

# Fonts with the Chinese characters, best first, as Debian (fonts-noto-cjk), Windows and macOS name them.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC")
CJK_FONT_FILES = ("NotoSansCJK", "SourceHanSans", "wqy-microhei", "wqy-zenhei", "msyh", "PingFang")


@functools.cache
def cjk_font() -> str | None:
    """A font family matplotlib can draw Chinese with (added from the system's fonts when
    matplotlib's font cache predates them), or None."""
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    files = sorted(font_manager.findSystemFonts(fontext="ttf"))  # .otf and .ttc too
    for stem in CJK_FONT_FILES:
        for path in files:
            filename = Path(path).name.lower()
            if stem.lower() in filename and "bold" not in filename:
                try:
                    font_manager.fontManager.addfont(path)
                    return str(font_manager.FontProperties(fname=path).get_name())
                except (OSError, RuntimeError, ValueError):
                    continue
    return None


def chart_language() -> str:
    """The language a plot's words are drawn in: the current one, but English for Chinese where
    matplotlib has no font with its characters (a plot of missing-glyph boxes reads worse)."""
    lang = current_language()
    return DEFAULT if lang == "zh" and cjk_font() is None else lang


def chart_text(message: str) -> str:
    """``message`` in ``chart_language()``: for a word a plot draws, looked up when it is drawn."""
    if not message:
        return message
    return translations(chart_language()).gettext(message)


Fig = TypeVar("Fig")


def chart_fonts(figure: Fig) -> Fig:
    """``figure`` (a matplotlib Figure) with a CJK font first in every text's font families when
    its words are Chinese, so they draw wherever it is drawn; as it was in English. Returns it."""
    if chart_language() != "zh":
        return figure
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.text import Text

    # Installed families only: matplotlib logs "Font family ... not found" for each other one.
    known = {font.name for font in font_manager.fontManager.ttflist}
    families = [cjk_font(), *(name for name in matplotlib.rcParams["font.sans-serif"] if name in known)]
    for ax in figure.axes:  # type: ignore[attr-defined]
        ax.tick_params(labelfontfamily=families)  # tick labels are made again when drawn
    for text in figure.findobj(Text):  # type: ignore[attr-defined]
        text.set_fontfamily(families)
    return figure
