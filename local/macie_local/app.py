"""The WSGI application of ``macie-local``: Macie Classic, STS and S3 on one port.

A request is Macie's when it carries ``X-Amz-Target`` or is signed for service ``macie``; STS's
(``sts.StsApp``) when it is signed for ``sts``, or, signed for no service, is a form naming an STS
action; everything else goes to moto's S3 application. A Macie request goes: read body →
authenticate → fault injection → action from the target → parse JSON → validate against the model →
backend → JSON.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from . import auth, sts
from .backend import Backend
from .exceptions import (
    InternalException,
    InvalidAction,
    InvalidInputException,
    MissingAction,
    SerializationException,
    ServiceError,
    ServiceUnavailable,
    ThrottlingException,
)
from .http import DROP_KEY
from .request import caller_of, headers_of, log_line, read_body, status_line
from .sessions import Keys
from .validation import check

TARGET_PREFIX = "MacieService."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Faults:
    """Fault injection into Macie actions, all off by default.

    Rates are probabilities per authenticated Macie request, of outcomes that exclude each other (together
    at most 1): ``drop_rate`` closes the connection before the action; ``lose_rate`` lets the action be
    carried out, then closes the connection instead of answering its success. ``actions``, when given,
    limits every fault to those actions (``("AssociateS3Resources",)``); the others are served as usual.
    """

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    latency_ms: float = 0.0
    drop_rate: float = 0.0
    lose_rate: float = 0.0
    seed: int | None = None
    actions: frozenset[str] | None = None

    @property
    def active(self) -> bool:
        return bool(self.throttle_rate or self.error_rate or self.latency_ms or self.drop_rate or self.lose_rate)


class _Dropped(Exception):
    """The connection was closed on purpose; nothing is answered."""

    def __init__(self, action: str, account: str, outcome: str) -> None:
        super().__init__(outcome)
        self.action, self.account, self.outcome = action, account, outcome


class MacieApp:
    """The Macie Classic half of the endpoint."""

    def __init__(
        self,
        backend: Backend,
        keys: Keys,
        regions: tuple[str, ...],
        faults: Faults | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.backend = backend
        self.keys = keys
        self.regions = regions
        self.faults = faults or Faults()
        self._random = random.Random(self.faults.seed)
        self._random_lock = threading.Lock()
        self.log = log
        self.counters: dict[str, int] = {}
        self._count_lock = threading.Lock()

    def count(self, key: str) -> None:
        """Add one to the counter ``key`` (``<Action>.<status>``, ``fault.<kind>``, ``sts.<Action>.<status>``)."""
        with self._count_lock:
            self.counters[key] = self.counters.get(key, 0) + 1

    def _roll(self) -> float:
        with self._random_lock:
            return self._random.random()

    def _drop(self, environ: dict[str, Any], fault: str, action: str, account: str, outcome: str) -> NoReturn:
        """Close the request's connection unanswered, counted as ``fault.<fault>``."""
        self.count(f"fault.{fault}")
        drop = environ.get(DROP_KEY)
        if drop is not None:
            drop()
        raise _Dropped(action, account, outcome)

    def _inject(self, environ: dict[str, Any], action: str, account: str) -> bool:
        """Inject the faults that come before the action; True when its answer is to be lost after it."""
        faults = self.faults
        if not faults.active or (faults.actions is not None and action not in faults.actions):
            return False
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000.0)
        roll = self._roll()
        if roll < faults.drop_rate:
            self._drop(environ, "drop", action, account, "dropped")
        roll -= faults.drop_rate
        if roll < faults.throttle_rate:
            self.count("fault.throttle")
            raise ThrottlingException("Rate exceeded")
        roll -= faults.throttle_rate
        if roll < faults.error_rate:
            self.count("fault.error")
            if self._roll() < 0.5:
                raise ServiceUnavailable("Service is temporarily unavailable. Please retry.")
            raise InternalException("Internal server error.", errorCode="Internal")
        roll -= faults.error_rate
        return roll < faults.lose_rate

    def handle(self, environ: dict[str, Any]) -> tuple[int, dict[str, Any], str, str]:
        """Answer one request: (status, body, action, account) for the response and the log."""
        action, account = "-", "-"
        try:
            body = read_body(environ)
            headers = headers_of(environ)
            caller = caller_of(environ, headers, body, self.keys, self.regions, auth.SERVICE)
            account = caller.master
            action = self._action(environ, headers)
            lose = self._inject(environ, action, account)
            params = self._params(body)
            violation = check(action, params)
            if violation is not None:
                if violation.is_type_error:
                    raise SerializationException(f"{violation.field or 'The request body'} {violation.rule}.")
                raise InvalidInputException(
                    f"The request was rejected. {violation.field} {violation.rule}.",
                    errorCode=violation.code,
                    fieldName=violation.field,
                )
            result = self.backend.dispatch(action, caller, params)
            if lose:  # the action's transaction has committed: only the answer is lost
                self._drop(environ, "lose", action, account, "lost")
            return 200, result, action, account
        except ServiceError as error:
            return error.status, error.body(), action, account

    def _action(self, environ: dict[str, Any], headers: Mapping[str, str]) -> str:
        target = headers.get("x-amz-target")
        if not target:
            raise MissingAction("The request is missing the X-Amz-Target header naming the action.")
        if environ["REQUEST_METHOD"] != "POST" or not target.startswith(TARGET_PREFIX):
            raise InvalidAction(f"The action or operation requested is invalid: {target[:100]!r}.")
        action = target[len(TARGET_PREFIX) :]
        if action not in Backend.ACTIONS:
            raise InvalidAction(f"The action or operation requested is invalid: {target[:100]!r}.")
        return action

    @staticmethod
    def _params(body: bytes) -> Any:
        if not body.strip():
            return {}
        try:
            params = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise SerializationException(f"The request body is not valid JSON: {error}.") from None
        if not isinstance(params, dict):
            raise SerializationException("The request body must be a JSON object.")
        return params

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        try:
            status, body, action, account = self.handle(environ)
        except _Dropped as dropped:
            self._log(dropped.action, dropped.account, dropped.outcome, started)
            return []
        except Exception as error:  # noqa: BLE001 - a bug must still answer like AWS, not crash
            print(f"macie-local: internal error: {error!r}", file=sys.stderr)
            status, body, action, account = 500, InternalException("Internal server error.").body(), "-", "-"
        self.count(f"{action}.{status}")
        payload = json.dumps(body, separators=(",", ":")).encode()
        response_headers = [
            ("Content-Type", JSON_CONTENT_TYPE),
            ("Content-Length", str(len(payload))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ]
        if status != 200:
            response_headers.append(("x-amzn-ErrorType", body["__type"]))
        start_response(status_line(status), response_headers)
        self._log(action, account, str(status), started)
        return [payload]

    def _log(self, action: str, account: str, status: str, started: float) -> None:
        if self.log is not None:
            self.log(log_line(action, account, status, started))


def service_of(environ: dict[str, Any]) -> str:
    """The service a request is meant for: ``macie``, ``sts`` or ``s3``.

    An ``X-Amz-Target`` means Macie; otherwise the credential scope's service decides (Macie's or STS's
    signing name, anything else S3); a request signed for no service is STS's when it is an STS form.
    """
    if environ.get("HTTP_X_AMZ_TARGET"):
        return auth.SERVICE
    scope = auth.credential_scope(environ.get("HTTP_AUTHORIZATION"))
    if scope and len(scope) > 3:
        return scope[3] if scope[3] in (auth.SERVICE, sts.SERVICE) else "s3"
    return sts.SERVICE if sts.is_sts_form(environ) else "s3"


class EndpointApp:
    """Routes each request to the Macie app, the STS app or moto's S3 app."""

    def __init__(self, macie: MacieApp, sts_app: sts.StsApp, s3: WSGIApp) -> None:
        self.apps: dict[str, WSGIApp] = {auth.SERVICE: macie, sts.SERVICE: sts_app, "s3": s3}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return self.apps[service_of(environ)](environ, start_response)
