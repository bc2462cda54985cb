"""Alembic migrations for the hub's database, the same scripts for SQLite and PostgreSQL.

Run by `hub.migrate` (`kiosk-hub db upgrade`, and at start-up for a SQLite hub); there is no
alembic.ini. A schema change is a new file in `versions/` (copy the latest, give it the next
number as `revision` and the latest as `down_revision`); `tests/hub/test_migrations.py`
fails until the migrations build exactly what the models in `hub.db` describe.
"""
