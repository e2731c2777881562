"""Waiting for what another resource of the same run is doing (a member account being associated, its
S3 resources being removed): bounded by ``DEPENDENCY_WAIT`` and the operation's deadline, ended at
once by a cancel."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..client.deadline import Cancelled, cancelled, pause, remaining
from ..errors import CancelledError

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
