"""The items of a list action per owner, kept by the provider process so that reading N resources
costs about N/250 calls, and kept current by its own writes so that a read never serves what a write
changed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any


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
