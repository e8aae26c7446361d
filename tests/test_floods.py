"""Floods: whatever a submission returns, raises or prints, its result stays a few hundred KB,
each message says what was wrong in bounded length, grading ends in bounded time, and the
honest functions of the same module still pass."""

from __future__ import annotations

import json
import os
import struct
import threading
import time

import numpy as np
import pytest

from autograder.catalog import TOPICS
from autograder.engine.pipeline import grade_submission
from autograder.formats import render
from autograder.results import (
    MAX_FEEDBACK,
    MAX_TOPIC_FEEDBACK,
    PropertyResult,
    SubmissionResult,
    TopicResult,
    clip,
    stored_size,
)
from autograder.sandbox import protocol
from grading_tests.compare import PropertyAbort, PropertyFailure, check_dict, excerpt, listing, short
from tests.conftest import SOLUTIONS

OPT = (SOLUTIONS / "optimizers.py").read_text()
RESULT_LIMIT = 400_000  # "a few hundred KB": what one submission may store, in every format
HANG_GUARD = 120  # seconds; a guard against hangs, not a speed target


def redefine(source: str) -> str:
    """The reference module with some functions redefined after it (the later def wins)."""
    return OPT + "\n\n" + source.strip() + "\n"


def assert_bounded(result: SubmissionResult) -> None:
    for fmt in ("json", "gradescope", "junit", "text"):
        assert len(render(result, fmt).encode()) < RESULT_LIMIT, fmt
    for topic in result.topics:
        assert stored_size(topic.problem) <= MAX_FEEDBACK
        for prop in topic.properties:
            assert stored_size(prop.feedback) <= MAX_FEEDBACK, prop.name


def by_function(result: SubmissionResult) -> dict[str, list[PropertyResult]]:
    found: dict[str, list[PropertyResult]] = {}
    for prop in result.topics[0].properties:
        found.setdefault(prop.function, []).append(prop)
    return found


# ----------------------------------------------------------------------------- whole submissions


def test_millions_of_unexpected_keys_give_a_short_message_that_counts_them(make_submission):
    folder = make_submission(optimizers=redefine("""
def update_parameters_with_momentum(parameters, gradients, v, beta, learning_rate):
    new_params, new_v = {}, {}
    for key, dkey in _layer_keys(parameters):
        new_v[dkey] = beta * v[dkey] + (1 - beta) * gradients[dkey]
        new_params[key] = parameters[key] - learning_rate * new_v[dkey]
    for i in range(1_700_000):
        new_params[f"junk{i}"] = 0
    return new_params, new_v
"""))
    started = time.monotonic()
    # What is judged is the message, not the time: a generous call limit, so that a busy machine
    # (each of these calls encodes and decodes 1.7 million keys) does not turn it into a timeout.
    result = grade_submission(folder, ["optimizers"], profile="dev", call_timeout=60.0, functions={
        "update_parameters_with_momentum", "update_parameters_with_rmsprop", "cosine_annealing"})
    assert time.monotonic() - started < HANG_GUARD
    assert_bounded(result)
    props = by_function(result)
    assert all(p.passed for p in props["update_parameters_with_rmsprop"] + props["cosine_annealing"])
    flooded = props["update_parameters_with_momentum"]
    assert flooded and not any(p.passed for p in flooded)
    keyed = [p for p in flooded if "keys differ" in p.feedback]
    assert keyed, [p.feedback[:300] for p in flooded]
    for prop in keyed:
        assert "unexpected ['junk0', 'junk1', 'junk10', " in prop.feedback
        assert "... and 1,699,990 more]" in prop.feedback
        assert len(prop.feedback) < 2000


HOSTILE = redefine("""
def exponential_decay(learning_rate0, epoch, decay_rate):
    return "x" * 100_000_000


def step_decay(learning_rate0, epoch, drop, epochs_drop):
    raise ValueError("y" * 5_000_000)


def inverse_time_decay(learning_rate0, epoch, decay_rate, time_interval=1):
    return tuple(range(1_000_000))


def initialize_momentum(parameters):
    return {str(i) + "k" * 50_000: np.zeros(1) for i in range(100)}


def initialize_rmsprop(parameters):
    value = 1.0
    for _ in range(100):
        value = [value]
    return value


def initialize_adam(parameters):
    for i in range(100_000):
        print("progress", i)
    return initialize_momentum_honest(parameters), initialize_momentum_honest(parameters)


def initialize_momentum_honest(parameters):
    return {dkey: np.zeros_like(parameters[key]) for key, dkey in _layer_keys(parameters)}
""")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "optimizers.py").write_text(HOSTILE, encoding="utf-8")
    started = time.monotonic()
    result = grade_submission(folder, ["optimizers"], profile="dev", functions={
        "exponential_decay", "step_decay", "inverse_time_decay", "initialize_momentum",
        "initialize_rmsprop", "initialize_adam", "cosine_annealing", "update_parameters_with_adam"})
    return result, time.monotonic() - started


