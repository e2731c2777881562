"""Durable state of the local endpoint: SQLite in WAL mode, one write transaction at a time.

Tables:
- ``members``: (region, master, account_id) — an account is a member of at most one master a region.
- ``s3_resources``: (region, master, member, bucket, prefix) with the classification; ``member`` is the
  master's own ID for the master's resources, ``prefix`` is '' for a whole bucket.
- ``meta``: the secret that signs pagination tokens, so tokens survive a restart.

Rows are listed in insertion order (``id``), which keeps pagination stable while others write.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL,
    master TEXT NOT NULL,
    account_id TEXT NOT NULL,
    UNIQUE (region, account_id)
);
CREATE INDEX IF NOT EXISTS members_by_master ON members (region, master, id);
CREATE TABLE IF NOT EXISTS s3_resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL,
    master TEXT NOT NULL,
    member TEXT NOT NULL,
    bucket TEXT NOT NULL,
    prefix TEXT NOT NULL,
    one_time TEXT NOT NULL,
    continuous TEXT NOT NULL,
    UNIQUE (region, master, member, bucket, prefix)
);
CREATE INDEX IF NOT EXISTS s3_by_owner ON s3_resources (region, master, member, id);
"""


class StateError(Exception):
    """The state file cannot be opened or is not this endpoint's SQLite database."""


def default_state_path() -> str:
    """``$XDG_DATA_HOME/macie-local/state.sqlite3`` (``~/.local/share`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "macie-local", "state.sqlite3")


class Store:
    """A SQLite database shared by the server's threads; ``transaction()`` serialises writers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            if path != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._open()
        except (OSError, ValueError, sqlite3.Error) as error:
            if hasattr(self, "_db"):
                self._db.close()
            raise StateError(str(error)) from error

    def _open(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives the process being killed.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self.transaction() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE key='token_secret'").fetchone()
            if row is None:
                self.token_secret = secrets.token_bytes(32)
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('token_secret', ?)",
                    (self.token_secret.hex(),),
                )
            else:
                self.token_secret = bytes.fromhex(row[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: committed when the block ends, rolled back if it raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def integrity_check(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
