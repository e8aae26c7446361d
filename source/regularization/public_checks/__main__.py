"""``python -m public_checks FILE_OR_FOLDER ...``: run the public checks on your modules."""

import sys

from . import run_checks

if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: python -m public_checks optimizers.py [more files or folders]")
        sys.exit(2)
    sys.exit(run_checks(sys.argv[1:]))
