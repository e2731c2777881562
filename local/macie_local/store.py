"""Durable state of the local endpoint: SQLite in WAL mode, one write transaction at a time.

Tables:
- ``members``: (region, master, account_id) — an account is a member of at most one master a region.
- ``s3_resources``: (region, master, member, bucket, prefix) with the classification; ``member`` is the
  master's own ID for the master's resources, ``prefix`` is '' for a whole bucket.
- ``s3_counts``: (region, master, member) → how many ``s3_resources`` rows it has, kept by triggers in
  the transaction of every insert and delete, so the limit check reads one row instead of counting an
  account's associations (a count that grows with them). A state file from before the table is
  counted once, when it is opened.
- ``meta``: the secret that signs pagination tokens, so tokens survive a restart.

Rows are listed in insertion order (``id``), which keeps pagination stable while others write; a page
is a range of the ``s3_by_owner`` index, so its cost does not grow with the rows before or after it.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: The tables, indexes and triggers, one statement each (a trigger's body has semicolons of its own).
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS members (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        region TEXT NOT NULL,
        master TEXT NOT NULL,
        account_id TEXT NOT NULL,
        UNIQUE (region, account_id)
    )""",
    "CREATE INDEX IF NOT EXISTS members_by_master ON members (region, master, id)",
    """CREATE TABLE IF NOT EXISTS s3_resources (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        region TEXT NOT NULL,
        master TEXT NOT NULL,
        member TEXT NOT NULL,
        bucket TEXT NOT NULL,
        prefix TEXT NOT NULL,
        one_time TEXT NOT NULL,
        continuous TEXT NOT NULL,
        UNIQUE (region, master, member, bucket, prefix)
    )""",
    "CREATE INDEX IF NOT EXISTS s3_by_owner ON s3_resources (region, master, member, id)",
)

#: The per-owner count of ``s3_resources`` and the triggers that keep it (no UPSERT: any SQLite 3 runs
#: them). Rows are only inserted and deleted, never moved to another owner, so these two suffice.
COUNTS = (
    """CREATE TABLE s3_counts (
        region TEXT NOT NULL,
        master TEXT NOT NULL,
        member TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (region, master, member)
    )""",
    """INSERT INTO s3_counts (region, master, member, count)
        SELECT region, master, member, COUNT(*) FROM s3_resources GROUP BY region, master, member""",
)
COUNT_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS s3_counts_insert AFTER INSERT ON s3_resources BEGIN
        INSERT OR IGNORE INTO s3_counts (region, master, member, count)
            VALUES (NEW.region, NEW.master, NEW.member, 0);
        UPDATE s3_counts SET count = count + 1
            WHERE region = NEW.region AND master = NEW.master AND member = NEW.member;
    END""",
    """CREATE TRIGGER IF NOT EXISTS s3_counts_delete AFTER DELETE ON s3_resources BEGIN
        UPDATE s3_counts SET count = count - 1
            WHERE region = OLD.region AND master = OLD.master AND member = OLD.member;
        DELETE FROM s3_counts
            WHERE region = OLD.region AND master = OLD.master AND member = OLD.member AND count = 0;
    END""",
)


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
            for statement in SCHEMA:
                db.execute(statement)
            if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='s3_counts'").fetchone():
                for statement in COUNTS:  # a new file, or one from before the counts: count its rows once
                    db.execute(statement)
            for statement in COUNT_TRIGGERS:
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
