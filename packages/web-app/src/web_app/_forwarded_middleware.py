"""``forwarded_middleware``: trust proxy headers only from the proxies you run.

Behind a reverse proxy ``request.remote`` is the proxy and ``scheme``/``host`` are what
the proxy used. The proxy says what the client used in ``Forwarded`` (RFC 7239) or the
``X-Forwarded-For``/``-Proto``/``-Host`` trio, but any client can send those headers too.
So they are read only when the connection comes from a trusted network, and only as far
back as ``hops`` trusted proxies vouch for: each hop is believed only if the address to
its right (the peer, then each proxy it named) is trusted. The handler then sees a clone
of the request with ``remote``, ``scheme`` (so ``secure``) and ``host`` replaced.

A malformed chain from a trusted peer is answered 400: guessing which part is right would
let a client choose its own address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from multidict import istr
from web_http import (
    check_host,
    parse_forwarded_strict,
    parse_node,
    parse_x_forwarded,
    parse_x_forwarded_for,
)

from ._app import Handler, Middleware
from ._exceptions import HTTPBadRequest
from ._middlewares import middleware

if TYPE_CHECKING:
    from ._app import Request
    from ._stream_response import StreamResponse

__all__ = ("forwarded_middleware",)

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FORWARDED: Final = istr("Forwarded")
_XFF: Final = istr("X-Forwarded-For")
_XFP: Final = istr("X-Forwarded-Proto")
_XFH: Final = istr("X-Forwarded-Host")
#: The name that trusts peers on a Unix socket (a proxy on the same machine).
UNIX: Final = "unix"


def _networks(trusted: Iterable[str | _Network]) -> tuple[tuple[_Network, ...], bool]:
    nets: list[_Network] = []
    unix = False
    for item in trusted:
        if isinstance(item, str) and item.lower() == UNIX:
            unix = True
            continue
        try:
            nets.append(
                item if not isinstance(item, str) else ipaddress.ip_network(item, strict=False)
            )
        except ValueError as exc:
            raise ValueError(f"trusted entries are networks or 'unix', got {item!r}") from exc
    return tuple(nets), unix


def forwarded_middleware(
    *,
    trusted: Iterable[str | _Network],
    forwarded: bool = True,
    x_forwarded: bool = True,
    hops: int = 1,
) -> Middleware:
    """A middleware taking the client's address, scheme and host from trusted proxies.

    ``trusted`` lists the proxies' networks (``"10.0.0.0/8"``, ``"::1"``) and ``"unix"``
    for a proxy connecting over a Unix socket. ``forwarded`` reads the RFC 7239 header,
    ``x_forwarded`` the ``X-Forwarded-*`` ones (``Forwarded`` wins when both are
    present). ``hops`` is how many proxies stand in front of the app. Requests from
    untrusted peers pass unchanged; a malformed header from a trusted one is a 400.
    """
    if hops < 1:
        raise ValueError("hops must be at least 1")
    if not (forwarded or x_forwarded):
        raise ValueError("enable forwarded, x_forwarded or both")
    nets, trust_unix = _networks(trusted)
    if not nets and not trust_unix:
        raise ValueError("trusted must name at least one network (or 'unix')")

    def is_trusted(address: str | None) -> bool:
        if not address:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in nets)

    def peer_trusted(request: Request) -> bool:
        if trust_unix:
            sock = request.get_extra_info("socket")
            if sock is not None and getattr(sock, "family", None) == socket.AF_UNIX:
                return True
        return is_trusted(request.remote)

    def walk(addresses: list[str]) -> int:
        """How many entries, from the right, the trusted hops vouch for (>= 1)."""
        steps = 1
        while steps < hops and steps < len(addresses) and is_trusted(addresses[-steps]):
            steps += 1
        return steps

    def from_forwarded(request: Request) -> dict[str, str] | None:
        values = request.headers.getall(_FORWARDED, ())
        if not values:
            return None
        elems = parse_forwarded_strict(values)
        fors = []
        for elem in elems:
            node = elem.get("for")
            if node is None:
                raise ValueError("a Forwarded element without for=")
            try:
                fors.append(parse_node(node))
            except ValueError:
                raise ValueError(f"Forwarded for= is not a node: {node!r}") from None
        steps = walk(fors)
        elem = elems[-steps]
        changes = {"remote": fors[-steps]}
        proto = elem.get("proto")
        if proto is not None:
            if proto.lower() not in ("http", "https"):
                raise ValueError(f"unknown proto in Forwarded: {proto!r}")
            changes["scheme"] = proto.lower()
        host = elem.get("host")
        if host is not None:
            changes["host"] = check_host(host)
        return changes

    def from_x_forwarded(request: Request) -> dict[str, str] | None:
        headers = request.headers
        chain = parse_x_forwarded_for(headers.getall(_XFF, ()))
        protos = parse_x_forwarded(headers.getall(_XFP, ()), "X-Forwarded-Proto")
        hosts = parse_x_forwarded(headers.getall(_XFH, ()), "X-Forwarded-Host")
        if not (chain or protos or hosts):
            return None
        changes: dict[str, str] = {}
        steps = 1
        if chain:
            steps = walk(chain)
            changes["remote"] = chain[-steps]
        if protos:
            changes["scheme"] = protos[-min(steps, len(protos))]
        if hosts:
            changes["host"] = hosts[-min(steps, len(hosts))]
        return changes

    @middleware
    async def proxy_headers(request: Request, handler: Handler) -> StreamResponse:
        if not peer_trusted(request):
            return await handler(request)
        try:
            changes = from_forwarded(request) if forwarded else None
            if changes is None and x_forwarded:
                changes = from_x_forwarded(request)
        except ValueError as exc:
            raise HTTPBadRequest(text=f"Bad proxy headers: {exc}") from None
        if not changes:
            return await handler(request)
        return await handler(request.clone(**changes))

    return proxy_headers
