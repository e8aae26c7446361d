"""``python -m public_checks [EXERCISE | FILE | FOLDER ...]``: run the public checks on your work.

With no argument, every exercise found from here: its ``.py`` or ``.ipynb`` in this folder, else
the bundle's ``modules/``. The same command works at the bundle's top, in ``modules/`` and in
each notebook's folder.
"""

import sys

from . import exercises_checked, find_targets, run_checks
from ._i18n import N_, _

USAGE = N_(
    "python -m public_checks [EXERCISE | FILE | FOLDER ...]: run the public checks on your work.\n\n"
    "With no argument, every exercise found from here: its .py or .ipynb in this folder, else the "
    "bundle's modules/. The same command works at the bundle's top, in modules/ and in each notebook's "
    "folder."
)

if __name__ == "__main__":
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        print(_(USAGE))
        sys.exit(0)
    if not exercises_checked():
        print(_("the exercises here have no public checks yet: try your functions on small examples"))
        sys.exit(1)
    sys.exit(run_checks(find_targets(sys.argv[1:])))
