"""IT's appointments file: every problem named by file, entry and expectation; loading all
or nothing, by the command `kiosk-hub appointments load`."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from hub.appointments import cli as appointments_cli
from hub.appointments.catalog import LANGUAGES
from hub.appointments.loading import DEMO_APPOINTMENTS, store_catalog
from hub.appointments.yaml_file import AppointmentFileError, parse_document, read_file
from hub.db import make_engine
from hub.migrate import ready_database

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
SMALL = """\
sites:
  town-hall:
    name: {en: Town Hall, cy: Neuadd y Dref}
    address: 1 High Street, Demo Town, DE99 1AA
types:
  council-tax:
    name: {en: Council Tax help}
    description: {en: Talk about your bill}
    bring: {en: Your latest bill}
    minutes: 20
templates:
  - site: town-hall
    type: council-tax
    weekdays: [mon, thu]
    opens: "10:00"
    closes: "12:00"
"""


def test_the_demo_file_has_every_text_in_five_languages() -> None:
    catalog = read_file(DEMO_APPOINTMENTS)
    assert list(catalog.sites) == ["central-library", "northfield-library", "demo-community-hub"]
    assert {k: t.minutes for k, t in catalog.types.items()} == {"housing-advice": 30,
                                                                "register-birth": 45}
    for kind in catalog.types.values():
        for text in (kind.names, kind.descriptions, kind.bring):
            assert set(text.texts) == set(LANGUAGES)
    for site in catalog.sites.values():
        assert set(site.names.texts) == set(LANGUAGES)
    offering = {(t.site, t.type) for t in catalog.templates}
    assert offering == {("central-library", "housing-advice"), ("central-library", "register-birth"),
                        ("northfield-library", "housing-advice"),
                        ("demo-community-hub", "housing-advice"),
                        ("demo-community-hub", "register-birth")}


def test_every_problem_is_named_with_its_entry() -> None:
    document = yaml.safe_load(SMALL)
    document["types"]["council-tax"]["name"] = {"cy": "Treth y Cyngor"}
    document["templates"] += [
        {"site": "town-hall", "type": "council-tax", "weekdays": ["tue"], "opens": 570,
         "closes": "09:00", "capcity": 2},
        {"site": "nowhere", "type": "council-tax", "weekdays": ["funday"], "opens": "09:00",
         "closes": "17:00", "breaks": ["11:00-18:00", "lunch"], "valid_from": "soon"},
        {"site": "town-hall", "type": "council-tax", "weekdays": ["thu", "fri"],
         "opens": "14:00", "closes": "16:00"},
        {"site": "town-hall", "type": "council-tax", "weekdays": ["sat"], "opens": "15:00",
         "closes": "09:00"},
    ]
    with pytest.raises(AppointmentFileError) as caught:
        parse_document(document, "council.yaml")
    problems = caught.value.problems
    expected = [
        "council.yaml: types.council-tax.name.en: expected an English text",
        'council.yaml: templates[1].opens: expected a time in quotes like "09:30"',
        "council.yaml: templates[1].capcity: expected one of breaks, capacity, closed",
        "council.yaml: templates[2].site: expected one of the sites: town-hall, found 'nowhere'",
        "council.yaml: templates[2].weekdays: expected a list of days like [mon, tue, wed]",
        "council.yaml: templates[2].breaks: expected breaks between opens and closes",
        'council.yaml: templates[2].breaks[1]: expected a break like "12:30-13:30"',
        "council.yaml: templates[2].valid_from: expected a date like 2026-12-25, found 'soon'",
        "council.yaml: templates[3]: expected days and dates that templates[0] (same site and "
        "type) does not cover",
        "council.yaml: templates[4].closes: expected a time after opens",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)


def test_a_file_that_is_not_yaml_says_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("sites:\n  a: [unclosed\n", encoding="utf-8")
    with pytest.raises(AppointmentFileError) as caught:
        read_file(path)
    assert caught.value.problems[0].startswith(f"{path}: is not YAML at line ")


def _cli(database_url: str, *args: str) -> int:
    return appointments_cli.main([*args, "--database", database_url], environ={})


def test_load_replace_and_all_or_nothing(tmp_path: Path, database_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    small = tmp_path / "small.yaml"
    small.write_text(SMALL, encoding="utf-8")
    demo = str(DEMO_APPOINTMENTS)
    assert _cli(database_url, "load", demo) == 0
    assert "loaded 3 sites, 2 appointment types and 5 slot templates" in capsys.readouterr().out
    assert _cli(database_url, "load", str(small)) == 1
    assert "already holds 3 appointment sites: use --replace" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.replace('"12:00"', '"11:61"'), encoding="utf-8")
    assert _cli(database_url, "load", str(broken), "--replace") == 1
    said = capsys.readouterr().err
    assert "nothing was loaded (the hub's appointments are unchanged)" in said
    assert f"{broken}: templates[0].closes: expected a time in quotes" in said
    engine = make_engine(database_url)
    try:
        ready_database(engine)
        from hub.appointments.catalog import read_catalog
        with engine.connect() as connection:
            assert list(read_catalog(connection).sites) == ["central-library",
                                                            "northfield-library",
                                                            "demo-community-hub"]
        assert _cli(database_url, "load", str(small), "--replace") == 0
        with engine.connect() as connection:
            catalog = read_catalog(connection)
        assert list(catalog.sites) == ["town-hall"]
        assert catalog.sites["town-hall"].names.get("pl") == "Town Hall"  # English stands in
        assert json.loads(json.dumps(catalog.types["council-tax"].bring.texts)) == {
            "en": "Your latest bill"}
    finally:
        engine.dispose()
    assert _cli(database_url, "load", str(tmp_path / "absent.yaml")) == 1
    assert "absent.yaml: no such file" in capsys.readouterr().err


def test_replacing_refuses_to_orphan_bookings(database_url: str) -> None:
    from tests.hub.appointment_helpers import START
    engine = make_engine(database_url)
    try:
        ready_database(engine)
        store_catalog(engine, read_file(DEMO_APPOINTMENTS), NOW)
        from hub.appointments.tables import Booking
        from hub.appointments.transactions import writing
        with writing(engine) as connection:
            connection.execute(Booking.__table__.insert().values(
                id="a" * 32, reference="BK-2345-6789", status="confirmed",
                site_id="northfield-library", type_id="housing-advice",
                start=datetime(2026, 12, 9, 10, tzinfo=UTC),
                end=datetime(2026, 12, 9, 10, 30, tzinfo=UTC), seat=1, holder_digest="x",
                expires_at=START, created_at=START, updated_at=START, revision=0,
                assisted=False, language="en", terminal="", name="", email="", phone="",
                postcode="DE99 1AB", purged=False))
        smaller = yaml.safe_load(DEMO_APPOINTMENTS.read_text(encoding="utf-8"))
        del smaller["sites"]["northfield-library"]
        smaller["templates"] = [t for t in smaller["templates"]
                                if t["site"] != "northfield-library"]
        with pytest.raises(AppointmentFileError) as caught:
            store_catalog(engine, parse_document(smaller, "new.yaml"), NOW, replace=True,
                          source="new.yaml")
        assert caught.value.problems == [
            "new.yaml: 1 booking(s) from now on are for housing-advice at northfield-library, "
            "which the new file does not offer: keep it in the file (valid_to ends it) or "
            "cancel them first"]
    finally:
        engine.dispose()


def test_the_file_format_in_the_docs_loads(tmp_path: Path) -> None:
    """docs/integrations.md shows a whole file: it must be one the loader accepts."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "integrations.md").read_text(
        encoding="utf-8")
    block = text.split("## Loading your appointment templates", 1)[1].split("```yaml\n", 1)[1]
    path = tmp_path / "from-docs.yaml"
    path.write_text(textwrap.dedent(block.split("```", 1)[0]), encoding="utf-8")
    catalog = read_file(path)
    assert catalog.templates


def test_the_appointment_settings(tmp_path: Path) -> None:
    from hub.settings import load_settings
    plain = load_settings([], {"HOME": str(tmp_path)})
    assert (plain.appointment_horizon_weeks, plain.appointment_retention_days) == (8, 30)
    chosen = load_settings(["--appointment-horizon-weeks", "4"],
                           {"HOME": str(tmp_path), "KIOSK_HUB_APPOINTMENT_RETENTION_DAYS": "90"})
    assert (chosen.appointment_horizon_weeks, chosen.appointment_retention_days) == (4, 90)
    for bad in (["--appointment-horizon-weeks", "0"], ["--appointment-retention-days", "x"]):
        with pytest.raises(SystemExit) as stopped:
            load_settings(bad, {"HOME": str(tmp_path)})
        assert stopped.value.code == 2


def test_kiosk_hub_dispatches_the_appointments_command(database_url: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from hub import cli
    assert cli.main(["appointments", "load", str(DEMO_APPOINTMENTS), "--database",
                     database_url]) == 0
    assert "loaded 3 sites" in capsys.readouterr().out
