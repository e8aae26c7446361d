"""nbgrader's feedback pages, readable offline: formulas as plain text, long lines wrapped.

nbgrader's feedback template loads MathJax from a CDN, so without the network every formula
stays raw LaTeX, and its output cells do not wrap, so long feedback lines run off the page.
``PlainFormulas`` (in ``c.GenerateFeedback.preprocessors``) writes each ``$...$`` of the
markdown cells as Unicode text (``\\hat v = \\frac{v}{1-\\beta_1^t}`` -> ``v̂ = v/(1-β₁ᵗ)``), and
the ``offline.html.j2`` template in ``FEEDBACK_TEMPLATES`` drops MathJax and wraps long lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbgrader
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Unicode

from autograder.i18n import N_

# Base folders for c.HTMLExporter.extra_template_basedirs: ours first ("feedback/offline.html.j2"
# extends nbgrader's "feedback/index.html.j2"), then nbgrader's own.
FEEDBACK_TEMPLATES = [
    str(Path(__file__).resolve().parent / "templates"),
    str(Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"),
]
FEEDBACK_TEMPLATE_FILE = "offline.html.j2"

# ---------------------------------------------------------------------------- LaTeX -> text

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Omega": "Ω", "ell": "ℓ",
    "cdot": "·", "times": "×", "sim": "~", "odot": "⊙", "otimes": "⊗", "pm": "±",
    "leftarrow": "←", "rightarrow": "→", "to": "→", "gets": "←", "Rightarrow": "⇒",
    "dots": "…", "ldots": "…", "cdots": "⋯", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "equiv": "≡", "in": "∈", "infty": "∞",
    "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π", "int": "∫",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "lVert": "‖", "rVert": "‖",
    "Vert": "‖", "vert": "|", "langle": "⟨", "rangle": "⟩",
    "quad": "\u2003", "qquad": "\u2003\u2003", "bmod": " mod ",
}
FUNCTIONS = {"log", "ln", "exp", "max", "min", "sin", "cos", "tan", "tanh", "arg", "argmax",
             "argmin", "det", "sup", "inf", "lim"}
IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "displaystyle", "textstyle", "limits", "nolimits"}
TEXT_FONTS = {"text", "textrm", "textit", "textbf", "mathrm", "mathit", "mathbf", "mathsf",
              "mathtt", "mathcal", "operatorname", "boldsymbol", "bm"}
BLACKBOARD = {"1": "𝟙", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "E": "𝔼", "P": "ℙ"}
ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"}
FRACTIONS = {"frac", "dfrac", "tfrac"}
SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "!": "", "\\": " "}
ESCAPED = {"_": "_", "{": "{", "}": "}", "%": "%", "$": "$", "#": "#", "&": "&", "|": "‖"}
# Every command the converter knows (a test checks the course's text uses no other).
KNOWN = set(SYMBOLS) | FUNCTIONS | IGNORED | TEXT_FONTS | set(ACCENTS) | FRACTIONS | {
    "sqrt", "mathbb"}

_SUP = dict(zip("0123456789+-=()intT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵗᵀ"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_OPEN, _CLOSE = "([{⌊⌈⟨", ")]}⌋⌉⟩"
_BINARY, _BIG = set("·×~⊙⊗±←→⇒≤≥≠≈≡∈"), set("ΣΠ∫")
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|\s+|.", re.DOTALL)


@dataclass
class _Piece:
    text: str
    atom: bool  # one symbol, a number or a bracketed group: needs no brackets as an operand


class _Formula:
    """A small recursive-descent reader of the LaTeX that formulas in course text use."""

    def __init__(self, tex: str) -> None:
        self.tokens = _TOKEN.findall(tex)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str | None:
        token = self.peek()
        self.pos += token is not None
        return token

    def skip_spaces(self) -> None:
        while (token := self.peek()) is not None and token.isspace():
            self.pos += 1

    def sequence(self, close: str | None = None) -> list[_Piece]:
        pieces: list[_Piece] = []
        while (token := self.peek()) is not None and token != close:
            if token in ("^", "_"):
                self.pos += 1
                script = self.argument()
                base = pieces.pop() if pieces and not pieces[-1].text.isspace() else _Piece("", True)
                pieces.append(_Piece(base.text + _script(script, token), base.atom))
                continue
            piece = self.piece()
            if piece is not None:
                pieces.append(piece)
        return pieces

    def argument(self) -> _Piece:
        """One argument: a braced group or a single token (``\\frac1m``, ``x^2``)."""
        self.skip_spaces()
        if self.peek() == "{":
            self.pos += 1
            inner = self.sequence("}")
            self.take()
            return _join(inner)
        token = self.peek() or ""
        if re.fullmatch(r"\d\d+", token):  # \frac12: one digit per argument, as TeX reads it
            self.tokens[self.pos: self.pos + 1] = [token[0], token[1:]]
        piece = self.piece()
        return piece if piece is not None else _Piece("", True)

    def raw_group(self) -> str:
        """The text of ``\\text{...}``: as written, escapes resolved."""
        self.skip_spaces()
        if self.peek() != "{":
            return (self.take() or "").lstrip("\\")
        self.pos += 1
        depth, out = 0, []
        while (token := self.take()) is not None:
            if token == "}" and depth == 0:
                break
            depth += (token == "{") - (token == "}")
            out.append(ESCAPED.get(token[1:], token[1:]) if token.startswith("\\") else token)
        return "".join(out)

    def piece(self) -> _Piece | None:
        token = self.take()
        if token is None:
            return None
        if token.isspace():
            return _Piece(" ", True)
        if token == "{":
            inner = self.sequence("}")
            self.take()
            return _join(inner)
        if token == "~" or token == "&":
            return _Piece(" ", True)
        if not token.startswith("\\"):
            return _Piece(token, token not in "+-=<>,/*" or len(token) > 1)
        name = token[1:]
        if name in SPACES:
            return _Piece(SPACES[name], True)
        if name in ESCAPED:
            return _Piece(ESCAPED[name], True)
        if name in IGNORED:
            if name in ("left", "right"):
                self.skip_spaces()
                if self.peek() == ".":
                    self.pos += 1
            return _Piece("", True)
        if name in FUNCTIONS:
            return _Piece(f" {name}", True)  # "y log a", not "ylog a"
        if name in SYMBOLS:
            text = SYMBOLS[name]
            if text in _BINARY:
                return _Piece(f" {text} ", False)
            if text in _BIG:
                return _Piece(f" {text}", True)  # "Σ_c Σ_v x", not "Σ_cΣ_vx"
            return _Piece(text, True)
        if name in FRACTIONS:
            top, bottom = self.argument(), self.argument()
            return _Piece(f"{_operand(top)}/{_operand(bottom)}", False)
        if name == "sqrt":
            self.skip_spaces()
            index = ""
            if self.peek() == "[":
                self.pos += 1
                index = _join(self.sequence("]")).text
                self.take()
            radicand = self.argument()
            return _Piece(_script(_Piece(index, True), "^") + "√" + _operand(radicand), True)
        if name in ACCENTS:
            accented = self.argument()
            return _Piece(accented.text + ACCENTS[name], accented.atom)
        if name == "mathbb":
            letter = self.raw_group()
            return _Piece(BLACKBOARD.get(letter, letter), True)
        if name in TEXT_FONTS:
            text = self.raw_group()
            return _Piece(text, bool(re.fullmatch(r"\w+", text)))
        return _Piece(name, True)  # unknown: its name, readable, never a stray backslash


def _join(pieces: list[_Piece]) -> _Piece:
    pieces = [p for p in pieces if p.text]
    if len(pieces) == 1:
        return pieces[0]
    text = _tidy("".join(p.text for p in pieces))
    # A bracketed group, or a name of letters (dW, KH): an operand that needs no brackets
    return _Piece(text, _bracketed(text.strip()) or bool(re.fullmatch(r"[A-Za-z]+", text)))


def _tidy(text: str) -> str:
    """One space at most, none just inside brackets, none around a wide (quad) space."""
    text = re.sub(r"[ \t\n]+", " ", text)
    text = re.sub(r"([(\[{⌊⌈⟨]) ", r"\1", text)
    text = re.sub(r" ([)\]}⌋⌉⟩])", r"\1", text)
    return re.sub(r" ?(\u2003+) ?", r"\1", text)


def _bracketed(text: str) -> bool:
    """``(a + b)``, ``[l]``, ``⌊x⌋``: one group from its first character to its last."""
    if len(text) < 2 or text[0] not in _OPEN or _CLOSE[_OPEN.index(text[0])] != text[-1]:
        return False
    depth = 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def _operand(piece: _Piece) -> str:
    text = piece.text.strip()
    return text if piece.atom or _bracketed(text) else f"({text})"


def _script(piece: _Piece, kind: str) -> str:
    text = piece.text.strip()
    if not text:
        return ""
    table = _SUP if kind == "^" else _SUB
    if all(char in table for char in text):
        return "".join(table[char] for char in text)
    if piece.atom or _bracketed(text) or re.fullmatch(r"[\w,.′']+", text):
        return kind + text
    return f"{kind}({text})"


def plain_formula(tex: str) -> str:
    """LaTeX math as Unicode text: ``\\frac{v}{1-\\beta_1^t}`` -> ``v/(1-β₁ᵗ)``."""
    # NFC: "ŝ" as one character where Unicode has one, a combining accent otherwise ("v̂")
    return unicodedata.normalize("NFC", _tidy(_join(_Formula(tex).sequence()).text).strip())


# ---------------------------------------------------------------------------- markdown

_CODE = re.compile(r"(```[\s\S]*?```|`[^`\n]+`)")
_MATH = re.compile(r"(?<!\\)\$\$([\s\S]+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")


def _entities(text: str) -> str:
    """HTML for ``text`` that no markdown reader takes for syntax: every ASCII punctuation
    character as a character reference (``a^[3](i)`` is no link, ``x_pad_`` no emphasis)."""
    return "".join(f"&#{ord(c)};" if c.isascii() and not c.isalnum() and c != " " else c
                   for c in text)


def plain_markdown(source: str) -> str:
    """Markdown with every ``$...$`` and ``$$...$$`` (outside code) written as plain text."""

    def formula(match: re.Match[str]) -> str:
        display, inline = match.group(1), match.group(2)
        css = "formula display" if display is not None else "formula"
        text = plain_formula(display if display is not None else inline)
        return f'<span class="{css}">{_entities(text)}</span>'

    parts = _CODE.split(source)
    return "".join(part if i % 2 else _MATH.sub(formula, part) for i, part in enumerate(parts))


# nbgrader's own labels on the feedback page (its feedback/index.html.j2 writes them in English):
# offline.html.j2 shows them in the page's language, from resources["autograder_labels"].
NBGRADER_LABELS = (
    N_("Score:"), N_("Test cell"), N_("Coding free-response"), N_("Written response"), N_("Task"),
    N_("Comment"), N_("Late submission penalty"), N_("Student's answer"), N_("Student's task"),
    N_("Grade cell:"), N_("Task:"), N_("(Top)"), N_("Comments:"),
)


class PlainFormulas(Preprocessor):
    """Markdown cells' formulas as plain text, for a feedback page that loads no MathJax."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled
    lang = Unicode("", help="the page's language: en or zh (default: c.GradeOutOfKernel.lang, the "
                   "language the grades were written in, else $AUTOGRADER_LANG or en)").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        from autograder.i18n import HTML_LANG, _, check_language, current_language, language

        # The page's <html lang>: offline.html.j2 reads it, so that the browser picks the
        # language's fonts (a Chinese page drawn with a Japanese font's glyphs reads oddly).
        # One setting makes a course Chinese: generate_feedback reads the same nbgrader_config.py
        # as autograde, so a page follows c.GradeOutOfKernel.lang unless told otherwise.
        chosen = self.lang or str(self.config.get("GradeOutOfKernel", {}).get("lang", "") or "")
        lang = check_language(chosen) if chosen else current_language()
        resources["autograder_html_lang"] = HTML_LANG[lang]
        if lang != "en":  # the English page stays nbgrader's, byte for byte
            with language(lang):
                resources["autograder_labels"] = {label: _(label) for label in NBGRADER_LABELS}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "markdown":
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            cell.source = plain_markdown(source)
        return cell, resources
