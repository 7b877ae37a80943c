"""Listening sockets on free ports for test servers."""

from __future__ import annotations

import socket
import sys

__all__ = ("get_port_socket", "get_unused_port_socket", "unused_port")


def get_port_socket(host: str, port: int, family: socket.AddressFamily) -> socket.socket:
    """A TCP socket bound to ``(host, port)`` (port 0: the OS picks a free one).

    SO_REUSEADDR lets a test rebind the port of a server it just closed (TIME_WAIT); Windows
    gives that option a different, unsafe meaning, so it is left off there.
    """
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def get_unused_port_socket(
    host: str, family: socket.AddressFamily = socket.AF_INET
) -> socket.socket:
    """A socket bound to a free port of ``host``."""
    return get_port_socket(host, 0, family)


def unused_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (racy: prefer binding port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
