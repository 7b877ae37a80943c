"""The command line: ``python -m web [options] mod:func [args...]`` and ``python -m web routes``.

``mod:func`` names a callable that takes the arguments the parser does not know and returns an
``Application`` (or an awaitable of one), as in aiohttp; ``mod:app`` naming an ``Application``
itself is accepted too.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from ._accesslog import access_logger
from ._cli_usage import UsageError
from ._run_app import NotAnApplicationError, _resolve_app, run_app

__all__ = ("main", "script")

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is out of range (0-65535)")
    return port


def _workers(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if count < 1:
        raise argparse.ArgumentTypeError("at least one worker is needed")
    return count


class _HelpFormatter(argparse.HelpFormatter):
    """Shows "(default: ...)" after options whose default means something."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def _serve_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve a web.Application. "
        f"'{prog} routes package.module:init_func' prints its route table instead.",
        epilog="Arguments the parser does not know are passed to the entry function.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "entry_func",
        metavar="package.module:init_func",
        help="callable taking the leftover arguments and returning a web.Application "
        "(or a web.Application itself)",
    )
    # -H/-P default to None so that combining them with -U can be told apart from defaults.
    parser.add_argument("-H", "--hostname", help="TCP/IP hostname to serve on (default: localhost)")
    parser.add_argument("-P", "--port", type=_port, help="TCP/IP port to serve on (default: 8080)")
    parser.add_argument(
        "-U", "--path", help="Unix socket path to serve on (instead of -H/-P)", default=None
    )
    parser.add_argument(
        "--reload",
        action="store_true",
        help="restart the server when a .py file under the app's directory changes "
        "(needs web-runner[reload])",
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="serve with N processes through gunicorn (needs web-runner[gunicorn])",
    )
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info", help="logging level")
    parser.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="log every request",
    )
    parser.add_argument(
        "--uvloop",
        action="store_true",
        help="run on uvloop's event loop (needs web-runner[uvloop])",
    )
    return parser


def _routes_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{prog} routes",
        description="Print the route table (method, path, name, handler), sub-apps included.",
        epilog="Arguments the parser does not know are passed to the entry function.",
    )
    parser.add_argument(
        "entry_func",
        metavar="package.module:init_func",
        help="a web.Application, or a callable returning one",
    )
    return parser


def _import_entry(entry: str) -> Any:
    module_name, sep, attr = entry.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"{entry!r} is not in 'package.module:init_func' syntax")
    if module_name.startswith("."):
        raise UsageError(f"relative module names are not supported: {module_name!r}")
    # A console script does not put the working directory on sys.path; `python -m` does.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        where = f"{os.path.basename(exc.filename or '?')}, line {exc.lineno}"
        raise UsageError(f"cannot import {module_name!r}: {exc.msg} ({where})") from None
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name!r}: {exc}") from None
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UsageError(f"module {module_name!r} has no attribute {attr!r}") from None


def build_app(entry: str, extra: list[str]) -> Any:
    """The entry's Application, or what its function returned (maybe an awaitable)."""
    from web_app import Application

    target = _import_entry(entry)
    if isinstance(target, Application):
        return target
    if not callable(target):
        raise UsageError(f"{entry!r} is not callable (nor a web.Application)")
    return target(extra)


def _fail(prog: str, message: str, status: int) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return status


def _main_routes(argv: list[str], prog: str) -> int:
    from ._cli_routes import format_routes

    parser = _routes_parser(prog)
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    try:
        built = build_app(args.entry_func, extra)
    except UsageError as exc:
        return _fail(prog, str(exc), 2)

    try:
        text = format_routes(asyncio.run(_resolve_app(built)))
    except NotAnApplicationError as exc:
        return _fail(prog, f"{args.entry_func} did not return a web.Application: {exc}", 2)
    print(text)
    return 0


def _new_uvloop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        raise UsageError("--uvloop needs uvloop: pip install 'web-runner[uvloop]'") from None
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m web") -> int:
    """Run the CLI; return the process exit status (0 after a graceful stop)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["routes"]:
        return _main_routes(args_list[1:], prog)
    parser = _serve_parser(prog)
    try:
        args, extra = parser.parse_known_args(args_list)
    except SystemExit as exc:  # --help, or argparse's own usage error (already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if args.path is not None:
        if args.hostname is not None or args.port is not None:
            return _fail(prog, "-U/--path cannot be combined with -H/--hostname or -P/--port", 2)
        if not hasattr(socket, "AF_UNIX"):
            return _fail(prog, "Unix socket paths are not supported on this platform", 2)
    if args.reload and args.workers > 1:
        return _fail(prog, "--reload and --workers cannot be combined", 2)
    host = args.hostname if args.hostname is not None else "localhost"
    port = args.port if args.port is not None else 8080
    if args.reload:
        from ._cli_reload import run_with_reload

        try:
            return run_with_reload(args.entry_func, _without_reload(args_list), prog)
        except UsageError as exc:
            return _fail(prog, str(exc), 2)
    logging.basicConfig(level=args.log_level.upper())
    if args.workers > 1:
        from ._cli_workers import serve_with_gunicorn

        bind = f"unix:{args.path}" if args.path is not None else f"{host}:{port}"
        try:
            _import_entry(args.entry_func)  # import errors on one line, before forking
            return serve_with_gunicorn(
                lambda: build_app(args.entry_func, extra),
                bind=bind,
                workers=args.workers,
                log_level=args.log_level,
                access_log=args.access_log,
                uvloop=args.uvloop,
            )
        except UsageError as exc:
            return _fail(prog, str(exc), 2)
    try:
        loop = _new_uvloop() if args.uvloop else None
        app = build_app(args.entry_func, extra)
    except UsageError as exc:
        return _fail(prog, str(exc), 2)
    tcp = (None, None) if args.path is not None else (host, port)
    access_log = access_logger if args.access_log else None
    try:
        run_app(app, host=tcp[0], port=tcp[1], path=args.path, access_log=access_log, loop=loop)
    except NotAnApplicationError as exc:
        return _fail(prog, f"{args.entry_func} did not return a web.Application: {exc}", 2)
    except OSError as exc:
        where = args.path if args.path is not None else f"{host}:{port}"
        return _fail(prog, f"cannot serve on {where}: {exc.strerror or exc}", 1)
    return 0


def _without_reload(argv: list[str]) -> list[str]:
    return [arg for arg in argv if arg != "--reload"]


def script() -> int:
    """The ``web`` console script."""
    return main(prog="web")
