"""The development command line: ``python -m web [-H HOST] [-P PORT] [-U PATH] mod:func``."""

from __future__ import annotations

import argparse
import importlib
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._run_app import NotAnApplicationError, run_app

__all__ = ("main",)


class _UsageError(Exception):
    """A mistake on the command line: reported on one line, exit status 2."""


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve a web.Application for development.",
        epilog="Arguments the parser does not know are passed to the entry function.",
    )
    parser.add_argument(
        "entry_func",
        metavar="package.module:init_func",
        help="importable callable taking the leftover arguments and returning a web.Application",
    )
    parser.add_argument("-H", "--hostname", default="localhost", help="TCP/IP hostname to serve on")
    parser.add_argument("-P", "--port", type=int, default=8080, help="TCP/IP port to serve on")
    parser.add_argument("-U", "--path", help="Unix socket path to serve on (replaces -H/-P)")
    return parser


def _load(entry: str) -> Callable[[list[str]], Any]:
    module_name, sep, func_name = entry.partition(":")
    if not sep or not module_name or not func_name:
        raise _UsageError(f"{entry!r} is not in 'package.module:init_func' syntax")
    if module_name.startswith("."):
        raise _UsageError(f"relative module names are not supported: {module_name!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _UsageError(f"cannot import {module_name!r}: {exc}") from None
    try:
        func = getattr(module, func_name)
    except AttributeError:
        raise _UsageError(f"module {module_name!r} has no attribute {func_name!r}") from None
    if not callable(func):
        raise _UsageError(f"{entry!r} is not callable")
    loaded: Callable[[list[str]], Any] = func
    return loaded


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m web") -> int:
    """Run the CLI; return the process exit status (0 after a graceful stop)."""
    parser = _parser(prog)
    try:
        args, extra = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, or argparse's own usage error (already printed)
        return exc.code if isinstance(exc.code, int) else 2

    def fail(message: str, status: int) -> int:
        print(f"{prog}: error: {message}", file=sys.stderr)
        return status

    if args.path is not None and not hasattr(socket, "AF_UNIX"):
        return fail("Unix socket paths are not supported on this platform", 2)
    try:
        init_func = _load(args.entry_func)
    except _UsageError as exc:
        return fail(str(exc), 2)
    logging.basicConfig(level=logging.INFO)
    app = init_func(extra)
    host, port = (None, None) if args.path is not None else (args.hostname, args.port)
    try:
        run_app(app, host=host, port=port, path=args.path)
    except NotAnApplicationError as exc:
        return fail(f"{args.entry_func} did not return a web.Application: {exc}", 2)
    except OSError as exc:
        where = args.path if args.path is not None else f"{host}:{port}"
        return fail(f"cannot serve on {where}: {exc.strerror or exc}", 1)
    return 0
