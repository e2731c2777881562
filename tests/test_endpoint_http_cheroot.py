"""What ``macie_local.http`` relies on in cheroot beyond WSGI and its documented settings (the last section
of that module): each test pins one behaviour against cheroot itself and, if a cheroot release changes
it, fails naming the behaviour and what in ``macie_local.http`` depends on it."""

from __future__ import annotations

import gc
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from cheroot.wsgi import Server as CherootServer

from macie_local.http import WSGIServer, _close_connection, _read_chunked, _Refusal

LIMIT = 100
CHUNKED = b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
NEXT = b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n"


@contextmanager
def cheroot_serving(app: Callable[..., Any], logged: list[str]) -> Iterator[int]:
    """Plain cheroot (none of macie_local.http) serving ``app`` with a body limit of ``LIMIT`` bytes."""
    server = CherootServer(("127.0.0.1", 0), app, timeout=2)
    server.max_request_body_size = LIMIT
    server.expiration_interval = 0.05  # so that stop() returns at once
    server.error_log = lambda msg="", *args, **kwargs: logged.append(str(msg))  # type: ignore[method-assign]
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server.bind_addr[1]
    finally:
        server.stop()
        thread.join(timeout=10)


def send_and_read_all(port: int, data: bytes) -> bytes:
    """Send ``data``, then read until the server closes the connection (a reset counts as a close)."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def recording_app(seen: list[Any]) -> Callable[..., Any]:
    """An app recording, per request, its path, ``wsgi.input_terminated``, and what ``_read_chunked`` made
    of a terminated body; it answers 200 and closes after the second request."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        outcome: Any = None
        if environ["wsgi.input_terminated"]:
            try:
                outcome = ("body", _read_chunked(environ["wsgi.input"], LIMIT))
            except _Refusal as refusal:
                outcome = ("refused", refusal.status, refusal.detail)
            except Exception as error:  # noqa: BLE001 - the test reports whatever cheroot raised instead
                outcome = ("raised", repr(error))
        seen.append((environ["PATH_INFO"], environ["wsgi.input_terminated"], outcome))
        last = environ["PATH_INFO"] == "/next" or (outcome is not None and outcome[0] != "body")
        start_response("200 OK", [("Content-Length", "0")] + ([("Connection", "close")] if last else []))
        if last:
            raise _close_connection()
        return []

    return app


CHUNKED_CASES = [
    (
        (
            "a chunk whose declared size crosses max_request_body_size raises an OSError without errno before its"
            " data is read (only its size line is sent here: reading the data would time out instead)"
        ),
        CHUNKED + f"{LIMIT + 1:x}\r\n".encode(),
        ("refused", "413 Request Entity Too Large", f"The request body is larger than {LIMIT} bytes."),
    ),
    (
        "framing (size lines) that takes the bytes read past max_request_body_size raises errors.MaxSizeExceeded",
        CHUNKED + f"{LIMIT - 4:x}\r\n".encode() + b"x" * (LIMIT - 4) + b"\r\n0\r\n\r\n",
        ("refused", "413 Request Entity Too Large", f"The request body is larger than {LIMIT} bytes."),
    ),
    (
        "trailers that take the bytes read past max_request_body_size raise an OSError without errno",
        CHUNKED + f"{LIMIT - 8:x}\r\n".encode() + b"x" * (LIMIT - 8) + b"\r\n0\r\nX-Trailer: yes\r\n\r\n",
        ("refused", "413 Request Entity Too Large", f"The request body is larger than {LIMIT} bytes."),
    ),
    (
        "a size line that is not hexadecimal raises ValueError with cheroot's reason",
        CHUNKED + b"zz\r\nabc\r\n0\r\n\r\n",
        ("refused", "400 Bad Request", "Bad chunked transfer size: b'zz'"),
    ),
    (
        "a trailer line not ending in CRLF raises ValueError with cheroot's reason",
        CHUNKED + b"3\r\nabc\r\n0\r\nX-Trailer: yes\n\r\n",
        ("refused", "400 Bad Request", "HTTP requires CRLF terminators"),
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "data", "outcome"), CHUNKED_CASES, ids=["chunk", "framing", "trailer", "size", "crlf"]
)
def test_cheroot_chunked_input_fails_as_read_chunked_expects(behaviour: str, data: bytes, outcome: Any) -> None:
    """cheroot's wsgi.input for a chunked body signals each limit and framing fault as _read_chunked expects."""
    seen: list[Any] = []
    logged: list[str] = []
    with cheroot_serving(recording_app(seen), logged) as port:
        send_and_read_all(port, data)
    assert seen == [("/c", True, outcome)], (
        f"cheroot changed: expected that {behaviour}, which macie_local.http._read_chunked turns into"
        f" {outcome[1]!r}; it gave {seen}. Update _read_chunked (and its docstring) to what cheroot does now."
    )


