"""The simulator's journal in one SQLite file: every change appended in its own transaction.

SQLite (the standard library's) rather than a schema in PostgreSQL: the simulator stands in for
an outside system, so it gets no roles, migrations or provisioning of the ward's database, and a
file per stack and simulator (var/<simulator>/<database>.sqlite3 for `make up`) keeps two stacks
apart. Each append commits (WAL), so a SIGKILLed simulator keeps everything it answered.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Protocol

Entry = dict[str, Any]
"""One journaled change, JSON-able."""


class Journal(Protocol):
    """Where a simulator's state changes are appended, in order (JSON-able entries)."""

    def append(self, entry: Entry) -> None: ...

    def entries(self) -> list[Entry]: ...

    def clear(self) -> None: ...


class SqliteJournal:
    """Append-only entries (JSON) in table `journal`, read back in order."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)  # what it holds is personal data (made up)
        os.chmod(path, 0o600)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY, entry TEXT NOT NULL)"
        )

    def append(self, entry: Entry) -> None:
        self._db.execute("INSERT INTO journal (entry) VALUES (?)", (json.dumps(entry),))

    def entries(self) -> list[Entry]:
        rows = self._db.execute("SELECT entry FROM journal ORDER BY id").fetchall()
        return [json.loads(row[0]) for row in rows]

    def clear(self) -> None:
        self._db.execute("DELETE FROM journal")

    def close(self) -> None:
        self._db.close()
