"""Before nbgrader reads a submission, links and special files in ``submitted/`` are moved
aside unread; a refused notebook becomes an empty one that says why."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.nbgrader_grade import REFUSED_DIR, REFUSED_KEY, quarantine_submissions


@pytest.fixture
def course(tmp_path):
    """A short path: a unix socket's whole path must fit in 108 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="agq-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_links_pipes_and_sockets_are_moved_aside_and_plain_files_stay(course):
    tmp_path = course
    sub = tmp_path / "submitted"
    alice = sub / "alice" / "optimization"
    alice.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), str(alice / "initialization.ipynb"))
    (alice / "notes.txt").write_text("mine")
    os.symlink("/etc/shadow", alice / "leak.txt")
    os.symlink("../../bob/optimization/optimizers.ipynb", alice / "optimizers.ipynb")
    os.mkfifo(alice / "timestamp.txt")
    (alice / "deep" / "er").mkdir(parents=True)
    bob = sub / "bob"
    bob.mkdir()
    os.symlink(alice.parent, sub / "mallory")
    os.symlink("/etc", bob / "optimization")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(alice / "deep" / "er" / "sock"))
        moved = quarantine_submissions(tmp_path, log=lambda message: None)
    assert sorted(m.split(":")[0] for m in moved) == sorted([
        "alice/optimization/leak.txt", "alice/optimization/optimizers.ipynb",
        "alice/optimization/timestamp.txt", "alice/optimization/deep/er/sock",
        "mallory", "bob/optimization"])
    assert any("optimizers.ipynb is a symbolic link" in m for m in moved)
    assert any("timestamp.txt is a FIFO" in m for m in moved)
    placeholder = nbformat.read(str(alice / "optimizers.ipynb"), as_version=4)
    assert "symbolic link" in placeholder.metadata[REFUSED_KEY]
    assert (alice / "notes.txt").read_text() == "mine"
    assert (alice / "initialization.ipynb").is_file()
    assert not os.path.lexists(alice / "leak.txt") and not os.path.lexists(sub / "mallory")
    assert os.path.islink(sub / REFUSED_DIR / "alice" / "optimization" / "leak.txt")
    assert quarantine_submissions(tmp_path, log=lambda message: None) == []


def test_no_submitted_folder_is_nothing_to_do(tmp_path):
    assert quarantine_submissions(tmp_path) == []