def test_floods_of_every_kind_end_in_bounded_time_and_size(hostile):
    result, seconds = hostile
    assert seconds < HANG_GUARD
    assert_bounded(result)
    props = by_function(result)
    assert all(p.passed for p in props["cosine_annealing"] + props["update_parameters_with_adam"])


@pytest.mark.parametrize("function,says", [
    ("exponential_decay", "the message is 100,000,"),
    ("step_decay", "your code raised ValueError: yyy"),
    ("inverse_time_decay", "returned tuple, expected a float"),
    ("initialize_momentum", "(50,001 characters)"),
    ("initialize_rmsprop", "nested more than 64 levels deep"),
])
def test_each_flood_fails_its_function_and_says_why(hostile, function, says):
    result, _ = hostile
    props = by_function(result)[function]
    assert props and not any(p.passed for p in props)
    assert all(says in p.feedback for p in props), [p.feedback[:300] for p in props]


def test_keys_of_fifty_thousand_characters_are_listed_short(hostile):
    result, _ = hostile
    (prop,) = by_function(result)["initialize_momentum"]
    assert "missing ['dW1', 'db1'" in prop.feedback
    assert "... and 90 more]" in prop.feedback
    assert len(prop.feedback) < 3000


def test_a_flood_of_printed_lines_keeps_a_short_output_and_the_property(hostile):
    result, _ = hostile
    assert all(p.passed for p in by_function(result)["initialize_adam"])
    assert "progress 0" in result.output and len(result.output) < 10_000


def test_a_deep_recursion_in_the_workers_encoder_is_a_short_student_error(tmp_path):
    from autograder.sandbox.client import StudentCodeError, Worker

    (tmp_path / "probe.py").write_text(
        "def deep():\n    x = 1\n    for _ in range(100_000):\n        x = [x]\n    return x\n")
    with Worker(tmp_path, call_timeout=10) as worker:
        worker.start()
        with pytest.raises(StudentCodeError) as err:
            worker.request({"op": "call", "root": "probe", "path": "deep", "args": [], "kwargs": {}})
    assert err.value.type_name == "RecursionError"
    assert len(err.value.message) <= 2000 and len(err.value.traceback) <= 4000


# ----------------------------------------------------------------------------- message helpers


def test_listing_shows_ten_sorted_items_then_a_count_with_separators():
    keys = [f"junk{i}" for i in range(1_700_000)]
    assert listing(keys) == ("['junk0', 'junk1', 'junk10', 'junk100', 'junk1000', 'junk10000', 'junk100000', "
                             "'junk1000000', 'junk1000001', 'junk1000002', ... and 1,699,990 more]")
    assert listing([3, 1, 2]) == "[1, 2, 3]" and listing([]) == "[]"
    assert listing(list(range(50)), sort=False).endswith("8, 9, ... and 40 more]")


def test_listing_order_does_not_depend_on_the_set_order():
    keys = ["1", 1, "b", ("a", 2), 2.5]
    assert listing(keys) == listing(list(reversed(keys))) == listing(set(keys))


def test_short_keeps_small_reprs_and_cuts_big_ones_with_their_size():
    assert short("abc") == "'abc'" and short(1.5) == "1.5" and short([1, (2, 3)]) == "[1, (2, 3)]"
    assert short("k" * 50_000) == repr("k" * 50) + "... (50,000 characters)"
    big = short(list(range(1_000_000)))
    assert big.startswith("[0, 1, 2,") and big.endswith("(1,000,000 items)") and len(big) <= 100
    assert len(short({i: "v" * 1000 for i in range(1000)})) <= 100
    assert len(short(np.arange(10**6))) <= 100
    assert excerpt("y" * 5000) == "y" * 300 + "... (5,000 characters)" and excerpt("ok") == "ok"


def test_a_dict_flood_is_a_failure_that_hypothesis_does_not_shrink():
    expected = {"dW1": np.zeros(2)}
    with pytest.raises(PropertyFailure):
        check_dict("v", {"dW1": np.zeros(2), "x": 1}, expected)
    with pytest.raises(PropertyAbort) as err:
        check_dict("v", {"dW1": np.zeros(2), **{i: 0 for i in range(20_000)}}, expected)
    assert not isinstance(err.value, Exception)  # Hypothesis shrinks Exceptions only
    assert "unexpected [0, 1, 10, 100, 1000, 10000, 10001, 10002, 10003, 10004, ... and 19,990 more]" \
        in str(err.value)


