"""Reference outputs computed once per class (grading_tests/reference_cache.py): the same
example gives the same arrays from memory, from disk or computed afresh; anything else about
the run, the reference's code or the input is another entry; a folder another user could write
is never read; a batch hands its children a cache only where its workers cannot reach it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from autograder.batch import local  # noqa: E402
from autograder.engine.properties import REFERENCE_CACHE_ENV  # noqa: E402
from autograder.sandbox import protocol  # noqa: E402
from grading_tests import reference_cache  # noqa: E402
from grading_tests.modules import reference_run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class Small(torch.nn.Module):
    def __init__(self, width: int = 3) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(2, width, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(width)
        self.unused = torch.nn.Linear(2, 2)  # no gradient: stored as None
        self.fc = torch.nn.Linear(width * 4 * 5, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "refs"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv(REFERENCE_CACHE_ENV, str(folder))
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())
    return folder


def counted():
    calls = []

    def ctor(width: int = 3):
        calls.append(width)
        return Small(width)
    ctor.__qualname__ = "Small"  # one reference, whichever closure built it
    return ctor, calls


def run(ctor, x, **overrides):
    args = {"seed": 4, "dout_seed": 6, "train": True, "device": "cpu", **overrides}
    return reference_run(ctor, (), {"width": 3}, x, **args)


def same(a: dict, b: dict) -> bool:
    if sorted(a) != sorted(b):
        return False
    for key, value in a.items():
        if isinstance(value, dict):
            if sorted(value) != sorted(b[key]) or not all(
                    (value[n] is None and b[key][n] is None) or np.array_equal(value[n], b[key][n]) for n in value):
                return False
        elif isinstance(value, np.ndarray):
            if not (isinstance(b[key], np.ndarray) and np.array_equal(value, b[key]) and value.dtype == b[key].dtype):
                return False
        elif value != b[key]:
            return False
    return True


def test_an_example_is_computed_once_and_read_back_identical_from_memory_and_from_disk(cache, monkeypatch):
    ctor, calls = counted()
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 5))
    first = run(ctor, x)
    assert first["grads"]["unused.weight"] is None and first["dx"].shape == x.shape and "bn.running_mean" in first["buffers"]
    first["out"][...] = 0  # a caller changing its copy changes nothing kept
    again = run(ctor, x)
    assert calls == [3] and not np.all(again["out"] == 0)
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())  # the next child
    from_disk = run(ctor, x)
    assert calls == [3] and len(list(cache.glob("*.msg"))) == 1
    monkeypatch.delenv(REFERENCE_CACHE_ENV)
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())
    fresh = run(ctor, x)
    assert calls == [3, 3] and same(from_disk, fresh) and same(again, fresh)


def test_another_input_seed_mode_device_or_flag_is_another_entry(cache):
    ctor, calls = counted()
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 5))
    run(ctor, x)
    run(ctor, x + 1e-12)
    run(ctor, x, seed=5)
    run(ctor, x, dout_seed=7)
    run(ctor, x, train=False)
    run(ctor, x, grads=False)
    run(ctor, x, buffers=False)
    reference_run(ctor, (), {"width": 4}, x, seed=4, dout_seed=6, train=True, device="cpu")
    assert len(calls) == 8 and len(list(cache.glob("*.msg"))) == 8


def test_the_references_source_is_part_of_the_key(cache, monkeypatch):
    ctor, calls = counted()
    x = np.random.default_rng(1).standard_normal((1, 2, 4, 5))
    run(ctor, x)
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())
    reference_cache._source_digest.cache_clear()
    monkeypatch.setattr(reference_cache, "_source_digest", lambda name: "edited")
    run(ctor, x)
    assert len(calls) == 2


def test_a_damaged_file_is_computed_again_and_a_folder_others_may_write_is_never_used(cache, monkeypatch):
    ctor, calls = counted()
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 5))
    want = run(ctor, x)
    (stored,) = cache.glob("*.msg")
    stored.write_bytes(b"not a message")
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())
    assert same(run(ctor, x), want) and len(calls) == 2
    # Forged: a file with other values, in a folder others may write: not read.
    stored.write_bytes(protocol.pack({**want, "out": np.zeros_like(want["out"])}))
    os.chmod(cache, 0o777)
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())
    assert same(run(ctor, x), want) and len(calls) == 3


def test_a_batch_names_a_private_cache_only_where_workers_cannot_reach_it(tmp_path, monkeypatch):
    monkeypatch.setattr(local.jail, "namespaces_available", lambda: True)
    folder = local.reference_cache(tmp_path / "scratch")
    assert folder is not None and (os.stat(folder).st_mode & 0o777) == 0o700
    monkeypatch.setattr(local.jail, "namespaces_available", lambda: False)
    monkeypatch.setattr(local.jail, "can_drop_privileges", lambda: False)
    assert local.reference_cache(tmp_path / "other") is None  # workers run as this uid: no cache
    monkeypatch.setattr(local.jail, "namespaces_available", lambda: True)
    os.chmod(folder, 0o755)
    assert local.reference_cache(tmp_path / "scratch") is None


@pytest.mark.slow
def test_a_class_graded_with_the_cache_gets_the_records_it_gets_without_it(tmp_path, monkeypatch):
    """Two submissions in one batch (the second reads what the first stored) against each
    graded alone without a cache: the same records, timings aside."""
    from autograder.batch.run import run_batch
    from autograder.batch.settings import RESULTS_DIR, Settings
    from autograder.batch.store import record_name
    from autograder.engine.pipeline import grade_submission
    from autograder.results import SubmissionResult

    subs = tmp_path / "subs"
    for student in ("ann", "bob"):
        (subs / student).mkdir(parents=True)
        (subs / student / "resnet.py").write_text((ROOT / "solutions" / "resnet.py").read_text())
    broken = (subs / "bob" / "resnet.py").read_text().replace("return self.relu(out + identity)", "return self.relu(out)")
    assert broken != (subs / "bob" / "resnet.py").read_text()
    (subs / "bob" / "resnet.py").write_text(broken)
    settings = Settings(topics=("resnet",), profile="dev")
    run_batch(subs, tmp_path / "out", settings, workers=1, progress=False, report=False)

    def strip(data: dict) -> dict:
        data = SubmissionResult.from_dict(data).to_dict()
        for topic in data["topics"]:
            topic.pop("seconds", None)
            for prop in topic["properties"]:
                prop.pop("seconds", None)
        return {k: v for k, v in data.items() if k not in ("seconds", "submission")}

    monkeypatch.delenv(REFERENCE_CACHE_ENV, raising=False)
    for student in ("ann", "bob"):
        monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())  # computed afresh
        stored = json.loads((tmp_path / "out" / RESULTS_DIR / record_name(student)).read_text())
        alone = grade_submission(subs / student, ["resnet"], profile="dev").to_dict()
        assert strip(stored) == strip(alone), student
    assert json.loads((tmp_path / "out" / RESULTS_DIR / record_name("bob")).read_text())["score"] < \
        json.loads((tmp_path / "out" / RESULTS_DIR / record_name("ann")).read_text())["score"]


def test_a_dask_worker_keeps_the_cache_per_uid_and_tests_snapshot_in_a_folder_it_alone_owns(tmp_path, monkeypatch):
    from autograder.batch import cluster
    from autograder.batch.settings import Settings

    monkeypatch.setattr(cluster.tempfile, "gettempdir", lambda: str(tmp_path))
    settings = Settings(topics=("resnet",), tests_digest="ab" * 32)
    folder = cluster.machine_references(settings)
    assert folder == tmp_path / f"autograder-references-{os.geteuid()}" / ("ab" * 16)
    assert (os.stat(folder.parent).st_mode & 0o777) == 0o700
    assert cluster.machine_references(Settings(topics=("resnet",), tests_digest="../../etc")) is None
    os.chmod(folder.parent, 0o777)  # another user could swap what is inside
    assert cluster.machine_references(settings) is None


def test_a_pure_reference_function_runs_once_per_arguments_and_reads_back_the_same_value(cache, monkeypatch):
    calls = []

    @reference_cache.per_class
    def steps(params, grads, device, lr=0.1):
        calls.append(lr)
        return [{k: params[k] - lr * g[k] for k in params} for g in grads], (np.float64(lr), "ok")

    params = {"W1": np.random.default_rng(5).standard_normal((3, 2))}
    grads = [{"W1": np.ones((3, 2))}, {"W1": np.full((3, 2), 2.0)}]
    first = steps(params, grads, "cpu", lr=0.1)
    first[0][0]["W1"][...] = 0  # the caller's copy
    assert len(calls) == 1
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())
    again = steps(params, grads, "cpu", lr=0.1)
    assert len(calls) == 1 and len(list(cache.glob("*.msg"))) == 1
    np.testing.assert_array_equal(again[0][1]["W1"], params["W1"] - 0.2)
    assert again[1] == (0.1, "ok") and isinstance(again[1], tuple)
    steps(params, grads, "cpu", lr=0.2)
    steps({"W1": params["W1"] + 1e-12}, grads, "cpu", lr=0.1)
    assert len(calls) == 3
    for path in cache.glob("*.msg"):
        path.write_bytes(b"garbage")  # damaged: computed again
    monkeypatch.setattr(reference_cache, "_MEMORY", type(reference_cache._MEMORY)())
    np.testing.assert_array_equal(steps(params, grads, "cpu", lr=0.1)[0][1]["W1"], params["W1"] - 0.2)
    assert len(calls) == 4


def test_the_memory_of_a_process_is_bounded_by_the_bytes_it_keeps_least_recently_used_first(monkeypatch):
    memory = reference_cache._Memory()
    monkeypatch.setattr(reference_cache, "MEMORY_BYTES", 3 * 8000)
    for name in "abc":
        memory.keep(name, {"out": np.zeros(1000)})  # 8000 bytes each
    memory.keep("a", memory["a"])  # used again: now the most recent
    memory.keep("d", {"out": np.zeros(1000)})
    assert list(memory) == ["c", "a", "d"] and memory.size == 3 * 8000
    memory.keep("huge", {"out": np.zeros(10_000)})  # alone larger than the bound: kept alone
    assert list(memory) == ["huge"]
