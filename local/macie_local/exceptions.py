"""Errors the local endpoint answers, one class per AWS error code.

::

    ServiceError
    ├── modelled errors (shapes in the service model)
    │   ├── AccessDeniedException      400  {message, resourceType}
    │   ├── InternalException          500  {errorCode, message}
    │   ├── InvalidInputException      400  {errorCode, message, fieldName}
    │   └── LimitExceededException     400  {errorCode, message, resourceType}
    └── protocol errors (common to every AWS JSON service)
        ├── MissingAuthenticationToken 403   ├── InvalidClientTokenId   403
        ├── IncompleteSignature        400   ├── SignatureDoesNotMatch  403
        ├── RequestExpired             400   ├── InvalidAction          400
        ├── MissingAction              400   ├── SerializationException 400
        ├── RequestEntityTooLarge      413   ├── ThrottlingException    400
        ├── ServiceUnavailable         503   └── ExpiredTokenException  403
        └── STS's own (query protocol)
            ├── AccessDenied           403
            ├── ValidationError        400
            └── ExpiredToken           403

The wire form is ``{"__type": code, "message": ..., **members}`` with header ``x-amzn-ErrorType``;
STS (``sts``) answers the protocol errors in its XML error shape instead, an expired session token as
``ExpiredToken`` where the JSON protocol says ``ExpiredTokenException``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    """An error answered to the client; subclasses fix the code and the HTTP status."""

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 500
    modelled: ClassVar[bool] = False

    def __init__(self, message: str, **members: Any) -> None:
        super().__init__(message)
        self.message = message
        self.members = {k: v for k, v in members.items() if v is not None}

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "message": self.message, **self.members}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = cls.__name__


class _Modelled(ServiceError):
    modelled = True


class AccessDeniedException(_Modelled):
    status = 400


class InternalException(_Modelled):
    status = 500


class InvalidInputException(_Modelled):
    status = 400


class LimitExceededException(_Modelled):
    status = 400


class MissingAuthenticationToken(ServiceError):
    status = 403


class InvalidClientTokenId(ServiceError):
    status = 403


class IncompleteSignature(ServiceError):
    status = 400


class SignatureDoesNotMatch(ServiceError):
    status = 403


class RequestExpired(ServiceError):
    status = 400


class InvalidAction(ServiceError):
    status = 400


class MissingAction(ServiceError):
    status = 400


class SerializationException(ServiceError):
    status = 400


class RequestEntityTooLarge(ServiceError):
    status = 413


class ThrottlingException(ServiceError):
    status = 400


class ServiceUnavailable(ServiceError):
    status = 503


class ExpiredTokenException(ServiceError):
    """A session's temporary credentials used after they expired."""

    status = 403


class AccessDenied(ServiceError):
    """STS: the caller may not assume the role (unknown, untrusting, or the external ID missing or wrong)."""

    status = 403


class ValidationError(ServiceError):
    """STS: a parameter breaks the API's constraints."""

    status = 400


class ExpiredToken(ServiceError):
    """STS's code for ``ExpiredTokenException``."""

    status = 403


def all_error_classes() -> list[type[ServiceError]]:
    """Every error class the endpoint can answer with."""
    found: list[type[ServiceError]] = []
    pending = [ServiceError]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if not sub.__name__.startswith("_"):
                found.append(sub)
    return found
