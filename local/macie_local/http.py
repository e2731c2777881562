"""The HTTP server of ``macie-local``: cheroot serving the endpoint's WSGI application, behind a
middleware that reads each request body whole before the application runs.

cheroot (CherryPy's server) keeps connections alive, as AWS's endpoints do and as botocore expects,
parks idle ones in a selector rather than in a thread, and answers what is wrong with a request
before its body: 400 for a bad request line, header line or ``Content-Length``, 413 for a
``Content-Length`` over the body limit (before any of the body is read) or headers over theirs, 501
for a transfer coding other than chunked, 505 for an HTTP version other than 1.x; and 408 for a body
that stops arriving for the idle timeout (the read's timeout passes through the middleware).

The middleware (``_WholeBody``) reads each body in full, within the limit, before calling the
application, so the application sees a plain, complete body and the next request on the connection
starts clean. A body it cannot read whole is answered by the middleware, and the connection closed,
without the application seeing any of it: 413 for a chunk whose declared size would cross the limit
(before the chunk is read), 400 for bad chunked framing, and 400 ``IncompleteBody`` for a body cut
short by the client going away (as S3 keeps no incomplete upload). The middleware also gives the
application a way to have the connection dropped unanswered (``DROP_KEY``) for fault injection.

All of it goes through cheroot's constructor, its documented settings and the WSGI interface, but for
three behaviours of cheroot that nothing public offers. They are kept together in the last section of
this module, and ``tests/test_endpoint_http_cheroot.py`` fails, naming the behaviour, if a cheroot
release changes one of them.
"""

from __future__ import annotations

import errno
import io
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cheroot import errors
from cheroot.wsgi import Server as _CherootServer

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]
#: A callable the application calls to have its request's connection closed unanswered (fault
#: injection); it then returns an empty body without calling ``start_response``, and the connection is
#: closed, with nothing sent, as the application returns.
DROP_KEY = "macie_local.drop"
#: Largest request body accepted (a full Macie request of 10,000-character prefixes fits many times over).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Largest request line plus headers accepted.
MAX_HEADER_BYTES = 64 * 1024
#: Seconds a connection may stay idle, or a request take to arrive, before the server closes it.
IDLE_TIMEOUT = 30
#: Kept-alive connections at most (cheroot's default, 10, would close the 11th client's after each request).
MAX_KEPT_ALIVE = 1024
#: Seconds a stop waits for requests in progress to finish.
STOP_TIMEOUT = 5

_BAD_REQUEST = "400 Bad Request"
_MALFORMED_CONTENT_LENGTH = "Malformed Content-Length Header."


