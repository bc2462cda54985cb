"""The Alembic migrations build exactly the schema the models describe, on both databases,
adopt databases made before migrations, and refuse to let a hub start on an old schema."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from hub import db_cli
from hub.app import create_app
from hub.db import make_engine
from hub.migrate import (
    SchemaNotReady,
    all_tables,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from hub.settings import HubSettings
from tests.hub_server import REPO_ROOT, free_port
from tests.needs import require_or_skip
from tests.pg_server import PostgresServer, postgres_bin, running_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even Alembic's table."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, all_tables()))


def test_upgrade_builds_what_the_models_describe(engine: Engine) -> None:
    assert current_revision(engine) is None
    done = upgrade(engine)
    assert (done.before, done.after) == (None, head_revision())
    assert _differences(engine) == []
    assert upgrade(engine).before == head_revision()  # a second run changes nothing


def test_down_to_nothing_and_up_again(engine: Engine) -> None:
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert _differences(engine) == []


@pytest.mark.parametrize("made_by", ["0001", "0002"])
def test_a_database_from_before_migrations_is_adopted(engine: Engine, made_by: str) -> None:
    """Hubs before migrations ran create_all; their data must survive the first upgrade.
    Their tables are made as they were then (the revision's own, without Alembic's table):
    the models of today have columns later revisions add (0011's kiosk_part)."""
    tables = all_tables()
    upgrade(engine, made_by)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        _insert_request(connection, "1234567890", None)
    done = upgrade(engine)
    assert (done.before, done.after) == (made_by, head_revision())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT description FROM service_requests")).scalar() \
            == "kept"
    assert set(inspect(engine).get_table_names()) >= set(tables.tables)


def test_two_upgrades_at_once_both_succeed(empty_url: str) -> None:
    """Two hosts running `kiosk-hub db upgrade` together: one waits for the other."""
    command = [sys.executable, "-m", "hub", "db", "upgrade", "--database", empty_url]
    runs = [subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = sorted(out for out, _ in outputs)
    assert "up to date" in said[1] or "upgraded" in said[1]
    assert any("upgraded from revision (empty)" in out for out, _ in outputs)
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) == head_revision()
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_db_current_says_whether_an_upgrade_is_needed(empty_url: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert db_cli.main(["current", "--database", empty_url], environ={}) == 1
    assert f"is at revision (none); this hub needs {head_revision()}" in capsys.readouterr().out
    assert db_cli.main(["upgrade", "--database", empty_url], environ={}) == 0
    assert "upgraded from revision (empty)" in capsys.readouterr().out
    assert db_cli.main(["current", "--database", empty_url], environ={}) == 0
    assert f"is at revision {head_revision()}" in capsys.readouterr().out


def test_postgres_hub_will_not_start_on_an_old_schema(postgres: PostgresServer) -> None:
    name = f"old_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(name)
    try:
        engine = make_engine(url)
        upgrade(engine, "0001")
        engine.dispose()
        with pytest.raises(SchemaNotReady, match="run `kiosk-hub db upgrade`"):
            create_app(HubSettings(database_url=url))
        started = subprocess.run([sys.executable, "-m", "hub", "--database", url, "--port",
                                  str(free_port())], cwd=REPO_ROOT, capture_output=True,
                                 text=True, timeout=60, check=False)
        assert started.returncode == 2
        assert "is at revision 0001; this hub needs" in started.stderr
        assert "Traceback" not in started.stderr
    finally:
        postgres.drop_database(name)


COLLECTION_TABLES = {"collection_bins", "collection_rounds", "collection_exceptions"}


def test_the_collection_calendar_revision_goes_up_and_down_keeping_the_gazetteer(
        engine: Engine) -> None:
    upgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO gazetteer_addresses (uprn, seq, postcode_key, postcode, organisation, "
            "saon, paon, street, locality, town, lat, long) VALUES ('1', 0, 'DE991AB', "
            "'DE99 1AB', '', '', '1', 'Lane', '', 'Town', 52.5, -1.5)"))
    assert not COLLECTION_TABLES & set(inspect(engine).get_table_names())
    assert upgrade(engine, "0006").after == "0006"
    assert set(inspect(engine).get_table_names()) >= COLLECTION_TABLES
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO collection_rounds (uprn, bin, every_weeks, "
                                "reference_date, round_name) VALUES ('1', 'food', 1, "
                                "'2026-01-06', '')"))
        # One round per UPRN and bin type: the key says so.
        duplicate = connection.begin_nested()
        with pytest.raises(IntegrityError):
            connection.execute(text("INSERT INTO collection_rounds (uprn, bin, every_weeks, "
                                    "reference_date, round_name) VALUES ('1', 'food', 2, "
                                    "'2026-01-07', '')"))
        duplicate.rollback()
    downgrade(engine, "0005")
    assert not COLLECTION_TABLES & set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT street FROM gazetteer_addresses")).scalar() \
            == "Lane"


