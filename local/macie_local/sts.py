"""The STS half of the endpoint, in STS's query protocol (a form in, XML out): who a caller is, and
role sessions.

The provider learns the master account's ID (the account whose keys call Macie) through botocore's own
STS client, ``GetCallerIdentity``; ``AssumeRole`` issues temporary credentials of a declared role
(``roles``), with which requests act as the role's account (``sessions``). A request is verified exactly
as a Macie request is (SigV4, with the credential scoped to service ``sts``); only then do its
``Action`` and ``Version`` pick a handler from ``StsApp.actions``, one per action. Fault injection does
not apply. Errors are the endpoint's own exception classes, answered in STS's XML error shape with their
HTTP status.
"""

from __future__ import annotations

import io
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from . import roles
from .backend import Caller
from .exceptions import ExpiredToken, ExpiredTokenException, InvalidAction, MissingAction, ServiceError
from .request import caller_of, headers_of, log_line, read_body, status_line
from .sessions import EXPIRATION_FORMAT, Keys, RoleCaller, arn_of

#: STS's signing name.
SERVICE = "sts"
VERSION = "2011-06-15"
NAMESPACE = f"https://sts.amazonaws.com/doc/{VERSION}/"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
XML_CONTENT_TYPE = "text/xml"
#: Largest form read to tell whether an unsigned request is STS's (an STS form is a few hundred bytes).
MAX_SNIFFED_FORM_BYTES = 64 * 1024

#: The members of an action's result: text, or a structure of members.
Result = Mapping[str, "str | Result"]
#: An action: the verified caller and the request's parameters → the members of the action's result.
Handler = Callable[[Caller, Mapping[str, str]], Result]

StartResponse = Callable[..., Any]


def _form(text: str) -> dict[str, str]:
    return dict(parse_qsl(text, keep_blank_values=True))


def parameters(environ: Mapping[str, Any], body: bytes) -> dict[str, str]:
    """A query-protocol request's parameters: the query string's, then a form body's."""
    params = _form(environ.get("QUERY_STRING", ""))
    if environ.get("CONTENT_TYPE", "").startswith(FORM_CONTENT_TYPE):
        params.update(_form(body.decode("utf-8", errors="replace")))
    return params


def is_sts_form(environ: dict[str, Any]) -> bool:
    """True for a request to ``/`` whose parameters name an action of STS's version (``Version=2011-06-15``).

    The form body is read to tell, and put back for whichever app answers the request.
    """
    if environ.get("PATH_INFO", "/") != "/":
        return False
    body = b""
    if environ.get("REQUEST_METHOD") == "POST" and environ.get("CONTENT_TYPE", "").startswith(FORM_CONTENT_TYPE):
        length = environ.get("CONTENT_LENGTH") or ""
        if not (length.isdigit() and int(length) <= MAX_SNIFFED_FORM_BYTES):
            return False
        body = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)
    params = parameters(environ, body)
    return "Action" in params and params.get("Version") == VERSION


