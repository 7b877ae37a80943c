"""Compiled grammar of HTTP/1.1 messages, each regex next to the RFC text it encodes.

All patterns work on bytes: the parser validates raw input before decoding anything.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = (
    "TOKEN_RE",
    "HEAD_FORBIDDEN_RE",
    "BARE_CR_LF_RE",
    "VERSION_RE",
    "TARGET_RE",
    "ABSOLUTE_FORM_RE",
    "AUTHORITY_FORM_RE",
    "HOST_RE",
    "CHUNK_LINE_RE",
    "STATUS_CODE_RE",
    "REASON_RE",
    "CONTENT_LENGTH_RE",
)

# RFC 9110 5.6.2:
#   token = 1*tchar
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
_TCHAR: Final = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]"
TOKEN_RE: Final = re.compile(_TCHAR + rb"+")

# RFC 9110 5.5: field-value = *field-content; field-vchar = VCHAR / obs-text, with SP and
# HTAB allowed inside. "Field values containing CR, LF, or NUL characters are invalid and
# dangerous". No other control (0x00-0x1F except HTAB, and 0x7F) may appear anywhere in a
# head either: request line and field names are stricter still. CR and LF are checked
# separately (they are the line terminators), so this class leaves them out.
HEAD_FORBIDDEN_RE: Final = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# RFC 9112 2.2: "A sender MUST NOT generate a bare CR (a CR character not immediately
# followed by LF)"; we also refuse a bare LF as a line terminator (the RFC allows a
# recipient to accept one; accepting it is how request smuggling between parsers starts).
# The CR branch needs the next byte present, so an incomplete buffer ending in CR is fine.
BARE_CR_LF_RE: Final = re.compile(rb"(?<!\r)\n|\r[^\n]")

# RFC 9112 2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT
VERSION_RE: Final = re.compile(rb"HTTP/([0-9])\.([0-9])")

# RFC 9112 3.2: request-target in origin-form (absolute-path [ "?" query ]) and the other
# forms are made of URI characters only. We accept any VCHAR (0x21-0x7E) so real clients
# sending unescaped "|", "{" or "[" still work, and refuse everything else (space,
# controls, non-ASCII).
TARGET_RE: Final = re.compile(rb"[\x21-\x7e]+")

# RFC 9112 3.2.2: absolute-form = absolute-URI; RFC 3986 3.1:
#   scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
ABSOLUTE_FORM_RE: Final = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]*://[\x21-\x7e]*")

# RFC 9112 3.2.3: authority-form = uri-host ":" port (CONNECT only; the port is required).
# RFC 3986 3.2.2: host = IP-literal / IPv4address / reg-name
#   reg-name = *( unreserved / pct-encoded / sub-delims )
_REG_NAME: Final = rb"[A-Za-z0-9\-._~!$&'()*+,;=%]*"
_IP_LITERAL: Final = rb"\[[0-9A-Za-z:.\-_~!$&'()*+,;=%]+\]"
AUTHORITY_FORM_RE: Final = re.compile(rb"(?:" + _IP_LITERAL + rb"|" + _REG_NAME + rb"):[0-9]+")

# RFC 9110 7.2: Host = uri-host [ ":" port ]  (the value may be empty, RFC 9112 3.2)
HOST_RE: Final = re.compile(rb"(?:" + _IP_LITERAL + rb"|" + _REG_NAME + rb")(?::[0-9]*)?")

# RFC 9112 7.1:
#   chunk-size = 1*HEXDIG
#   chunk-ext  = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
#   chunk-ext-val = token / quoted-string
# RFC 9110 5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
_QUOTED: Final = rb'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
_BWS: Final = rb"[ \t]*"
CHUNK_LINE_RE: Final = re.compile(
    rb"([0-9A-Fa-f]+)((?:"
    + _BWS
    + rb";"
    + _BWS
    + _TCHAR
    + rb"+(?:"
    + _BWS
    + rb"="
    + _BWS
    + rb"(?:"
    + _TCHAR
    + rb"+|"
    + _QUOTED
    + rb"))?)*)"
)

# RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
#   status-code = 3DIGIT; reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
STATUS_CODE_RE: Final = re.compile(rb"[0-9]{3}")
REASON_RE: Final = re.compile(rb"[\t \x21-\x7e\x80-\xff]*")

# RFC 9110 8.6: Content-Length = 1*DIGIT (bounded here: 18 digits stay below 2**63).
CONTENT_LENGTH_RE: Final = re.compile(rb"[0-9]{1,18}")
