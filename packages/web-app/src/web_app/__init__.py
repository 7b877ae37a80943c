"""web-app: requests, responses, the connection, the low-level server and Application."""

from __future__ import annotations

from . import payload as payload
from .__about__ import __version__ as __version__
from ._abc import AbstractStreamWriter as AbstractStreamWriter
from ._access_log import (
    ACCESS_LOG_FORMAT as ACCESS_LOG_FORMAT,
    AbstractAccessLogger as AbstractAccessLogger,
    AbstractAsyncAccessLogger as AbstractAsyncAccessLogger,
)
from ._app import web_logger as web_logger
from ._base_request import (
    BaseRequest as BaseRequest,
    FileField as FileField,
    PayloadAccessError as PayloadAccessError,
    RequestPayloadError as RequestPayloadError,
)

# --- request, response, exceptions (exports added below this line) ---
from ._exceptions import (
    HTTPAccepted as HTTPAccepted,
    HTTPBadGateway as HTTPBadGateway,
    HTTPBadRequest as HTTPBadRequest,
    HTTPClientError as HTTPClientError,
    HTTPConflict as HTTPConflict,
    HTTPCreated as HTTPCreated,
    HTTPError as HTTPError,
    HTTPException as HTTPException,
    HTTPExpectationFailed as HTTPExpectationFailed,
    HTTPFailedDependency as HTTPFailedDependency,
    HTTPForbidden as HTTPForbidden,
    HTTPFound as HTTPFound,
    HTTPGatewayTimeout as HTTPGatewayTimeout,
    HTTPGone as HTTPGone,
    HTTPInsufficientStorage as HTTPInsufficientStorage,
    HTTPInternalServerError as HTTPInternalServerError,
    HTTPLengthRequired as HTTPLengthRequired,
    HTTPMethodNotAllowed as HTTPMethodNotAllowed,
    HTTPMisdirectedRequest as HTTPMisdirectedRequest,
    HTTPMove as HTTPMove,
    HTTPMovedPermanently as HTTPMovedPermanently,
    HTTPMultipleChoices as HTTPMultipleChoices,
    HTTPNetworkAuthenticationRequired as HTTPNetworkAuthenticationRequired,
    HTTPNoContent as HTTPNoContent,
    HTTPNonAuthoritativeInformation as HTTPNonAuthoritativeInformation,
    HTTPNotAcceptable as HTTPNotAcceptable,
    HTTPNotExtended as HTTPNotExtended,
    HTTPNotFound as HTTPNotFound,
    HTTPNotImplemented as HTTPNotImplemented,
    HTTPNotModified as HTTPNotModified,
    HTTPOk as HTTPOk,
    HTTPPartialContent as HTTPPartialContent,
    HTTPPaymentRequired as HTTPPaymentRequired,
    HTTPPermanentRedirect as HTTPPermanentRedirect,
    HTTPPreconditionFailed as HTTPPreconditionFailed,
    HTTPPreconditionRequired as HTTPPreconditionRequired,
    HTTPProxyAuthenticationRequired as HTTPProxyAuthenticationRequired,
    HTTPRedirection as HTTPRedirection,
    HTTPRequestEntityTooLarge as HTTPRequestEntityTooLarge,
    HTTPRequestHeaderFieldsTooLarge as HTTPRequestHeaderFieldsTooLarge,
    HTTPRequestRangeNotSatisfiable as HTTPRequestRangeNotSatisfiable,
    HTTPRequestTimeout as HTTPRequestTimeout,
    HTTPRequestURITooLong as HTTPRequestURITooLong,
    HTTPResetContent as HTTPResetContent,
    HTTPSeeOther as HTTPSeeOther,
    HTTPServerError as HTTPServerError,
    HTTPServiceUnavailable as HTTPServiceUnavailable,
    HTTPSuccessful as HTTPSuccessful,
    HTTPTemporaryRedirect as HTTPTemporaryRedirect,
    HTTPTooManyRequests as HTTPTooManyRequests,
    HTTPUnauthorized as HTTPUnauthorized,
    HTTPUnavailableForLegalReasons as HTTPUnavailableForLegalReasons,
    HTTPUnprocessableEntity as HTTPUnprocessableEntity,
    HTTPUnsupportedMediaType as HTTPUnsupportedMediaType,
    HTTPUpgradeRequired as HTTPUpgradeRequired,
    HTTPUseProxy as HTTPUseProxy,
    HTTPVariantAlsoNegotiates as HTTPVariantAlsoNegotiates,
    HTTPVersionNotSupported as HTTPVersionNotSupported,
)
from ._formdata import FormData as FormData
from ._handler_config import server_logger as server_logger
from ._log_names import (
    AIOHTTP_LOGGER_NAMES as AIOHTTP_LOGGER_NAMES,
    use_aiohttp_logger_names as use_aiohttp_logger_names,
)
from ._multipart_writer import MultipartWriter as MultipartWriter
from ._response import (
    Response as Response,
    json_bytes_response as json_bytes_response,
    json_response as json_response,
)
from ._response_coding import ContentCoding as ContentCoding
from ._sse import EventSourceResponse as EventSourceResponse, sse_response as sse_response
from ._stream_response import (
    PrepareCallback as PrepareCallback,
    StreamResponse as StreamResponse,
)

# isort: split
# --- connection, writer, low-level server (exports added below this line) ---
from ._compression import Compressor as Compressor
from ._connection_state import ConnState as ConnState
from ._protocol import RequestHandler as RequestHandler
from ._server import Server as Server
from ._types import RequestConnection as RequestConnection
from ._writer import PayloadWriter as PayloadWriter

# isort: split
# --- application, middlewares, views, keys, dispatcher (exports added below this line) ---
from ._app import (
    Application as Application,
    CleanupError as CleanupError,
    Handler as Handler,
    Middleware as Middleware,
    Request as Request,
)
from ._compression_middleware import (
    DEFAULT_COMPRESSIBLE_TYPES as DEFAULT_COMPRESSIBLE_TYPES,
    compression_middleware as compression_middleware,
)
from ._dispatcher import UrlDispatcher as UrlDispatcher
from ._forwarded_middleware import forwarded_middleware as forwarded_middleware
from ._keys import (
    AppKey as AppKey,
    ChainMapProxy as ChainMapProxy,
    NotAppKeyWarning as NotAppKeyWarning,
    RequestKey as RequestKey,
    ResponseKey as ResponseKey,
)
from ._middlewares import (
    middleware as middleware,
    normalize_path_middleware as normalize_path_middleware,
)
from ._view import AbstractView as AbstractView, View as View
