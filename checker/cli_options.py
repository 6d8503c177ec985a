"""Options shared by the ``imrcheck`` commands, their validation, and the top-level error handling.

Kept apart from ``cli.py`` (the commands) so that each command only names the options it takes.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

RULES_ENV = "IMRCHECK_RULES"


def _set_rules(value: Optional[Path]) -> Optional[Path]:
    """``--rules DIR``: the rules folder for this run (and its workers), as ``IMRCHECK_RULES`` would."""
    if value is not None:
        os.environ[RULES_ENV] = str(value)
    return value


def rules_option(*names: str):
    """``--rules DIR`` (eager: set before any other option or the command reads the catalog)."""
    return typer.Option(None, *(names or ("--rules",)), callback=_set_rules, is_eager=True, metavar="DIR",
                        help=f"Rules folder (default: ${RULES_ENV}, else the packaged checker/criteria/)")


def _check_workers(value: Optional[int]) -> Optional[int]:
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not a number of processes: give 1 or more", param_hint="'-j' / '--workers'")
    return value


def workers_option():
    return typer.Option(None, "--workers", "-j", callback=_check_workers,
                        help="Worker processes (default: all cores, at most 8; never more than the cores or the inputs)")


def _check_time_limit(value: float) -> float:
    if not value > 0:  # also NaN
        raise typer.BadParameter(f"{value:g} is not a time limit: give a number of seconds above 0", param_hint="'--time-limit'")
    return value


def time_limit_option():
    return typer.Option(30.0, "--time-limit", callback=_check_time_limit, help="Seconds allowed per letter (above 0)")


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"imrcheck {__version__}")
        raise typer.Exit(0)


def version_option():
    return typer.Option(False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit")


def catalog_errors() -> tuple[type[BaseException], ...]:
    """The errors of a broken rules folder or lexicon (only from modules already imported: no import cost)."""
    found = []
    for mod, name in (("checker.rules", "RuleError"), ("checker.facts", "LexiconError")):
        cls = getattr(sys.modules.get(mod), name, None)
        if cls is not None:
            found.append(cls)
    return tuple(found)


def run(app) -> None:
    """Run the typer app; a broken rule file or lexicon is one line naming file:line on stderr and exit 1, from
    whichever command read it (never a traceback). The process then ends without tearing down the interpreter
    (see :func:`fast_exit`)."""
    import gc

    # The collector off while the catalog, lexicon and models load (hundreds of thousands of objects, no garbage
    # cycles worth finding: 10-15 % of a one-note check); the batch runner turns it back on once loaded, before
    # its workers fork (checker.batch.map_paths). One-shot commands end with it off.
    gc.disable()
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:  # noqa: BLE001 - re-raised unless it is a catalog error
        known = catalog_errors()
        if not known or not isinstance(exc, known):
            raise
        from rich.console import Console
        from rich.markup import escape

        Console(stderr=True, width=None if sys.stderr.isatty() else 160).print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        code = 1
    fast_exit(code)


def fast_exit(code) -> None:
    """Exit after the exit handlers and a flush of stdout and stderr, but without the interpreter's teardown:
    freeing the loaded catalog, lexicon and engine object by object costs about a third of a one-note ``check``
    (0.13 s of 0.5 s measured). Every command has closed its files and joined its workers by now."""
    import atexit

    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    try:
        atexit._run_exitfuncs()
    except Exception:  # noqa: BLE001 - as the interpreter would, go on exiting
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can be written
            if stream is sys.stdout and code == 0:
                code = 120  # what the interpreter returns when flushing stdout fails at exit
    os._exit(code)
