"""What the endpoint reads from a WSGI request, the same way for every service it answers (Macie, STS):
the body, within the size limit, and the caller its SigV4 signature proves.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from . import auth
from .backend import Caller
from .exceptions import RequestEntityTooLarge, SerializationException
from .http import MAX_BODY_BYTES
from .sessions import Keys


def read_body(environ: dict[str, Any]) -> bytes:
    """The request's body, refused past ``MAX_BODY_BYTES``."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise SerializationException("Content-Length is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    return environ["wsgi.input"].read(length) if length > 0 else b""


def headers_of(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers by lower-case name, as received."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    return headers


def caller_of(
    environ: dict[str, Any],
    headers: Mapping[str, str],
    body: bytes,
    keys: Keys,
    regions: tuple[str, ...],
    service: str,
) -> Caller:
    """The verified caller of a request signed for ``service``, or the AWS error that refuses it."""
    return auth.authenticate(
        environ["REQUEST_METHOD"],
        environ.get("RAW_URI", environ.get("PATH_INFO", "/")).split("?")[0] or "/",
        environ.get("QUERY_STRING", ""),
        headers,
        body,
        keys,
        regions,
        service=service,
    )


#: Reason phrases of the statuses the endpoint answers with.
REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_line(status: int) -> str:
    """A WSGI status line, such as ``403 Forbidden``."""
    return f"{status} {REASONS.get(status, 'Error')}"


def log_line(action: str, account: str, status: str, started: float) -> str:
    """The request log's line for one request, begun at ``started`` (``time.perf_counter()``)."""
    ms = (time.perf_counter() - started) * 1000
    return f"macie-local action={action} account={account} status={status} ms={ms:.1f}"
