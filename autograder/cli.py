"""``autograder`` command line. Each sub-command lives in ``autograder/commands/<name>.py``
with ``add_parser(subparsers)`` and ``run(args) -> int``; this file only discovers them."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from autograder import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Grade deep-learning exercises with Hypothesis properties against PyTorch.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from autograder.i18n import check_language, current_language, language

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # The command's language: --lang, else $AUTOGRADER_LANG (a bad value stops here).
        lang = check_language(args.lang) if getattr(args, "lang", None) else current_language()
    except ValueError as exc:  # the message itself must not need the language it names
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2
    # Restored after the command: a caller that runs several commands in one process (tests,
    # a notebook) keeps its own language.
    with language(lang):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from autograder.i18n import _
    from autograder.sandbox.client import GraderFault

    try:
        return int(args.run(args) or 0)
    except (ValueError, FileNotFoundError) as exc:
        print(_("autograder {command}: {error}").format(command=args.command, error=exc), file=sys.stderr)
        return 2
    except GraderFault as exc:  # outside any property (a worker that cannot start for ``check``)
        print(_("autograder {command}: grading error (not your code): {error}").format(
            command=args.command, error=exc), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130

if __name__ == "__main__":
    sys.exit(main())
