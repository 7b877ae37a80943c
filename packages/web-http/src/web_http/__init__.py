"""web-http: a strict, fast, sans-IO HTTP/1.1 layer: parser, serializer, helpers, streams."""

from __future__ import annotations

# --- parser, serializer, errors, hdrs, decoders (exports added below this line) ---
from . import hdrs as hdrs
from .__about__ import __version__ as __version__

# --- header helpers, body streams, form and multipart (exports added below this line) ---
from ._accept_encoding import (
    choose_encoding as choose_encoding,
    parse_accept_encoding as parse_accept_encoding,
)
from ._content_disposition import (
    content_disposition_filename as content_disposition_filename,
    content_disposition_header as content_disposition_header,
    parse_content_disposition as parse_content_disposition,
)
from ._content_type import parse_content_type as parse_content_type
from ._cookies import (
    blank_morsel as blank_morsel,
    format_set_cookie as format_set_cookie,
    morsel_to_set_cookie as morsel_to_set_cookie,
    parse_cookie_header as parse_cookie_header,
)
from ._decoders import (
    ContentDecoder as ContentDecoder,
    make_decoder as make_decoder,
    supported_encodings as supported_encodings,
)
from ._errors import (
    BadHttpMessage as BadHttpMessage,
    BadHttpMethod as BadHttpMethod,
    BadStatusLine as BadStatusLine,
    ContentEncodingError as ContentEncodingError,
    ContentLengthError as ContentLengthError,
    HeaderFieldsTooLarge as HeaderFieldsTooLarge,
    HttpProcessingError as HttpProcessingError,
    HttpVersionNotSupported as HttpVersionNotSupported,
    InvalidHeader as InvalidHeader,
    InvalidURLError as InvalidURLError,
    LineTooLong as LineTooLong,
    PayloadEncodingError as PayloadEncodingError,
    PayloadTooLarge as PayloadTooLarge,
    TransferEncodingError as TransferEncodingError,
    UnsupportedTransferCoding as UnsupportedTransferCoding,
)
from ._etag import ETAG_ANY as ETAG_ANY, ETag as ETag, parse_etag_list as parse_etag_list
from ._events import (
    Data as Data,
    EndOfMessage as EndOfMessage,
    RequestHead as RequestHead,
    ResponseHead as ResponseHead,
)
from ._formdata import parse_urlencoded as parse_urlencoded
from ._forwarded import parse_forwarded as parse_forwarded
from ._http_dates import parse_http_date as parse_http_date
from ._limits import HttpLimits as HttpLimits
from ._multipart import (
    BodyPartReader as BodyPartReader,
    MultipartError as MultipartError,
    MultipartReader as MultipartReader,
)
from ._parser_base import Event as Event
from ._proxy_headers import (
    MAX_HOPS as MAX_HOPS,
    check_host as check_host,
    parse_forwarded_strict as parse_forwarded_strict,
    parse_node as parse_node,
    parse_x_forwarded as parse_x_forwarded,
    parse_x_forwarded_for as parse_x_forwarded_for,
)
from ._ranges import parse_range as parse_range
from ._request_parser import HttpRequestParser as HttpRequestParser
from ._response_parser import HttpResponseParser as HttpResponseParser
from ._serializer import (
    ChunkedEncoder as ChunkedEncoder,
    http_date as http_date,
    reason_phrase as reason_phrase,
    serialize_request_head as serialize_request_head,
    serialize_response_head as serialize_response_head,
)
from ._streams import (
    EMPTY_PAYLOAD as EMPTY_PAYLOAD,
    EmptyStreamReader as EmptyStreamReader,
    EofStream as EofStream,
    FlowControl as FlowControl,
    StreamReader as StreamReader,
)
from ._version import (
    HttpVersion as HttpVersion,
    HttpVersion10 as HttpVersion10,
    HttpVersion11 as HttpVersion11,
)
