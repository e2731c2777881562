"""macie-local's HTTP layer over raw sockets: every malformed request gets an HTTP answer, limits bite early."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from macie_local.http import DROP_KEY, MAX_BODY_BYTES, WSGIServer, _WholeBody
from macie_local.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, LocalEndpoint, create_bucket

from .helpers import s3_client

TARGET = b"MacieService.ListMemberAccounts"
HEAD = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: " + TARGET + b"\r\n"
CHUNKED = HEAD + b"Transfer-Encoding: chunked\r\n\r\n"


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with LocalEndpoint() as running:
        yield running.port


@contextmanager
def serving(app: Callable[..., Any], **options: Any) -> Iterator[int]:
    """A WSGIServer serving ``app`` in a thread, stopped (and its thread gone) on exit; yields its port."""
    server = WSGIServer("127.0.0.1", 0, app, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=20)
    assert not thread.is_alive()


def empty_answer(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Length", "0")])
    return []


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=20)


def answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP response from ``sock``: status, lower-case headers, body."""
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def exchange(port: int, data: bytes) -> tuple[int, bytes, bool]:
    """Send ``data``, keep the connection open for writing, and read the answer; (status, body, closed)."""
    with connect(port) as sock:
        sock.sendall(data)
        status, _, body = answer(sock)
        return status, body, closed_by_server(sock)


MALFORMED = [
    ("chunk-size-not-hex", CHUNKED + b"zz\r\nabc\r\n0\r\n\r\n", 400, b"Bad chunked transfer size"),
    ("chunk-without-crlf", CHUNKED + b"3\r\nabcXY0\r\n\r\n", 400, b"Bad chunked transfer coding"),
    ("trailer-without-crlf", CHUNKED + b"3\r\nabc\r\n0\r\nX-Trailer: yes\n\r\n", 400, b"CRLF terminators"),
    ("content-length-not-a-number", HEAD + b"Content-Length: abc\r\n\r\n", 400, b"Malformed Content-Length"),
    ("content-length-negative", HEAD + b"Content-Length: -5\r\n\r\n", 400, b""),
    ("request-line", b"GARBAGE\r\n\r\n", 400, b"Malformed Request-Line"),
    ("request-uri", b"POST /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", 400, b"Malformed Request-URI"),
    ("header-line-without-colon", HEAD + b"NoColonHere\r\n\r\n", 400, b"Illegal header line"),
    ("headers-too-large", HEAD + b"X-Big: " + b"a" * 70_000 + b"\r\n\r\n", 413, b"headers"),
    ("unknown-transfer-coding", HEAD + b"Transfer-Encoding: gzip\r\n\r\n", 501, b""),
    ("http-version", b"POST / HTTP/2.0\r\nHost: x\r\n\r\n", 505, b""),
]