def test_cheroot_chunked_input_leaves_the_connection_clean_once_trailers_are_read() -> None:
    """A chunked body with an extension and trailers, read by _read_chunked, leaves the next request intact."""
    seen: list[Any] = []
    logged: list[str] = []
    body = CHUNKED + b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: yes\r\nX-Other: no\r\n\r\n"
    with cheroot_serving(recording_app(seen), logged) as port:
        received = send_and_read_all(port, body + NEXT)
    assert seen == [("/c", True, ("body", b"abcde")), ("/next", False, None)], (
        "cheroot changed: expected wsgi.input_terminated to mark a chunked body (and only it), its wsgi.input"
        " to give the whole body, and read_trailer_lines() to read the trailers through the empty line ending"
        f" them, so the next request on the connection parses; it gave {seen} (answers: {received!r})."
        " macie_local.http._read_chunked and _WholeBody._read depend on all three."
    )


def test_cheroot_environ_has_the_request_target_as_sent() -> None:
    """cheroot's environ has REQUEST_URI, the request-target as sent, which _WholeBody gives as RAW_URI."""
    seen: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ.get("REQUEST_URI"))
        start_response("200 OK", [("Content-Length", "0"), ("Connection", "close")])
        raise _close_connection()

    with cheroot_serving(app, []) as port:
        send_and_read_all(port, b"GET /a%2Fb%20c?x=1&y=%2F HTTP/1.1\r\nHost: x\r\n\r\n")
    assert seen == ["/a%2Fb%20c?x=1&y=%2F"], (
        f"cheroot changed: environ['REQUEST_URI'] is {seen}, not the request-target as sent; macie_local.http"
        " gives it to the application as RAW_URI, which SigV4 and moto's S3 need unaltered."
    )


def test_cheroot_closes_quietly_on_close_connection_before_an_answer() -> None:
    """An app raising _close_connection() before its first body chunk has its connection closed, nothing sent."""
    logged: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "5")])
        raise _close_connection()

    with cheroot_serving(app, logged) as port:
        received = send_and_read_all(port, NEXT)
    assert (received, logged) == (b"", []), (
        "cheroot changed: an OSError with errno ECONNABORTED out of the application no longer makes it close"
        f" the connection quietly (it sent {received!r}, logged {logged}); macie_local.http._close_connection"
        " is how DROP_KEY drops a connection unanswered."
    )


def test_cheroot_closes_quietly_on_close_connection_after_an_answer() -> None:
    """An app whose body ends by raising _close_connection() has its answer sent whole, then the connection closed."""
    logged: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("400 Bad Request", [("Content-Length", "4"), ("Connection", "close")])
        yield b"nope"
        raise _close_connection()

    with cheroot_serving(app, logged) as port:
        received = send_and_read_all(port, NEXT + NEXT)
    assert received.startswith(b"HTTP/1.1 400 Bad Request\r\n") and received.count(b"HTTP/1.1") == 1, received
    assert (received.endswith(b"\r\n\r\nnope"), logged) == (True, []), (
        "cheroot changed: an OSError with errno ECONNABORTED raised by the application's body after its last"
        f" chunk no longer closes the connection quietly after the answer (got {received!r}, logged {logged});"
        " macie_local.http._refuse closes the connection that way after refusing a body."
    )


def test_cheroot_bind_failure_leaves_no_socket_open() -> None:
    """WSGIServer on a port taken by another socket fails with the OS's reason, and leaves no socket to the GC."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(OSError, match="Address already in use"):
                WSGIServer("127.0.0.1", port, lambda environ, start_response: [])
            gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == [], (
        f"cheroot changed: a failed bind left {unclosed}; cheroot's prepare() no longer binds through the static"
        " HTTPServer.bind_socket that macie_local.http._Server overrides to close the socket on failure."
    )
