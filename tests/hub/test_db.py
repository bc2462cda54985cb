"""Durability settings the outbox relies on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from hub.db import make_engine


def test_sqlite_runs_wal_with_full_sync(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'hub.db'}")
    try:
        for _ in range(2):  # every pooled connection, not only the first
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
    finally:
        engine.dispose()
    assert (tmp_path / "deep" / "folder" / "hub.db").exists()
