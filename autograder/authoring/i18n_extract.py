"""Babel's extractor for the hidden tests (``grading_tests/``): the messages a student reads that
are not ``_()`` calls in their source. Named ``grading`` in babel.cfg's ``[extractors]``, so that
``make catalogs`` and tests/test_i18n.py (Babel's API, the same method map) find the same messages.

Besides every ``_()``, ``N_()`` and ``ngettext()`` (Babel's own Python extractor), it yields:

- each property's title, made from its test function's name as the engine makes it
  (``title``: ``test_adam_matches_torch`` -> "adam matches torch"),
- the text of each ``@pytest.mark.hint("...")``,
- the description of each ``@mutant(target, "description")`` (a misconception named in a
  diagnosis), and the string keys of a ``diagnoses={...}`` dict (or one assigned to a name
  that says ``diagnoses``),
- a ``hint=`` argument given as a string (compare.py shows it through ``_()``).

The engine and compare.py translate these where they are shown: ``_(title)``, ``_(hint)``,
``_(diagnosis)``. Only literal strings are extracted: one built at run time is marked where it
is built, with ``_()`` and named placeholders.
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from babel.messages.extract import extract_python


def title(name: str) -> str:
    """A property's title from its test's name (the engine's ``_readable``): no ``test_``, no
    parametrisation, spaces for underscores."""
    name = re.sub(r"^test_", "", name.split("[")[0])
    return name.replace("_", " ")


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _keys(node: ast.AST) -> Iterator[tuple[int, str]]:
    if isinstance(node, ast.Dict):
        for key in node.keys:
            text = _text(key)
            if text and key is not None:
                yield key.lineno, text


def messages(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, message, why) for each message of the hidden tests that is not an ``_()`` call."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            yield node.lineno, title(node.name), "the title of a property"
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name.endswith("mark.hint"):
                for arg in node.args[:1]:
                    if (text := _text(arg)) is not None:
                        yield arg.lineno, text, "a property's hint"
            elif name in ("mutant", "mutants.mutant") and len(node.args) >= 2:
                if (text := _text(node.args[1])) is not None:
                    yield node.args[1].lineno, text, "a misconception (a mutant's description)"
            elif name in ("fail", "compare.fail") and len(node.args) >= 3:
                if (text := _text(node.args[2])) is not None:
                    yield node.args[2].lineno, text, "a hint"
            for keyword in node.keywords:
                if keyword.arg == "hint" and (text := _text(keyword.value)) is not None:
                    yield keyword.value.lineno, text, "a hint"
                elif keyword.arg == "diagnoses":
                    for line, text in _keys(keyword.value):
                        yield line, text, "a misconception"
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and "diagnos" in t.id.lower() for t in node.targets):
            for line, text in _keys(node.value):
                yield line, text, "a misconception"


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
            options: Any) -> Iterator[tuple[int, Any, Any, list[str]]]:
    """Babel's extraction method: the Python extractor's messages, then the hidden tests' own."""
    data = fileobj.read()
    python: Iterator[Any] = extract_python(io.BytesIO(data), keywords, comment_tags, options)
    yield from python
    source = data.decode(options.get("encoding", "utf-8"))
    for line, text, why in messages(source):
        if text.strip():
            yield line, "", text, [why]
