"""Receptive fields: conv_output_size against the shapes F.conv2d really produces, and
receptive_field / receptive_field_region against an empirical probe: a stack of all-ones
convolutions (average pooling standing in for max pooling) and the bounding box of the
gradient of one output pixel with respect to the input, on random stacks with dilation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import check_scalar, describe, fail, type_name
from grading_tests.references import receptive_field as ref
from grading_tests.strategies import seeds

M = "receptive_field"


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


@st.composite
def layer_stacks(draw, max_layers: int = 4):
    """A list of (k, s, p) or (k, s, p, d) tuples; dilation in about half of them."""
    stack = []
    for _unused in range(draw(st.integers(1, max_layers))):
        k, s, p = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
        d = draw(st.integers(1, 3))
        stack.append((k, s, p, d) if d > 1 or draw(st.booleans()) else (k, s, p))
    return stack


def _probe_facts(layers, device):
    """What the probe measures: (size, jump, start, boxes) with boxes for outputs inside the image."""
    jump = math.prod(layer[1] for layer in layers)
    k_eff = [(layer[3] if len(layer) == 4 else 1) * (layer[0] - 1) + 1 for layer in layers]
    pads = sum(layer[2] for layer in layers) * jump
    n = sum(k_eff) * jump + 2 * pads + 6 * jump + 3  # room for several whole fields
    count = ref.stack_output_length(layers, n, device)
    inside = [i for i in range(count)
              if 0 <= ref.reference_region(layers, i)[0] and ref.reference_region(layers, i)[1] < n]
    if len(inside) < 2:
        raise RuntimeError(f"grader: no room for two inside fields with {layers} on n={n}")
    boxes = ref.probe(layers, n, inside[:3], device)
    for i, box in boxes.items():
        if box != ref.reference_region(layers, i):
            raise RuntimeError(f"grader: probe {box} and reference {ref.reference_region(layers, i)} "
                               f"disagree for {layers}, output {i}")
    i0, i1 = inside[0], inside[1]
    (f0, l0), (f1, _unused) = boxes[i0], boxes[i1]
    jump_measured = (f1 - f0) // (i1 - i0)
    return l0 - f0 + 1, jump_measured, (f0 + l0) / 2 - i0 * jump_measured, boxes


# ----------------------------------------------------------------------------- conv_output_size


@pytest.mark.points(2)
@pytest.mark.exercise(M, "conv_output_size")
@pytest.mark.hint("floor((n + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1: "
                  "padding on both sides, a dilated kernel spans dilation*(k-1)+1 pixels, round down")
@given(data=st.data(), k=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       s=st.tuples(st.integers(1, 4), st.integers(1, 4)), p=st.tuples(st.integers(0, 3), st.integers(0, 3)),
       d=st.tuples(st.integers(1, 3), st.integers(1, 3)))
def test_conv_output_size_matches_the_shape_conv2d_produces(impl, device, data, k, s, p, d):
    sizes = tuple(data.draw(st.integers(max(1, d[a] * (k[a] - 1) + 1 - 2 * p[a]), 40), label=f"n{a}")
                  for a in range(2))
    expected = ref.conv_output_shape(sizes[0], sizes[1], k, s, p, d, device)
    for a in range(2):
        args = (sizes[a], k[a], s[a], p[a], d[a])
        context = describe(input_size=sizes[a], kernel_size=k[a], stride=s[a], padding=p[a], dilation=d[a])
        if d[a] == 1 and p[a] == 0:
            got = impl.receptive_field.conv_output_size(sizes[a], k[a], stride=s[a])
        else:
            got = impl.receptive_field.conv_output_size(*args)
        if isinstance(got, float) and not got.is_integer():
            fail(_("conv_output_size: returned {got}, not a whole number").format(got=got), context, "round down with //")
        diagnoses = {m.description: (lambda m=m: m.func(*args)) for m in _mutants("conv_output_size")}
        check_scalar("conv_output_size", got, expected[a], context=context, diagnoses=diagnoses)


# ----------------------------------------------------------------------------- receptive_field


def _three(label, value):
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        fail(_("{label}: returned {type_name}; expected a tuple (size, jump, start)")
             .format(label=label, type_name=type_name(value)))
    return value


@pytest.mark.points(3)
@pytest.mark.exercise(M, "receptive_field")
@pytest.mark.hint("go layer by layer with the jump BEFORE the layer: size += (k_eff-1)*jump, "
                  "start += ((k_eff-1)/2 - p)*jump, then jump *= s; k_eff = d*(k-1)+1")
@given(layers=layer_stacks())
def test_receptive_field_matches_the_gradient_probe(impl, device, layers):
    size, jump, start, _unused = _probe_facts(layers, device)
    context = describe(layers=layers)
    got = _three("receptive_field", impl.receptive_field.receptive_field(layers))
    for i, (name, expected) in enumerate((("size", size), ("jump", jump), ("start", start))):
        diagnoses = {m.description: (lambda m=m, i=i: m.func(layers)[i]) for m in _mutants("receptive_field")}
        check_scalar(f"receptive_field: {name}", got[i], expected, context=context, diagnoses=diagnoses)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "receptive_field")
def test_receptive_field_of_no_layers_is_one_pixel(impl):
    got = _three("receptive_field([])", impl.receptive_field.receptive_field([]))
    for name, value, expected in zip(("size", "jump", "start"), got, (1, 1, 0.0)):
        check_scalar(f"receptive_field([]): {name}", value, expected, context="layers=[]",
                     hint="start from size 1, jump 1, start 0.0: with no layer an output is its own input pixel")


# ----------------------------------------------------------------------------- region


def _region(impl, layers, index, expected, context):
    got = impl.receptive_field.receptive_field_region(layers, index)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(_("receptive_field_region: returned {type_name}; expected a tuple (first, last)")
             .format(type_name=type_name(got)), context)
    diagnoses = {m.description: (lambda m=m: m.func(layers, index)) for m in _mutants("receptive_field_region")}
    for i, name in enumerate(("first", "last")):
        value = got[i]
        if isinstance(value, (float, np.floating)) and not float(value).is_integer():
            fail(_("receptive_field_region: {name} = {value} is not an index")
                 .format(name=name, value=value), context)
        check_scalar(f"receptive_field_region: {name}", value, expected[i], context=context,
                     hint="both ends inclusive; walk back from the output: first = s*first - p, "
                          "last = s*last - p + d*(k-1)",
                     diagnoses={k: (lambda f=f, i=i: f()[i]) for k, f in diagnoses.items()})


@pytest.mark.points(3)
@pytest.mark.exercise(M, "receptive_field_region")
@pytest.mark.hint("both ends inclusive; walk back from the output: first = s*first - p, last = s*last - p + d*(k-1)")
@given(layers=layer_stacks(), seed=seeds)
def test_receptive_field_region_matches_the_gradient_probe(impl, device, layers, seed):
    _unused, jump, _unused, boxes = _probe_facts(layers, device)
    for index, box in boxes.items():
        _region(impl, layers, index, box, describe(layers=layers, index=index) + " (a field inside the image)")
    # Fields move by the jump from output to output, so the probe also fixes the fields that
    # reach into the padding, such as output 0's.
    first_inside = min(boxes)
    f, last = boxes[first_inside]
    index = int(np.random.default_rng(seed).integers(0, first_inside + 1))
    shift = (index - first_inside) * jump
    _region(impl, layers, index, (f + shift, last + shift), describe(layers=layers, index=index))