class StsApp:
    """STS for the endpoint's accounts and roles: each request verified, dispatched by action, answered in XML."""

    def __init__(
        self,
        keys: Keys,
        regions: tuple[str, ...],
        count: Callable[[str], None],
        log: Callable[[str], None] | None = None,
        declared_roles: Iterable[roles.Role] = (),
    ) -> None:
        self.keys = keys
        self.roles = roles.by_arn(declared_roles)
        self.regions = regions
        self.count = count
        self.log = log
        #: The actions STS answers here, by name.
        self.actions: dict[str, Handler] = {
            "GetCallerIdentity": self.get_caller_identity,
            "AssumeRole": self.assume_role,
        }

    def get_caller_identity(self, caller: Caller, params: Mapping[str, str]) -> Result:
        """Who the caller is: a session's assumed role, or else its account's root user (the endpoint's
        long-term keys are root-like)."""
        account_id = caller.account.account_id
        user_id = caller.session.user_id if isinstance(caller, RoleCaller) else account_id
        return {"Arn": arn_of(caller), "UserId": user_id, "Account": account_id}

    def assume_role(self, caller: Caller, params: Mapping[str, str]) -> Result:
        """Temporary credentials of a declared role that trusts the caller's account.

        Unlike AWS, which refuses root ("Roles may not be assumed by root accounts."), the long-term keys
        (root-like) may assume roles: they are the only principals the endpoint has.
        """
        duration = roles.check_request(params)
        role = roles.authorize(
            self.roles,
            params["RoleArn"],
            arn_of(caller),
            caller.master,
            params.get("ExternalId"),
            duration,
            chained=isinstance(caller, RoleCaller),
        )
        issued = self.keys.issue(role, params["RoleSessionName"], duration)
        return {
            "Credentials": {
                "AccessKeyId": issued.access_key,
                "SecretAccessKey": issued.secret_key,
                "SessionToken": issued.token,
                "Expiration": issued.session.expiration.strftime(EXPIRATION_FORMAT),
            },
            "AssumedRoleUser": {"AssumedRoleId": issued.session.user_id, "Arn": issued.session.arn},
        }

    def handle(self, environ: dict[str, Any], request_id: str) -> tuple[int, ElementTree.Element, str, str]:
        """Answer one request: (status, XML document, action, account) for the response and the log."""
        action, account = "-", "-"
        try:
            body = read_body(environ)
            try:
                caller = caller_of(environ, headers_of(environ), body, self.keys, self.regions, SERVICE)
            except ExpiredTokenException as expired:
                raise ExpiredToken(expired.message) from None
            account = caller.master
            params = parameters(environ, body)
            name = params.get("Action")
            if not name:
                raise MissingAction("The request is missing the Action parameter naming the action.")
            handler, version = self.actions.get(name), params.get("Version")
            if handler is None or version != VERSION:
                raise InvalidAction(f"Could not find operation {name[:100]} for version {(version or 'NONE')[:40]}")
            action = name
            return 200, _success(action, handler(caller, params), request_id), action, account
        except ServiceError as error:
            return error.status, _error(error, request_id), action, account

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        try:
            status, document, action, account = self.handle(environ, request_id)
        except Exception as error:  # noqa: BLE001 - a bug must still answer like AWS, not crash
            print(f"macie-local: internal error: {error!r}", file=sys.stderr)
            failure = ServiceError("Internal server error.")
            status, document, action, account = failure.status, _error(failure, request_id), "-", "-"
        self.count(f"sts.{action}.{status}")
        payload = ElementTree.tostring(document, encoding="utf-8")
        start_response(
            status_line(status),
            [
                ("Content-Type", XML_CONTENT_TYPE),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", request_id),
            ],
        )
        if self.log is not None:
            self.log(log_line(f"sts.{action}", account, str(status), started))
        return [payload]


def _element(parent: ElementTree.Element, tag: str, text: str | None = None) -> ElementTree.Element:
    child = ElementTree.SubElement(parent, tag)
    child.text = text
    return child


def _members(parent: ElementTree.Element, result: Result) -> None:
    for name, value in result.items():
        if isinstance(value, str):
            _element(parent, name, value)
        else:
            _members(_element(parent, name), value)


def _success(action: str, result: Result, request_id: str) -> ElementTree.Element:
    """``<{action}Response>`` with the ``<{action}Result>`` and the ``ResponseMetadata``."""
    document = ElementTree.Element(f"{action}Response", xmlns=NAMESPACE)
    _members(_element(document, f"{action}Result"), result)
    _element(_element(document, "ResponseMetadata"), "RequestId", request_id)
    return document


def _error(error: ServiceError, request_id: str) -> ElementTree.Element:
    """``<ErrorResponse>``: the error's type (Sender, or Receiver for a 5xx), code and message."""
    document = ElementTree.Element("ErrorResponse", xmlns=NAMESPACE)
    details = _element(document, "Error")
    _element(details, "Type", "Receiver" if error.status >= 500 else "Sender")
    _element(details, "Code", error.code)
    _element(details, "Message", error.message)
    _element(document, "RequestId", request_id)
    return document
