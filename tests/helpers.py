"""Helpers shared by the tests: raw signed requests, and a client of the endpoint's own S3."""

from __future__ import annotations

import http.client
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from macie_local.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY


def raw_request(
    url: str,
    body: bytes | str | None = b"{}",
    target: str | None = "MacieService.ListMemberAccounts",
    *,
    access_key: str = DEFAULT_ACCESS_KEY,
    secret_key: str = DEFAULT_SECRET_KEY,
    when: datetime | None = None,
    service: str = "macie",
    region: str = "us-east-1",
    sign: bool = True,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    tamper: Any = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Send one request signed as botocore would (at time ``when``); answer (status, JSON, headers).

    ``tamper(headers)`` may change the signed headers after signing, to test the server's checks.
    """
    data = body.encode() if isinstance(body, str) else (body or b"")
    host = urlsplit(url).netloc
    all_headers = {"Content-Type": "application/x-amz-json-1.1", "Host": host}
    if target is not None:
        all_headers["X-Amz-Target"] = target
    all_headers.update(headers or {})
    if sign:
        stamp = (when or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        request = AWSRequest(method=method, url=url + "/", data=data, headers=dict(all_headers))
        request.headers["X-Amz-Date"] = stamp
        request.context["timestamp"] = stamp
        signer = SigV4Auth(Credentials(access_key, secret_key), service, region)
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        signed = signer.signed_headers(signer.headers_to_sign(request))
        all_headers["X-Amz-Date"] = stamp
        all_headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={access_key}/{stamp[:8]}/{region}/{service}/aws4_request, "
            f"SignedHeaders={signed}, Signature={signature}"
        )
    if tamper is not None:
        tamper(all_headers)
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, "/", body=data, headers=all_headers)
        response = connection.getresponse()
        payload = response.read()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        try:
            parsed = json.loads(payload) if payload else {}
        except ValueError:
            parsed = {"raw": payload.decode(errors="replace")}
        return response.status, parsed, answer_headers
    finally:
        connection.close()


def s3_client(url: str) -> Any:
    """A client of the S3 that the endpoint at ``url`` serves (moto's), with the default account's keys."""
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=DEFAULT_ACCESS_KEY,
        aws_secret_access_key=DEFAULT_SECRET_KEY,
    )