@pytest.mark.parametrize(("data", "status", "says"), [case[1:] for case in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_http_malformed_request_gets_an_answer(port: int, data: bytes, status: int, says: bytes) -> None:
    """A malformed request is answered with its 4xx/5xx status and a reason, then the connection is closed."""
    got, body, closed = exchange(port, data)
    assert (got, closed) == (status, True)
    assert says in body


def test_http_declared_body_over_limit_is_413_before_any_body(port: int) -> None:
    """A Content-Length past 16 MiB is refused with 413 while not one byte of the body has been sent."""
    status, _body, closed = exchange(port, HEAD + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode())
    assert (status, closed) == (413, True)


def test_http_chunk_over_limit_is_413_before_its_data(port: int) -> None:
    """A chunk whose declared size crosses the limit is refused with 413 before its data is sent."""
    status, body, closed = exchange(port, CHUNKED + f"{MAX_BODY_BYTES + 1:x}\r\n".encode())
    assert (status, closed) == (413, True)
    assert f"larger than {MAX_BODY_BYTES} bytes".encode() in body


def test_http_chunks_adding_up_past_limit_are_413(port: int) -> None:
    """Chunks each under the limit but together over it are refused at the chunk that crosses it."""
    half = MAX_BODY_BYTES // 2 + 1
    first = f"{half:x}\r\n".encode() + b"x" * half + b"\r\n"
    status, _, closed = exchange(port, CHUNKED + first + f"{half:x}\r\n".encode())
    assert (status, closed) == (413, True)


@pytest.mark.parametrize("tail", [b"0\r\n\r\n", b"0\r\nX-Trailer: yes\r\n\r\n"], ids=["last-size-line", "trailer"])
def test_http_chunked_framing_past_limit_is_413(tail: bytes) -> None:
    """Chunk sizes within the limit whose size lines or trailers take the bytes read past it are refused
    with 413, and the application is not called."""
    calls: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ)
        return empty_answer(environ, start_response)

    data = b"x" * (100 - 8)
    with serving(app, max_body_bytes=100) as port:
        status, body, closed = exchange(port, CHUNKED + f"{len(data):x}\r\n".encode() + data + b"\r\n" + tail)
    assert (status, closed, calls) == (413, True, [])
    assert b"larger than 100 bytes" in body


def test_http_content_length_over_limit_is_refused_by_the_middleware_too() -> None:
    """The body-reading middleware itself refuses a Content-Length over the limit with 413, reading none of
    the body and closing the connection (cheroot answers so first; this holds should it not)."""

    class Unreadable:
        def read(self, size: int = -1) -> bytes:
            raise AssertionError("the body was read")

    answered: list[Any] = []
    response = _WholeBody(empty_answer, 10)(
        {"CONTENT_LENGTH": "11", "wsgi.input": Unreadable(), "wsgi.input_terminated": False},
        lambda status, headers: answered.append((status, dict(headers))),
    )
    chunks = iter(response)
    assert next(chunks) == b"The request body is larger than 10 bytes."
    assert answered[0][0] == "413 Request Entity Too Large" and answered[0][1]["Connection"] == "close"
    with pytest.raises(ConnectionAbortedError):  # how it has cheroot close the connection
        next(chunks)


def test_http_drop_closes_the_connection_unanswered(capsys: pytest.CaptureFixture[str]) -> None:
    """An application calling environ[DROP_KEY] has its connection closed with nothing sent and nothing
    logged; the server goes on serving."""
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/drop":
            environ[DROP_KEY]()
            return []
        return empty_answer(environ, start_response)

    with serving(app) as port:
        with connect(port) as sock:
            sock.sendall(b"POST /drop HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            try:
                received = sock.recv(65536)
            except ConnectionResetError:
                received = b""
        status, _, closed = exchange(port, b"GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (received, seen, status, closed) == (b"", ["/drop", "/next"], 200, True)
    assert capsys.readouterr().err == ""


def signed_request(port: int, body: bytes, framing: bytes) -> bytes:
    """A ListMemberAccounts request signed as botocore signs it, with ``framing`` headers and body as given."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": TARGET.decode(),
        "X-Amz-Date": stamp,
    }
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body, headers=headers)
    request.context["timestamp"] = stamp
    SigV4Auth(Credentials(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY), "macie", "us-east-1").add_auth(request)
    lines = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    return b"POST / HTTP/1.1\r\n" + lines.encode() + framing


def test_http_chunked_body_is_served_and_connection_kept(port: int) -> None:
    """A signed request with a chunked body (extension, trailer) is answered 200, twice on one connection."""
    body = b'{"maxResults": 5}'
    chunked = (
        b"Transfer-Encoding: chunked\r\n\r\n"
        + f"{5:x};ext=1\r\n".encode()
        + body[:5]
        + b"\r\n"
        + f"{len(body) - 5:x}\r\n".encode()
        + body[5:]
        + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    with connect(port) as sock:
        for _ in range(2):
            sock.sendall(signed_request(port, body, chunked))
            status, headers, payload = answer(sock)
            assert (status, payload) == (200, b'{"memberAccounts":[{"accountId":"123456789012"}]}')
            assert headers.get("connection") != "close"


def test_http_keep_alive_serves_many_requests_on_one_connection(port: int) -> None:
    """Requests with a Content-Length body follow one another on one connection."""
    body = b"{}"
    with connect(port) as sock:
        for _ in range(5):
            sock.sendall(signed_request(port, body, f"Content-Length: {len(body)}\r\n\r\n".encode() + body))
            assert answer(sock)[0] == 200


def test_http_body_shorter_than_declared_is_408_after_idle_timeout() -> None:
    """A body that never arrives in full gets 408 Request Timeout once the idle timeout passes."""
    calls: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ)
        start_response("200 OK", [("Content-Length", "0")])
        return []

    with serving(app, idle_timeout=1) as port:
        status, _, closed = exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}")
    assert (status, closed, calls) == (408, True, [])


def test_http_body_cut_short_by_the_client_going_away_never_reaches_the_app() -> None:
    """A client that closes its side after part of the body its Content-Length gave (a killed CLI mid-
    upload) gets 400 IncompleteBody, the connection closed, and the application is not called with the part
    that came."""
    calls: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Length", "0")])
        return []

    with serving(app) as port, connect(port) as sock:
        sock.sendall(b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"x" * 40)
        sock.shutdown(socket.SHUT_WR)
        status, headers, body = answer(sock)
        closed = closed_by_server(sock)
    assert (status, headers["connection"], closed, calls) == (400, "close", True, [])
    assert b"IncompleteBody: the body ended after 40 of the 100 bytes" in body


def test_s3_put_cut_short_leaves_the_object_as_it_was() -> None:
    """Through macie-local's S3 (a state backend's checkpoint): a signed PUT whose body stops short is
    refused and the object keeps its last whole content, as S3 keeps it."""
    with LocalEndpoint() as endpoint:
        create_bucket("cut-short-upload")
        s3 = s3_client(endpoint.url)
        s3.put_object(Bucket="cut-short-upload", Key="stack.json", Body=b"{}" * 50)
        request = AWSRequest(
            method="PUT",
            url=f"{endpoint.url}/cut-short-upload/stack.json",
            data=b"[]" * 50,
            headers={"Content-Length": "100", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
        )
        S3SigV4Auth(Credentials(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY), "s3", "us-east-1").add_auth(request)
        head = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
        with connect(endpoint.port) as sock:
            sock.sendall(f"PUT /cut-short-upload/stack.json HTTP/1.1\r\n{head}\r\n".encode() + b"[]" * 20)
            sock.shutdown(socket.SHUT_WR)
            assert answer(sock)[0] == 400
        assert s3.get_object(Bucket="cut-short-upload", Key="stack.json")["Body"].read() == b"{}" * 50