# ----------------------------------------------------------------------------- result caps


def test_clip_keeps_the_head_and_the_tail_within_the_stored_size():
    text = "what went wrong\n" + "x" * 1_000_000 + "\nHint: the end"
    clipped = clip(text, 8000)
    assert stored_size(clipped) <= 8000
    assert clipped.startswith("what went wrong") and clipped.endswith("Hint: the end")
    assert "characters cut] ..." in clipped
    assert clip(clipped, 8000) == clipped and clip("short", 8000) == "short"


@pytest.mark.parametrize("char", ["\n", "\x00", "é", "\U0001f600", '"'])
def test_clip_counts_escapes_as_results_json_stores_them(char):
    clipped = clip(char * 100_000, 8000)
    assert len(json.dumps(clipped)) - 2 <= 8000


def test_a_propertys_feedback_is_capped_when_the_record_is_made():
    prop = PropertyResult("optimizers", "f", "p", "id", 1, 0, "failed", "z" * 10**7, diagnosis="d" * 10**4)
    assert stored_size(prop.feedback) <= MAX_FEEDBACK and len(prop.diagnosis) <= 200


def test_a_topics_feedback_is_shared_out_and_short_messages_stay_whole():
    props = [PropertyResult("t", "f", f"p{i}", "id", 1, 0, "failed", "z" * 10**6) for i in range(6)]
    props.append(PropertyResult("t", "g", "small", "id", 1, 0, "failed", "keys differ"))
    topic = TopicResult("t", "T", props)
    assert sum(stored_size(p.feedback) for p in topic.properties) <= MAX_TOPIC_FEEDBACK
    assert props[-1].feedback == "keys differ"
    assert all(stored_size(p.feedback) > 2000 for p in props[:-1])


def test_every_topic_flooded_still_stores_a_few_hundred_kb_and_survives_a_round_trip():
    topics = [TopicResult(name, t.title, [PropertyResult(name, "f", f"p{i}", f"id{i}", 1, 0, "failed",
                                                         "\n".join(["é" * 80] * 20_000))
                                          for i in range(16)])
              for name, t in TOPICS.items()]
    result = SubmissionResult("s", topics, output="o" * 8000)
    assert_bounded(result)
    again = SubmissionResult.from_dict(json.loads(render(result, "json")))
    assert again.to_dict() == result.to_dict()


# ----------------------------------------------------------------------------- protocol caps


def _read(header: bytes):
    """Read one message with this header (and no arrays) through a pipe."""
    read, write = os.pipe()

    def send() -> None:  # from a thread: a pipe holds less than a big header
        with os.fdopen(write, "wb") as out:
            out.write(protocol.MAGIC + struct.pack(">Q", len(header)) + header)

    sender = threading.Thread(target=send)
    sender.start()
    try:
        return protocol.Reader(read).read(deadline=time.monotonic() + 5)
    finally:
        sender.join()
        os.close(read)


