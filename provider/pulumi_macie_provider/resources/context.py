"""What the hooks need to reach Macie, built inside the provider process and never serialised.

``Settings`` come from the stack config (``macie:region``, ``macie:endpointUrl``, ``macie:profile``,
``macie:maxAttempts``) with the standard AWS environment and credential chain behind them. Clients are
made lazily, one per settings, shared by the provider process's threads. ``ListCache`` keeps the
pages of a list action per account so that reading N resources costs about N/250 calls, and is
updated by this process's own writes so a read never serves what a write changed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..client import ClientSettings
from ..client.deadline import CallRecord, Cancelled, Interrupted, cancelled, pause, recording, remaining
from ..errors import CancelledError, ConfigurationError, MacieApiError
from ._schema import SCHEMA
from .validation import check_config, coerce

CONFIG_KEYS = ("region", "endpointUrl", "profile", "maxAttempts")

_clients: dict[ClientSettings, Any] = {}
_clients_lock = threading.Lock()


def config_values(get: Callable[[str], Any]) -> dict[str, Any]:
    """The provider's config values by key (``region``...), read with ``get("macie:region")``...;
    a whole number given as digits (stack config is text) becomes a number."""
    values: dict[str, Any] = {key: get(f"macie:{key}") for key in CONFIG_KEYS}
    for key, value in values.items():
        if isinstance(value, str) and SCHEMA["config"][key]["type"] == "integer":
            try:
                values[key] = int(value)
            except ValueError:
                pass
        elif value is not None:
            values[key] = coerce(SCHEMA["config"][key], value)[0]
    return values


def settings_from_values(values: dict[str, Any]) -> tuple[ClientSettings, list[tuple[str, str]]]:
    """Settings from config values (keys without the ``macie:`` namespace), and the failures of bad
    values, each naming its ``macie:`` key and the rule."""
    failures = check_config(values)
    if failures:
        return ClientSettings(), failures
    settings = ClientSettings(
        # botocore reads AWS_DEFAULT_REGION and the profile itself; AWS_REGION is the newer convention.
        region=values.get("region") or os.environ.get("AWS_REGION") or None,
        endpoint_url=values.get("endpointUrl") or None,
        profile=values.get("profile") or None,
        max_attempts=values.get("maxAttempts") or 8,
    )
    try:
        settings.validate()
    except ConfigurationError as error:
        return ClientSettings(), [("macie:config", str(error))]
    return settings, []


def settings_from_config(get: Callable[[str], Any]) -> tuple[ClientSettings, list[tuple[str, str]]]:
    """Settings from config values (``get("macie:region")``...), and the failures of bad values."""
    return settings_from_values(config_values(get))


def client_for(settings: ClientSettings) -> Any:
    """The shared client for ``settings``, made on first use (boto3 is imported only then)."""
    from botocore.exceptions import NoRegionError

    from ..client.factory import make_client

    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            try:
                client = make_client(settings)
            except NoRegionError:
                raise ConfigurationError(
                    "no AWS region: set it with `pulumi config set macie:region us-east-1` or AWS_REGION"
                ) from None
            _clients[settings] = client
        return client


#: How long a hook waits, at most, for what another resource of the same run is doing (a member
#: account being associated, its S3 resources being removed); customTimeouts may shorten it.
DEPENDENCY_WAIT = 120.0

#: How a program orders a member account and its S3 resources, for the messages of a wait that ran out.
ORDER_HINT = (
    "if the program declares that member, pass the MacieMemberAccount's output as the S3 resource's "
    "memberAccountId (Python: member_account_id=member.member_account_id; TypeScript: "
    "memberAccountId: member.memberAccountId; YAML: ${member.memberAccountId}) so that the engine orders the two"
)


def wait_until(condition: Callable[[], bool], limit: float = DEPENDENCY_WAIT) -> bool:
    """Poll ``condition`` with growing pauses until it holds (True) or the wait runs out (False);
    raises CancelledError as soon as the run is cancelled."""
    left = remaining()
    end = time.monotonic() + (limit if left is None else max(0.0, min(limit, left - 0.5)))
    interval = 0.2
    while not condition():
        if time.monotonic() + interval > end:
            return False
        try:
            if cancelled():
                raise Cancelled
            pause(interval)
        except Cancelled:
            raise CancelledError(
                "the run was cancelled (Ctrl-C) while this waited for another resource; nothing was changed"
            ) from None
        interval = min(interval * 1.5, 2.0)
    return True


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
            raise MacieApiError(action, type(error).__name__, str(error), subject, maybe_done=maybe_done) from None


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


class ListCache:
    """Items of a list action per owner, filled once by paging and kept current by our writes.

    A fill that overlaps one of our writes for the same owner is used for that one read but not kept,
    so the cache never holds a list from before a write it did not see.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: dict[Any, dict[Any, Any]] = {}
        self._fill_locks: dict[Any, threading.Lock] = {}
        self._generation: dict[Any, int] = {}

    def items(self, owner: Any, fetch: Callable[[], Iterator[tuple[Any, Any]]]) -> dict[Any, Any]:
        """The items of ``owner``, fetched with ``fetch`` (yielding key, item) when not cached."""
        with self._lock:
            fill_lock = self._fill_locks.setdefault(owner, threading.Lock())
        with fill_lock:
            with self._lock:
                cached = self._owners.get(owner)
                generation = self._generation.get(owner, 0)
            if cached is not None:
                return cached
            fetched = dict(fetch())
            with self._lock:
                if self._generation.get(owner, 0) == generation:
                    self._owners[owner] = fetched
            return fetched

    def put(self, owner: Any, key: Any, item: Any) -> None:
        """Record our own successful write of ``item``."""
        with self._lock:
            self._generation[owner] = self._generation.get(owner, 0) + 1
            if owner in self._owners:
                self._owners[owner][key] = item

    def remove(self, owner: Any, key: Any) -> None:
        """Record our own successful removal of ``key``."""
        with self._lock:
            self._generation[owner] = self._generation.get(owner, 0) + 1
            if owner in self._owners:
                self._owners[owner].pop(key, None)

    def forget(self, owner: Any) -> None:
        """Drop what is cached for ``owner``; the next read lists it afresh."""
        with self._lock:
            self._generation[owner] = self._generation.get(owner, 0) + 1
            self._owners.pop(owner, None)
