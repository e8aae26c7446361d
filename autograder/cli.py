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
    from autograder.client import GraderFault
    from autograder.i18n import _, current_language, set_language

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # The command's language: --lang, else $AUTOGRADER_LANG (a bad value stops here).
        set_language(getattr(args, "lang", None))
        current_language()
    except ValueError as exc:
        set_language("en")  # the message itself must not need the language it names
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2
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
