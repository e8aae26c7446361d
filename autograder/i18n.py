"""The message layer: every message a student or instructor reads goes through gettext.

Catalogs live in ``autograder/locale/`` (``autograder.pot``, ``zh_CN/LC_MESSAGES/autograder.po``
and its compiled ``.mo``), managed with Babel: ``make catalogs`` extracts, updates and compiles.
At run time only the standard library's ``gettext`` reads them.

Mark a message where it is built, as a whole sentence with named placeholders::

    from autograder.i18n import _, N_
    _("{name} returned {got}; expected {expected}").format(name=name, got=got, expected=expected)
    HINT = N_("Check the sign of the update.")   # extracted now, translated where shown: _(HINT)

The language is the process's: ``set_language``, the ``language`` context manager (what a
grading uses: it restores the language before it), or ``AUTOGRADER_LANG`` (default ``en``).
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
from collections.abc import Iterator
from pathlib import Path

DOMAIN = "autograder"
LOCALE_DIR = Path(__file__).resolve().with_name("locale")
ENV = "AUTOGRADER_LANG"
DEFAULT = "en"
# The languages a user names (``--lang``) -> the catalog that holds them (None: the msgids).
LANGUAGES: dict[str, str | None] = {"en": None, "zh": "zh_CN"}
# The HTML ``lang`` attribute of a page in each language.
HTML_LANG = {"en": "en", "zh": "zh-CN"}

_current: str | None = None  # set_language's; None: AUTOGRADER_LANG's


def check_language(lang: str) -> str:
    """``lang`` as one of LANGUAGES' keys ("zh_CN" and "zh-CN" read as "zh"); a ValueError
    naming the choices for any other."""
    name = lang.strip().replace("-", "_")
    name = {"zh_CN": "zh", "zh_Hans": "zh", "en_US": "en", "en_GB": "en"}.get(name, name)
    if name not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)} "
                         f"(in --lang or ${ENV})")
    return name


def current_language() -> str:
    """The language messages come out in now."""
    if _current is not None:
        return _current
    return check_language(os.environ.get(ENV) or DEFAULT)


def set_language(lang: str | None) -> None:
    """Messages from now on in ``lang``; None: back to ``AUTOGRADER_LANG`` (or English)."""
    global _current
    _current = None if lang is None else check_language(lang)


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Messages in ``lang`` inside the block (None: the current language), the language before
    it restored after, however the block ends."""
    global _current
    before = _current
    chosen = current_language() if lang is None else check_language(lang)
    _current = chosen
    try:
        yield chosen
    finally:
        _current = before


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (English: the messages as written)."""
    catalog = LANGUAGES[check_language(lang)]
    if catalog is None:
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[catalog])
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the compiled catalog of {lang} ({LOCALE_DIR}/{catalog}/LC_MESSAGES/{DOMAIN}.mo) "
            "is missing from this installation") from None


def _(message: str) -> str:
    """``message`` in the current language."""
    if not message:  # gettext("") is the catalog's header
        return message
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` for ``n``, in the current language."""
    return translations(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    """``message`` unchanged: marked for the catalogs, translated where it is shown (``_(x)``)."""
    return message


def html_lang() -> str:
    """The ``lang`` attribute of a page written now."""
    return HTML_LANG[current_language()]