@pytest.mark.parametrize("tree,says", [
    ("s" * (protocol.MAX_STRING + 1), "a string of 100,001 characters"),
    ({"$dict": [["k" * (protocol.MAX_STRING + 1), 1]]}, "a string of 100,001 characters"),
    ([0] * (protocol.MAX_VALUES + 1), "more than 4,000,000 items"),
    ({"$dict": [[i, i] for i in range(protocol.MAX_VALUES // 2)]}, "more than 4,000,000 items"),
    ({"$tensor": 0}, "array index out of range"),
    ({"$np": "garbage", "v": 1}, "malformed value"),
    ({"$handle": "1" * 5000}, "expected an integer"),
    ({"$rng": {"state": ["x" * 200_000]}}, "a string of 200,000 characters"),
])
def test_decode_refuses_what_is_too_large_or_malformed_with_a_protocol_error(tree, says):
    with pytest.raises(protocol.ProtocolError, match=says.replace("(", r"\(")):
        protocol.decode(tree, [])


def test_decode_refuses_deep_nesting_before_python_recursion_does():
    nested: object = 1
    for _ in range(protocol.MAX_DEPTH + 2):
        nested = [nested]
    with pytest.raises(protocol.TooLarge, match="nested more than 64 levels deep"):
        protocol.decode(nested, [])
    with pytest.raises(protocol.TooLarge, match="nested more than 64 levels deep"):
        _read(b'{"n": 0, "tree": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")


def test_reader_turns_a_huge_number_or_header_into_a_protocol_error():
    with pytest.raises(protocol.ProtocolError, match="bad header"):
        _read(b'{"n": 0, "tree": ' + b"9" * 10_000 + b"}")
    # A header claimed larger than the cap is refused before a byte of it is read.
    read, write = os.pipe()
    os.write(write, protocol.MAGIC + struct.pack(">Q", protocol.MAX_HEADER_BYTES + 1))
    os.close(write)
    try:
        with pytest.raises(protocol.TooLarge, match="the grader accepts at most 33,554,432"):
            protocol.Reader(read).read(deadline=time.monotonic() + 5)
    finally:
        os.close(read)


def test_honest_values_still_cross_whole():
    arrays: list[bytes] = []
    value = {"W1": np.arange(6.0).reshape(2, 3), "t": (1, 2.5, None, "s"), "g": np.random.default_rng(0)}
    tree = json.loads(json.dumps(protocol.encode(value, arrays)))
    back = protocol.decode(tree, [protocol.load_array(a) for a in arrays])
    assert np.array_equal(back["W1"], value["W1"]) and back["t"] == value["t"]
    assert isinstance(back["g"], protocol.RNGState)


@pytest.mark.parametrize("array", [
    np.float64(2.5).reshape(()), np.arange(12.0).reshape(3, 4).T, np.zeros((0, 3), np.int32),
    np.array([True, False]), np.arange(6, dtype=">f4"), np.ones((2, 2), np.complex64),
    np.arange(24, dtype=np.uint8).reshape(2, 3, 4)[:, ::2, 1:],
], ids=["0-d", "transposed", "empty", "bool", "big-endian", "complex", "strided"])
def test_an_array_crosses_as_its_dtype_shape_and_values_and_arrives_writable(array):
    back = protocol.load_array(protocol._save(array))
    assert back.dtype == array.dtype and back.shape == array.shape and np.array_equal(back, array)
    assert back.flags.writeable and back.flags.c_contiguous and back.flags.aligned
    back[...] = 0  # the worker's student code changes its arguments in place (inspect_call)


def _payload(code: bytes, shape: tuple[int, ...], data: bytes) -> bytes:
    dims = b"".join(struct.pack(">q", d) for d in shape)
    return bytes((len(code),)) + code + bytes((len(shape),)) + dims + data


@pytest.mark.parametrize("payload,says", [
    (b"", "bad array payload"),
    (_payload(b"|O8", (1,), b"\0" * 8), "dtype"),
    (_payload(b"<U4", (1,), b"\0" * 16), "dtype"),
    (_payload(b"<f8", (2,), b"\0" * 15), "do not fill the shape"),
    (_payload(b"<f8", (2,), b"\0" * 17), "do not fill the shape"),
    (_payload(b"<f8", (-1, -2), b"\0" * 16), "do not fill the shape"),
    (_payload(b"<f8", (2**62, 0), b""), "bad array payload"),
    (_payload(b"<f8", (1,) * 65, b"\0" * 8), "shape"),
    (b"\x03<f8\x02" + b"\0" * 3, "bad array payload"),
])
def test_a_malformed_array_payload_is_a_protocol_error(payload, says):
    with pytest.raises(protocol.ProtocolError, match=says):
        protocol.load_array(payload)


def test_the_reader_reads_ahead_without_mixing_messages():
    """Two messages written at once are read as two, and one written a byte at a time whole."""
    first, second = {"a": np.arange(3.0)}, ("b", np.ones((2, 2), np.int64))
    read, write = os.pipe()
    try:
        os.write(write, protocol.pack(first) + protocol.pack(second))
        reader = protocol.Reader(read)
        got = reader.read(deadline=time.monotonic() + 5)
        assert np.array_equal(got["a"], first["a"])
        got = reader.read(deadline=time.monotonic() + 5)
        assert got[0] == "b" and np.array_equal(got[1], second[1])
        data = protocol.pack(first)

        def dribble() -> None:
            for i in range(len(data)):
                os.write(write, data[i:i + 1])

        sender = threading.Thread(target=dribble)
        sender.start()
        got = reader.read(deadline=time.monotonic() + 5)
        sender.join()
        assert np.array_equal(got["a"], first["a"])
    finally:
        os.close(read)
        os.close(write)


def test_topics_added_after_the_result_was_made_still_share_its_room_once_fit():
    """The engine makes the result first and appends its topics: ``fit`` then caps the whole."""
    result = SubmissionResult("s")
    for name, t in TOPICS.items():
        result.topics.append(TopicResult(name, t.title, [
            PropertyResult(name, "f", f"p{i}", f"id{i}", 1, 0, "failed", "\n".join(["é" * 80] * 20_000))
            for i in range(16)]))
    assert len(render(result, "json").encode()) > RESULT_LIMIT  # not yet fitted
    result.fit()
    assert_bounded(result)