class _Refusal(Exception):
    """A request whose body cannot be read whole: answered ``status`` with ``detail``, then closed."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(status, detail)
        self.status = status
        self.detail = detail


def _too_large(max_body_bytes: int) -> _Refusal:
    return _Refusal("413 Request Entity Too Large", f"The request body is larger than {max_body_bytes} bytes.")


def _refuse(refusal: _Refusal, start_response: StartResponse) -> Iterator[bytes]:
    """Answer a refused request, then close the connection: what is left of its body is unread."""
    payload = refusal.detail.encode("latin-1", "replace")
    headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(payload))), ("Connection", "close")]
    start_response(refusal.status, headers)
    yield payload
    raise _close_connection()


class _Drop:
    """``environ[DROP_KEY]``: records that the application wants its connection dropped unanswered."""

    __slots__ = ("wanted",)

    def __init__(self) -> None:
        self.wanted = False

    def __call__(self) -> None:
        self.wanted = True


class _WholeBody:
    """WSGI middleware: reads the request body in full, within ``max_body_bytes``, before ``app`` runs.

    ``app`` gets the body as a ``BytesIO`` with its ``CONTENT_LENGTH``, the request-target as sent in
    ``RAW_URI`` (what SigV4 signs), and ``environ[DROP_KEY]``.
    """

    def __init__(self, app: WSGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self._read(environ)
        except _Refusal as refusal:
            return _refuse(refusal, start_response)
        environ["RAW_URI"] = environ["REQUEST_URI"]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = False
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        drop = environ[DROP_KEY] = _Drop()
        response = self.app(environ, start_response)
        if drop.wanted:
            close = getattr(response, "close", None)
            if close is not None:
                close()
            # Nothing is sent yet: under WSGI the status goes out with the first chunk of the body.
            raise _close_connection()
        return response

    def _read(self, environ: dict[str, Any]) -> bytes:
        # A body that stops arriving raises TimeoutError, left to cheroot to answer 408.
        if environ.get("wsgi.input_terminated"):  # the server decoded the framing: a chunked body
            return _read_chunked(environ["wsgi.input"], self.max_body_bytes)
        return self._read_known_length(environ)

    def _read_known_length(self, environ: dict[str, Any]) -> bytes:
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)  # read as cheroot reads it, to frame the body
        except ValueError:
            raise _Refusal(_BAD_REQUEST, _MALFORMED_CONTENT_LENGTH) from None
        if declared < 0:
            raise _Refusal(_BAD_REQUEST, _MALFORMED_CONTENT_LENGTH)
        if declared > self.max_body_bytes:  # (cheroot answers this itself before the application runs)
            raise _too_large(self.max_body_bytes)
        stream = environ["wsgi.input"]
        parts = []
        remaining = declared
        while remaining:
            part = stream.read(remaining)
            if not part:
                # The client went away before sending the whole body (a killed `pulumi up` uploading its
                # checkpoint): none of it reaches the application, as S3 keeps no incomplete upload.
                raise _Refusal(
                    _BAD_REQUEST,
                    f"IncompleteBody: the body ended after {declared - remaining} of the {declared} bytes"
                    " its Content-Length gave.",
                )
            parts.append(part)
            remaining -= len(part)
        return b"".join(parts)


class WSGIServer:
    """Serve ``app`` on (host, port) with cheroot: a pool of threads, connections kept alive.

    The socket is bound on construction (``server_port`` is the port, also when 0 was asked for);
    ``serve_forever()`` serves until ``shutdown()``, which lets requests in progress finish.
    """

    def __init__(
        self,
        host: str,
        port: int,
        app: WSGIApp,
        max_body_bytes: int = MAX_BODY_BYTES,
        idle_timeout: int = IDLE_TIMEOUT,
    ) -> None:
        server = _Server(
            (host, port),
            _WholeBody(app, max_body_bytes),
            numthreads=16,
            request_queue_size=128,
            timeout=idle_timeout,
            shutdown_timeout=STOP_TIMEOUT,
            server_name="macie-local",
        )
        server.max_request_body_size = max_body_bytes
        server.max_request_header_size = MAX_HEADER_BYTES
        server.keep_alive_conn_limit = MAX_KEPT_ALIVE
        server.expiration_interval = 0.05  # how long the serving loop may take to notice a stop
        server.nodelay = True
        server.prepare()
        self._server = server
        self._stopping = threading.Lock()
        self.server_port: int = server.bind_addr[1]

    def serve_forever(self) -> None:
        self._server.serve()

    def shutdown(self) -> None:
        """Stop accepting, let requests in progress finish (up to ``STOP_TIMEOUT``), close the socket.

        Returns once all that is done, also when another thread's stop is under way; then idempotent.
        """
        with self._stopping:
            self._server.stop()

    server_close = shutdown


# --- What this module relies on in cheroot beyond WSGI and its documented settings ----------------
# Nothing public offers these three. tests/test_endpoint_http_cheroot.py pins each against cheroot
# itself and fails, naming the behaviour, if a cheroot release changes it; it also pins the two keys of
# cheroot's environ used above: ``wsgi.input_terminated`` marking a chunked body, and ``REQUEST_URI``.


def _read_chunked(stream: Any, max_body_bytes: int) -> bytes:
    """A chunked body, trailers read too, from cheroot's ``wsgi.input`` for it (``server.ChunkedRFile``).

    cheroot applies ``max_request_body_size`` as it reads the framing: a size line taking the bytes
    read past it raises ``errors.MaxSizeExceeded``; a chunk whose declared size would take them past it
    (before any of the chunk is read), or a trailer that does, raises a bare ``OSError``. That one
    carries no errno, where a real socket error has one (and a timeout is a ``TimeoutError``). Bad
    framing raises ``ValueError`` with cheroot's reason. The trailers, and the empty line ending them,
    stay on the connection, to be taken for the next request, unless ``read_trailer_lines()`` reads them.
    """
    try:
        body: bytes = stream.read()
        for _ in stream.read_trailer_lines():
            pass
    except errors.MaxSizeExceeded:
        raise _too_large(max_body_bytes) from None
    except ValueError as error:
        raise _Refusal(_BAD_REQUEST, str(error)) from None
    except OSError as error:
        if error.errno is not None or isinstance(error, TimeoutError):
            raise
        raise _too_large(max_body_bytes) from None
    return body


def _close_connection() -> ConnectionAbortedError:
    """What the application raises to have cheroot close its connection, sending nothing more.

    WSGI gives an application no way to close its connection, and cheroot does not act on a
    ``Connection: close`` header from it (it closes only after a 413, or an error). An ``OSError`` out
    of the application whose errno is one of ``errors.socket_errors_to_ignore`` is, to cheroot, the
    client gone away: it closes the connection without writing or logging anything.
    """
    return ConnectionAbortedError(errno.ECONNABORTED, "macie-local closes the connection")


class _Server(_CherootServer):
    """cheroot's WSGI server, closing the socket it made when binding it fails.

    cheroot leaves that socket to the garbage collector, which warns (``ResourceWarning``) about it;
    its ``prepare()`` binds through the static ``bind_socket``.
    """

    @staticmethod
    def bind_socket(socket_: socket.socket, bind_addr: Any) -> socket.socket:
        try:
            socket_.bind(bind_addr)
        except OSError:
            socket_.close()
            raise
        return socket_