def test_sqlite_hub_upgrades_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    app = create_app(HubSettings(database_url=url))
    try:
        assert current_revision(app.state.hub.engine) == head_revision()
    finally:
        app.state.hub.engine.dispose()


def test_unreachable_database_is_one_line() -> None:
    url = f"postgresql://nobody:secret-password@127.0.0.1:{free_port()}/hub"
    result = subprocess.run([sys.executable, "-m", "hub", "db", "upgrade", "--database", url],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "cannot use the database postgresql://nobody:***@127.0.0.1" in result.stderr
    assert "secret-password" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_server_whose_owner_died_is_stopped_by_the_next() -> None:
    """A test run killed outright cannot stop its server; the next run does."""
    require_or_skip(postgres_bin() is not None, "the PostgreSQL server is not installed")
    script = ("import os, sys; sys.path.insert(0, sys.argv[1]); "
              "from tests.pg_server import running_postgres\n"
              "with running_postgres() as server:\n"
              "    print(server.folder, flush=True); os._exit(0)\n")  # dies holding it
    orphaned = subprocess.run([sys.executable, "-c", script, str(REPO_ROOT)], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120, check=True)
    folder = Path(orphaned.stdout.strip())
    pid = int((folder / "data" / "postmaster.pid").read_text(encoding="ascii").split()[0])
    with running_postgres():
        assert not folder.exists()
        # pg_ctl returns once the pid file is gone, a moment before the process itself.
        deadline = time.monotonic() + 10
        while _exists(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _exists(pid)


def _exists(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping remains


def _insert_request(connection: Any, request_id: str, reference: str | None,
                    part: str | None = None) -> None:
    columns = ("service_request_id, service_code, service_name, status, status_notes, "
               "service_notice, description, address_string, address_id, email, phone, "
               "first_name, last_name, device_id, account_id, media_url, attributes, "
               "kiosk_reference, requested_datetime, updated_datetime, agency_responsible")
    values = (":id, 'FEEDBACK', 'Feedback', 'open', '', '', 'kept', '', '', '', '', '', '', "
              "'', '', '', '{}', :reference, '2026-03-01 09:00:00', '2026-03-01 09:00:00', ''")
    if part is not None:
        columns, values = columns + ", kiosk_part", values + ", :part"
    connection.execute(text(f"INSERT INTO service_requests ({columns}) VALUES ({values})"),
                       {"id": request_id, "reference": reference, "part": part})


def test_request_parts_revision_keeps_every_request_and_keys_by_reference_and_part(
        engine: Engine) -> None:
    """0011: a reference is unique per part ("tell us once"), on a database in use."""
    upgrade(engine, "0010")
    with engine.begin() as connection:
        _insert_request(connection, "1000000001", "AB2CD3EF")
        _insert_request(connection, "1000000002", None)
        _insert_request(connection, "1000000003", None)
    assert upgrade(engine, "0011").after == "0011"
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT service_request_id, kiosk_reference, kiosk_part, "
                                       "description FROM service_requests "
                                       "ORDER BY service_request_id")).all()
        assert [tuple(r) for r in rows] == [("1000000001", "AB2CD3EF", "", "kept"),
                                            ("1000000002", None, "", "kept"),
                                            ("1000000003", None, "", "kept")]
        _insert_request(connection, "1000000004", "AB2CD3EF", "council_tax")
        _insert_request(connection, "1000000005", "AB2CD3EF", "electoral")
        _insert_request(connection, "1000000006", "XY2ZA3BC")  # an older hub: no part given
        for twin in (("1000000007", "AB2CD3EF", "electoral"), ("1000000008", "AB2CD3EF", "")):
            duplicate = connection.begin_nested()
            with pytest.raises(IntegrityError):
                _insert_request(connection, *twin)
            duplicate.rollback()
    assert _differences(engine) == []
    with engine.begin() as connection:  # back down needs one request per reference again
        connection.execute(text("DELETE FROM service_requests WHERE kiosk_part <> ''"))
    downgrade(engine, "0010")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM service_requests")).scalar() == 4
        duplicate = connection.begin_nested()
        with pytest.raises(IntegrityError):
            _insert_request(connection, "1000000009", "AB2CD3EF")
        duplicate.rollback()
