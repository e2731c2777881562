"""The HTTP server of ``macie-local``: cheroot serving the endpoint's WSGI application.

cheroot (CherryPy's server) keeps connections alive, as AWS's endpoints do and as botocore expects,
parks idle ones in a selector rather than in a thread, and applies its limits while it reads: a
``Content-Length`` over the body limit is answered 413 before any of the body is read, and so is a
chunk whose declared size would cross it. Malformed requests (request line, headers,
``Content-Length``, chunked framing) get an HTTP answer, never a dropped connection.

The gateway below reads each body in full, within the limit, before calling the application, so the
application sees a plain, complete body and the next request on the connection starts clean; a body
cut short by the client going away never reaches the application (400 ``IncompleteBody``, as S3 keeps
no incomplete upload). It also gives the application a way to drop the connection unanswered
(``DROP_KEY``) for fault injection.
"""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from cheroot import errors
from cheroot.wsgi import Gateway_10
from cheroot.wsgi import Server as _CherootServer

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: A callable that closes the request's connection unanswered (fault injection); the application then
#: returns an empty body without calling ``start_response``.
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


class _Gateway(Gateway_10):
    """cheroot's WSGI 1.0 gateway, reading the whole body before the application runs."""

    def _drop(self) -> None:
        request = self.req
        request.close_connection = True
        request.sent_headers = True  # nothing is to be sent on this connection
        try:
            request.conn.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def respond(self) -> None:
        request = self.req
        try:
            body = request.rfile.read()
            if request.chunked_read:
                for _ in request.rfile.read_trailer_lines():
                    pass
        except errors.MaxSizeExceeded:
            self._refuse("413 Request Entity Too Large")
            return
        except ValueError as error:  # cheroot's verdict on the chunked framing
            self._refuse("400 Bad Request", str(error))
            return
        except OSError as error:
            # cheroot says "too large" for a chunk whose declared size crosses the limit with an OSError
            # that carries no errno; a real socket error (reset, timeout) has one, and ends the connection.
            if error.errno is not None or isinstance(error, TimeoutError):
                raise
            self._refuse("413 Request Entity Too Large")
            return
        declared = self.env.get("CONTENT_LENGTH") or ""
        if not request.chunked_read and declared.isdigit() and len(body) < int(declared):
            # The client went away before sending the whole body (a killed `pulumi up` uploading its
            # checkpoint): none of it reaches the application, as S3 keeps no incomplete upload.
            self._refuse(
                "400 Bad Request",
                f"IncompleteBody: the body ended after {len(body)} of the {declared} bytes its Content-Length gave.",
            )
            return
        self.env["RAW_URI"] = self.env["REQUEST_URI"]
        self.env[DROP_KEY] = self._drop
        self.env["wsgi.input"] = io.BytesIO(body)
        self.env["wsgi.input_terminated"] = False
        self.env["CONTENT_LENGTH"] = str(len(body))
        self.env.pop("HTTP_TRANSFER_ENCODING", None)
        super().respond()

    def _refuse(self, status: str, detail: str = "") -> None:
        """Answer a request whose body cannot be read, and close the connection: the rest is unread."""
        request = self.req
        request.close_connection = True
        if status.startswith("413"):
            detail = f"The request body is larger than {request.server.max_request_body_size} bytes."
        request.simple_response(status, detail)
        request.sent_headers = True


class _Server(_CherootServer):
    @staticmethod
    def bind_socket(socket_: socket.socket, bind_addr: Any) -> socket.socket:
        """Bind, closing the socket when that fails (cheroot would leave it to the garbage collector)."""
        try:
            socket_.bind(bind_addr)
        except OSError:
            socket_.close()
            raise
        return socket_


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
            app,
            numthreads=16,
            request_queue_size=128,
            timeout=idle_timeout,
            shutdown_timeout=STOP_TIMEOUT,
            server_name="macie-local",
        )
        server.gateway = _Gateway
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
