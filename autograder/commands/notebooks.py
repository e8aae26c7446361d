"""``autograder notebooks``: build a course's nbgrader source notebooks from the solutions (or
check them), in English or, with ``--lang zh``, with the Chinese teaching text (into a folder of
their own, ``--output DIR``), or set up an instructor's course folder with ``--course DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.authoring.notebooks import LANGS
from autograder.commands import absolute


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notebooks", help="generate the nbgrader source notebooks from the solutions",
                       description="Write source/<assignment>/<module>.ipynb for every solution module, "
                                   "with the public checks and course helpers beside them, in the course "
                                   "folder this runs in (else this package's).")
    p.add_argument("--source", type=absolute, default=None,
                   help="the course's source folder (default: that of the course folder this runs "
                        "in or above it, else this package's)")
    p.add_argument("--solutions", type=absolute, default=None,
                   help="default: the course's solutions/, else this package's")
    p.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="the language of the notebooks' text (default: that of the course's notebooks, "
                        "en for this package's and with --output); the code, the stubs' docstrings "
                        "included, stays the same. This package's own source/ is English: build "
                        "another language with --output DIR")
    p.add_argument("--output", type=absolute, default=None, metavar="DIR",
                   help="write the notebooks into DIR/<assignment>/ (with the public checks, course "
                        "helpers and the course's nbgrader_config.py) instead of the course's source/")
    p.add_argument("--course", type=absolute, default=None, metavar="DIR",
                   help="instead: copy nbgrader_config.py and the assignments into the course folder DIR")
    p.add_argument("--assignments", default=None,
                   help="with --course: comma-separated assignments (default: all)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograder.authoring.course_folder import PACKAGE_ROOT, course_of_source, find_course
    from autograder.authoring.notebooks import ASSIGNMENTS, course_language, generate, make_course
    from autograder.i18n import _

    course = course_of_source(args.source) if args.source else find_course()
    if args.course and (args.output or args.lang):
        print(_("--course copies the course's notebooks as they are: build them first "
                "(--lang, --output), then pass that folder as --source"))
        return 2
    # An instructor's course keeps the language its notebooks were built in.
    if args.lang is None:
        args.lang = course_language(course.source) if args.output is None and not course.is_package else "en"
    if args.output is None and args.lang != "en" and course.is_package:
        print(_("this package's source/ is its English course (tests check it): "
                "build the {lang} notebooks into a folder of their own with --output DIR").format(
                    lang=args.lang))
        return 2
    if args.course:
        wanted = [a.strip() for a in args.assignments.split(",")] if args.assignments else None
        made = make_course(Path(args.course), course.source, wanted, course.config)
        print(_("course folder {folder}: nbgrader_config.py and source/{{{assignments}}}").format(
            folder=args.course, assignments=",".join(made)))
        first = made[0] if made else "ASSIGNMENT"
        print(_("next: cd {folder} && nbgrader generate_assignment {assignment} --create").format(
            folder=args.course, assignment=first))
        return 0
    solutions = Path(args.solutions) if args.solutions else course.solutions or PACKAGE_ROOT / "solutions"
    # An instructor's course: the assignments it has, and the files they added to them are theirs
    # (pruned in this package only).
    if args.output is not None:
        # A folder of its own: every assignment, the course's config beside them; nothing pruned.
        target = Path(args.output)
        stale = generate(target, solutions, check=args.check, prune=False, lang=args.lang,
                         config=course.config)
    else:
        target = course.source
        topics = None if course.is_package else \
            [t for a, members in ASSIGNMENTS.items() if (course.source / a).is_dir() for t in members]
        stale = generate(target, solutions, topics=topics, check=args.check, prune=course.is_package,
                         lang=args.lang)
    shown = _("stale: {path}") if args.check else _("written: {path}")
    for path in stale:
        print(shown.format(path=path))
    if not stale:
        print(_("notebooks of {folder} are up to date").format(folder=target))
    return 1 if (args.check and stale) else 0
