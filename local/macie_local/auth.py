"""SigV4 verification of the endpoint's requests, for the service each one is meant for (Macie, STS).

The signature is recomputed with botocore's own signer from the request as received (method, path,
query, the signed headers, the body) and the secret key of the access key named in the credential
scope (a declared account's, or a role session's with its ``X-Amz-Security-Token``, see ``sessions``);
the ``Authorization`` header is never trusted. Nothing about the caller is answered before this passes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .backend import Caller
from .exceptions import (
    IncompleteSignature,
    MissingAuthenticationToken,
    RequestExpired,
    SignatureDoesNotMatch,
)
from .sessions import Keys, RoleCaller

ALGORITHM = "AWS4-HMAC-SHA256"
#: Macie's signing name: the service a request is verified for unless another is named.
SERVICE = "macie"
MAX_SKEW = timedelta(minutes=15)
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)


def parse_authorization(header: str) -> dict[str, str]:
    """The ``Credential``, ``SignedHeaders`` and ``Signature`` parts of an Authorization header."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(
            f"Unsupported authorization algorithm {algorithm[:40]!r}: only {ALGORITHM} is accepted."
        )
    parts: dict[str, str] = {}
    for piece in rest.split(","):
        name, sep, value = piece.strip().partition("=")
        if sep:
            parts[name] = value
    for required in ("Credential", "SignedHeaders", "Signature"):
        if not parts.get(required):
            raise IncompleteSignature(
                f"Authorization header requires '{required}' parameter. Authorization header requires "
                "existence of either a 'X-Amz-Date' or a 'Date' header."
            )
    return parts


def credential_scope(authorization: str | None) -> list[str] | None:
    """The credential scope ``[key, date, region, service, 'aws4_request']``, or None if absent."""
    if not authorization or not authorization.startswith(ALGORITHM):
        return None
    for piece in authorization[len(ALGORITHM) :].split(","):
        name, _, value = piece.strip().partition("=")
        if name == "Credential":
            return value.split("/")
    return None


def authenticate(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Keys,
    regions: tuple[str, ...],
    now: datetime | None = None,
    service: str = SERVICE,
) -> Caller:
    """The verified caller of a request signed for ``service``, or the AWS error that refuses it.

    ``headers`` maps lower-case header names to values as received. ``now`` is the time the request's
    date is checked against (the real time unless given); a session's expiry is the ``keys``' clock's.
    """
    header = headers.get("authorization")
    if not header:
        raise MissingAuthenticationToken("Missing Authentication Token")
    parts = parse_authorization(header)
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise IncompleteSignature(
            "Credential should be scoped to a valid region, service and date: "
            f"<key>/<yyyymmdd>/<region>/{service}/aws4_request."
        )
    access_key, date, region, scoped_service, _ = scope
    signed = parts["SignedHeaders"].split(";")
    stamp = headers.get("x-amz-date")
    if not stamp:
        raise IncompleteSignature(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if "host" not in signed or "x-amz-date" not in signed:
        raise IncompleteSignature("The host and x-amz-date headers must be signed.")
    missing = [name for name in signed if name not in headers]
    if missing:
        raise IncompleteSignature(f"Signed header {missing[0]!r} is not in the request.")
    account, session = keys.resolve(access_key, headers.get("x-amz-security-token"))
    try:
        when = datetime.strptime(stamp, TIMESTAMP_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise IncompleteSignature(f"Date must be in ISO-8601 'basic format'. Got {stamp[:40]!r}.") from None
    now = now or datetime.now(timezone.utc)
    if abs(now - when) > MAX_SKEW:
        raise RequestExpired(
            f"Request has expired. Signature date {stamp} is more than 15 minutes from the server's "
            f"time {now.strftime(TIMESTAMP_FORMAT)}."
        )
    if scoped_service != service:
        raise SignatureDoesNotMatch(f"Credential should be scoped to correct service: '{service}'.")
    if region not in regions:
        raise SignatureDoesNotMatch(f"Credential should be scoped to a valid region: one of {', '.join(regions)}.")
    if date != stamp[:8]:
        raise SignatureDoesNotMatch(f"Credential should be scoped to the date of the request, {stamp[:8]}.")
    declared = headers.get("x-amz-content-sha256")
    if declared and declared != hashlib.sha256(body).hexdigest():
        raise SignatureDoesNotMatch("The provided 'x-amz-content-sha256' header does not match the body.")

    url = f"http://{headers['host']}{path}" + (f"?{query}" if query else "")
    request = AWSRequest(method=method, url=url, data=body, headers={n: headers[n] for n in signed})
    request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(access_key, account.secret_key), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, parts["Signature"]):
        raise SignatureDoesNotMatch(SIGNATURE_MISMATCH)
    if session is not None:
        return RoleCaller(account=account, region=region, session=session)
    return Caller(account=account, region=region)
