"""One Macie call, as the hooks make it: botocore's errors turned into ``MacieApiError`` naming the
action, the resource and AWS's error, and saying whether the call may have been carried out
(``maybe_done``), from what botocore's retry handler saw of each attempt."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..client.deadline import CallRecord, Interrupted, recording
from ..errors import MacieApiError


@contextmanager
def api_call(action: str, subject: str) -> Iterator[None]:
    """Turn botocore's errors into MacieApiError naming the action, the resource and AWS's error."""
    from botocore.exceptions import BotoCoreError, ClientError

    with recording() as record:
        try:
            yield
        except ClientError as error:
            raise _api_error(action, subject, error, record) from None
        except (BotoCoreError, Interrupted) as error:
            # No answer (a dropped connection, a timeout, a deadline, a cancel): done or not is unknown,
            # unless every attempt the retry handler saw was answered (a deadline or cancel then came
            # before the next one was sent).
            maybe_done = record.maybe_done if record.attempts else not isinstance(error, Interrupted)
            message, attempts = str(error), max(record.attempts, 1)
            if attempts > 1 and not isinstance(error, Interrupted):  # a deadline or cancel says its attempts
                message += f" (after {attempts} attempts)"
            raise MacieApiError(
                action, type(error).__name__, message, subject, attempts, maybe_done=maybe_done
            ) from None


def _api_error(action: str, subject: str, error: Any, record: CallRecord) -> MacieApiError:
    """The MacieApiError of botocore's ClientError."""
    info = error.response.get("Error", {})
    metadata = error.response.get("ResponseMetadata", {})
    attempts = metadata.get("RetryAttempts", 0)
    message = info.get("Message") or str(error)
    if info.get("Code") == "LimitExceededException":
        message += _limit_advice(error.response.get("resourceType"))
    if attempts:
        message += f" (after {attempts + 1} attempts)"
    # Done or not: a 5xx or a lost answer to any attempt leaves it unknown; refusals (throttling
    # included) to every attempt changed nothing. (Without a record: a retried call is unknown.)
    unrecorded = bool(attempts) or metadata.get("HTTPStatusCode", 0) >= 500
    maybe_done = record.maybe_done if record.attempts else unrecorded
    return MacieApiError(action, info.get("Code", "Unknown"), message, subject, attempts + 1, maybe_done=maybe_done)


def _limit_advice(resource_type: Any) -> str:
    """What to do past one of Macie's limits (which are not retried)."""
    what = {"MemberAccount": "member accounts", "S3Resource": "S3 resources"}.get(resource_type, "associations")
    return (
        f" (resourceType {resource_type or 'unknown'}): a limit of Macie, not throttling, so it is not retried; "
        f"disassociate {what} you no longer need, or ask AWS to raise the account's limit"
    )
