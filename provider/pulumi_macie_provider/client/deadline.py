"""Time limits on the calls a client makes: no attempt starts, and no retry waits, past a deadline.

A host sets the limit of one operation (a resource's ``customTimeouts``) around the hook call with
``time_limit(seconds)``; every client made by ``make_client`` honours it in the thread that set it.
Without a limit, calls are bounded by the client's connect and read timeouts and its retry count.
The same wrapper of botocore's retry handler keeps Macie's hard limits (``NOT_RETRIED``) from being
retried as throttling.

``cancel()`` (the engine's Cancel: Ctrl-C) ends every operation of the process at its next step: no
new attempt is sent, a retry's back-off and a hook's wait end at once. ``settling()`` lets a hook
whose create may have been carried out still ask Macie what it holds, for ``SETTLE_SECONDS``, after a
cancel or a deadline, so that nothing it made is forgotten.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("macie_deadline", default=None)
_SETTLING: ContextVar[bool] = ContextVar("macie_settling", default=False)
_CANCELLED = threading.Event()

#: How long a hook may still ask Macie what it holds after a cancel or a deadline (``settling``).
SETTLE_SECONDS = 15.0


class Interrupted(Exception):
    """An operation stopped before Macie answered it for good. (No botocore import here: the
    provider's hooks import this module at start-up, botocore only at their first call.)"""


class DeadlineExceeded(Interrupted):
    """The operation's time limit ran out."""


class Cancelled(Interrupted):
    """The engine cancelled the run (Ctrl-C)."""


class CallRecord:
    """What the attempts of one call met, as the retry handler saw each of them: how many there were,
    and whether any may have been carried out without an answer saying so (no answer, or a 5xx)."""

    def __init__(self) -> None:
        self.attempts = 0
        self.maybe_done = False


_CALL: ContextVar[CallRecord | None] = ContextVar("macie_call", default=None)


@contextmanager
def recording() -> Iterator[CallRecord]:
    """Record the attempts of the calls made in the block (by clients of ``make_client``)."""
    record = CallRecord()
    token = _CALL.set(record)
    try:
        yield record
    finally:
        _CALL.reset(token)


def _note(kwargs: dict[str, Any]) -> None:
    record = _CALL.get()
    if record is None:
        return
    record.attempts += 1
    response = kwargs.get("response")
    if kwargs.get("caught_exception") is not None or (
        response is not None and getattr(response[0], "status_code", 0) >= 500
    ):
        record.maybe_done = True


def cancel() -> None:
    """End every operation of this process at its next step (the engine's Cancel)."""
    _CANCELLED.set()


def cancelled() -> bool:
    """Whether the run was cancelled, outside a ``settling`` block."""
    return _CANCELLED.is_set() and not _SETTLING.get()


def pause(seconds: float) -> None:
    """Sleep ``seconds``, or raise Cancelled as soon as the run is cancelled."""
    if seconds > 0 and not _SETTLING.get():
        if _CANCELLED.wait(seconds):
            raise Cancelled("the run was cancelled")
    elif seconds > 0:
        time.sleep(seconds)


@contextmanager
def settling(seconds: float = SETTLE_SECONDS) -> Iterator[None]:
    """Let the calls in the block run after a cancel or past the deadline, for at most ``seconds``."""
    token = _SETTLING.set(True)
    try:
        with time_limit(seconds):
            yield
    finally:
        _SETTLING.reset(token)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Bound the calls made inside the block to ``seconds`` from now (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline, or None without one."""
    left = _left()
    return None if left is None else left[0]


def _left() -> tuple[float, float] | None:
    """(seconds left, the limit) of the current deadline, or None."""
    current = _DEADLINE.get()
    if current is None:
        return None
    deadline, limit = current
    return deadline - time.monotonic(), limit


#: Error codes that botocore's standard mode retries as throttling but that are Macie's hard limits
#: (too many member accounts or S3 resources): waiting does not lift them.
NOT_RETRIED = frozenset({"LimitExceededException"})


def _error_code(kwargs: dict[str, Any]) -> str | None:
    response = kwargs.get("response")
    if response is not None and isinstance(response[1], dict):
        code = response[1].get("Error", {}).get("Code")
        return code if isinstance(code, str) else None
    return None


def _last_error(kwargs: dict[str, Any]) -> str:
    response = kwargs.get("response")
    if response is not None and isinstance(response[1], dict):
        error = response[1].get("Error", {})
        if error.get("Code"):
            return f"{error['Code']}: {error.get('Message', '')}"
    exception = kwargs.get("caught_exception")
    return str(exception) if exception is not None else "no answer"


def retry_config(settings: Any) -> Any:
    """botocore's ``retries`` setting for a client of ``settings``. In standard mode botocore counts
    every attempt (``total_max_attempts``); its own handler's answer is then overruled by the one that
    ``bound_by_deadline`` puts first, which makes the same decision and can also decline."""
    if settings.retry_mode == "standard":
        return {"mode": "standard", "total_max_attempts": settings.max_attempts}
    return {"mode": settings.retry_mode, "max_attempts": settings.max_attempts}


class StandardRetries:
    """botocore's standard retry decision (which errors, how long to wait, the retry quota), built from
    the public classes of ``botocore.retries.standard`` as botocore builds its own handler."""

    def __init__(self, max_attempts: int) -> None:
        import inspect

        from botocore.retries import quota, standard

        self._adapter = standard.RetryEventAdapter()
        detector = standard.ThrottlingErrorDetector(self._adapter)

        def made(cls: Any, *args: Any) -> Any:
            # Newer botocore waits longer after throttling and charges it less quota, given the detector.
            takes = "throttling_detector" in inspect.signature(cls).parameters
            return cls(*args, throttling_detector=detector) if takes else cls(*args)

        self._quota = made(standard.RetryQuotaChecker, quota.RetryQuota())
        self._policy = standard.RetryPolicy(
            retry_checker=standard.StandardRetryConditions(max_attempts=max_attempts),
            retry_backoff=made(standard.ExponentialBackoff),
        )

    def delay(self, kwargs: dict[str, Any]) -> float | None:
        """Seconds to wait before the next attempt, or None not to retry (``needs-retry``'s arguments)."""
        context = self._adapter.create_retry_context(**kwargs)
        if self._policy.should_retry(context) and self._quota.acquire_retry_quota(context):
            delay: float = self._policy.compute_retry_delay(context)
            return delay
        self._adapter.adapt_retry_response_from_context(context)
        return None

    def release(self, **kwargs: Any) -> None:
        """``after-call``: give back the quota a successful call's retries took."""
        self._quota.release_retry_quota(**kwargs)


def bound_by_deadline(client: Any, max_attempts: int) -> None:
    """Make ``client`` honour ``time_limit`` and ``cancel``: checked before each attempt, and before and
    during each retry wait.

    In standard mode the retry decision is made by a ``needs-retry`` handler put before botocore's own
    (botocore's events take the first answer that is not None): it answers ``False`` for no retry, or
    waits here, where a cancel ends the wait, and answers 0 (retry now). botocore's handler still runs;
    its answer is not used.
    """
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()

    def before_send(**_: Any) -> None:
        if cancelled():
            raise Cancelled("the run was cancelled (Ctrl-C) before the call was made")
        left = _left()
        if left is not None and left[0] <= 0:
            raise DeadlineExceeded(f"the time limit of {left[1]:g}s ran out before the call was made")

    events.register(f"before-send.{service}", before_send, unique_id=f"deadline-{service}")
    if client.meta.config.retries.get("mode") != "standard":
        return
    retries = StandardRetries(max_attempts)

    def needs_retry(**kwargs: Any) -> float | bool:
        _note(kwargs)
        if _error_code(kwargs) in NOT_RETRIED:
            return False
        delay = retries.delay(kwargs)
        if delay is None:
            return False
        left = _left()
        if left is None or delay < left[0]:
            try:
                pause(delay)
            except Cancelled:
                raise Cancelled(
                    f"the run was cancelled (Ctrl-C) after {kwargs.get('attempts')} attempts; "
                    f"the last answer was {_last_error(kwargs)}"
                ) from None
            return 0
        raise DeadlineExceeded(
            f"the time limit of {left[1]:g}s ran out after {kwargs.get('attempts')} "
            f"attempts; the last answer was {_last_error(kwargs)}"
        )

    events.register_first(f"needs-retry.{service}", needs_retry, unique_id=f"deadline-retry-{service}")
    events.register(f"after-call.{service}", retries.release, unique_id=f"deadline-quota-{service}")
