"""The contract ships with the project (docs/contract.md) and cannot drift: every module of the
catalog has its section, every signature it writes is the stub's (names, order, defaults), every
graded function is in it, and it is the course's SPEC where that file is at hand."""

from __future__ import annotations

import ast
import re

import pytest

from autograder.catalog import TOPICS
from tests.conftest import GRADING_TESTS, ROOT

CONTRACT = ROOT / "docs" / "contract.md"
SPEC = ROOT.parent / "shared" / "SPEC.md"  # the course's working copy, beside the checkout
# In the contract, not in the course yet (the new-topics issue builds them).
PLANNED_MODULES = {"landscape", "deep_gradients", "tuning", "feature_vis"}
PLANNED_NAMES = {("inception", "GoogLeNet")}
SIGNATURE = re.compile(r"`(\w+)\(([^`]*?)\)(?:\s*->[^`]*)?`")


def sections() -> dict[str, str]:
    """Module name -> its part of the contract (a ``## m.py`` section or a ``- `m.py` `` item)."""
    text = CONTRACT.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for head, body in re.findall(r"^## (\w+)\.py\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S):
        found[head] = body
    torch_part = text.split("## PyTorch modules", 1)[1]
    marks = list(re.finditer(r"`(\w+)\.py`", torch_part))  # each module's text runs to the next one's
    for mark, after in zip(marks, [*marks[1:], None]):
        end = after.start() if after else len(torch_part)
        found[mark.group(1)] = found.get(mark.group(1), "") + torch_part[mark.start():end]
    return found


def contract_signatures(body: str) -> dict[str, ast.arguments]:
    """Every backticked ``name(params)`` whose params read as a Python parameter list."""
    sigs = {}
    for name, params in SIGNATURE.findall(body):
        try:
            node = ast.parse(f"def {name}({params}): pass").body[0]
        except SyntaxError:
            continue  # prose such as `Sequential(Conv 1x1, ReLU)`
        assert isinstance(node, ast.FunctionDef)
        sigs.setdefault(name, node.args)
    return sigs


def stub_signatures(topic: str) -> dict[str, ast.arguments]:
    tree = ast.parse((ROOT / "assignments" / f"{topic}.py").read_text(encoding="utf-8"))
    sigs: dict[str, ast.arguments] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            sigs[node.name] = node.args
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    args = item.args
                    sigs[node.name] = ast.arguments(posonlyargs=[], args=args.args[1:], vararg=args.vararg,
                                                    kwonlyargs=args.kwonlyargs, kw_defaults=args.kw_defaults,
                                                    kwarg=args.kwarg, defaults=args.defaults)
    return sigs


def shape(args: ast.arguments) -> tuple[list[str], list[object]]:
    names = [a.arg for a in args.args]
    return names, [ast.literal_eval(d) for d in args.defaults]


def test_the_readme_and_the_developers_guide_point_at_the_contract_in_the_repository():
    for doc in (ROOT / "README.md", ROOT / "docs" / "DEVELOPING.md"):
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text, f"{doc.name} points outside the repository"
        assert "docs/contract.md" in text or "contract.md" in text, doc.name


@pytest.mark.skipif(not SPEC.exists(), reason="no course SPEC beside this checkout")
def test_the_contract_is_the_courses_spec():
    shipped = CONTRACT.read_text(encoding="utf-8").split("-->\n", 1)[1]
    assert shipped == SPEC.read_text(encoding="utf-8"), "docs/contract.md differs from the course SPEC: copy it"


def test_every_module_of_the_catalog_has_its_part_of_the_contract_and_nothing_else_does():
    found = sections()
    assert sorted(set(TOPICS) - set(found)) == []
    assert sorted(set(found) - set(TOPICS) - PLANNED_MODULES) == []


@pytest.mark.parametrize("topic", list(TOPICS))
def test_every_signature_in_the_contract_is_the_stubs(topic):
    stubs = stub_signatures(topic)
    written = contract_signatures(sections()[topic])
    checked = 0
    defined = set(re.findall(r"^\| `(\w+)\(", sections()[topic], flags=re.M))  # a table's first column
    missing = sorted(n for n in defined if n not in stubs and (topic, n) not in PLANNED_NAMES)
    assert missing == [], f"{topic}: the contract defines {missing} but the stub does not"
    for name, args in written.items():
        if name not in stubs:  # prose: torch's StepLR(...), Sequential(...), a planned class
            continue
        assert shape(stubs[name]) == shape(args), f"{topic}.{name}: stub {shape(stubs[name])}, contract {shape(args)}"
        checked += 1
    assert checked, f"no signature of {topic} checked"


@pytest.mark.parametrize("topic", list(TOPICS))
def test_every_graded_function_is_in_the_contract(topic):
    graded = set(re.findall(r'@pytest\.mark\.exercise\(M, "(\w+)"\)',
                            (GRADING_TESTS / f"test_{topic}.py").read_text(encoding="utf-8")))
    body = sections()[topic]
    assert graded and [g for g in sorted(graded) if f"`{g}(" not in body and f"`{g}`" not in body] == []


def test_a_drifted_signature_is_caught(tmp_path):
    args = contract_signatures("`pool_forward(x, kernel_size, stride=None, mode=\"max\") -> (out, cache)`")
    drifted = ast.parse("def pool_forward(x, kernel_size, stride=1, mode='max'): pass").body[0]
    assert isinstance(drifted, ast.FunctionDef)
    assert shape(args["pool_forward"]) != shape(drifted.args)
    assert shape(args["pool_forward"]) == (["x", "kernel_size", "stride", "mode"], [None, "max"])
