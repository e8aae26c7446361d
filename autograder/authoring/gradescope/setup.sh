#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image: it installs
# Python, a CPU build of torch and the grader (from the bundle's source) into a venv.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
# shellcheck source=/dev/null
. "$SOURCE/grading.env"

if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv python3-pip util-linux
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --upgrade pip
# The CPU index first: a bare "torch" from PyPI would pull a multi-GB CUDA build.
"$ROOT/venv/bin/pip" install "torch==$TORCH_VERSION" --index-url https://download.pytorch.org/whl/cpu
"$ROOT/venv/bin/pip" install "$SOURCE"
# Fail the image build now, not at the first student, if the grader cannot start.
"$ROOT/venv/bin/python" -m autograder.cli --help >/dev/null
