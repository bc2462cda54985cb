"""The collection calendar tables: importing bin types, rounds and exceptions (good rows,
malformed rows named by file and line, replace and add), and `bin-collections` answering
from the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hub.collections_cli import main as collections_main
from hub.collections_import import calendar_counts, import_calendar
from hub.collections_table import TableCalendar
from hub.db import make_engine
from hub.gazetteer_table import import_csv
from hub.lookup_sources.bin_types import CollectionsFileError
from hub.lookup_sources.bins import BinCollectionsSource
from hub.lookup_sources.csv_file import RowProblem
from hub.migrate import ready_database
from tests.hub.helpers import API_KEY

BINS = """bins:
  general: {colour: black, name: {en: Black bin, cy: Bin du}}
  recycling: {colour: blue, name: {en: Blue bin}}
  glass: {colour: purple, name: {en: Purple box}}
"""
ROUNDS = """# export of 1 December 2026
UPRN,Bin Type,Frequency,Reference Date,Collection Day,Week,Round
100000000001,general,Fortnightly,2026-12-15,Tue,,TUE-A
100000000001,Recycling,2,22/12/2026,,,TUE-B
100000000001,glass,every 4 weeks,,Monday,2,MON-GLASS
100000000002,general,weekly,,Friday,,FRI
"""
EXCEPTIONS = """ORIGINAL_DATE,NEW_DATE,BIN_TYPE,ROUND
2026-12-29,2026-12-30,,
2027-01-01,2027-01-02,,
2026-12-25,none,,
2027-01-12,2027-01-13,recycling,
2027-01-05,2027-01-07,recycling,TUE-B
2027-01-08,none,,
2027-01-08,2027-01-09,general,FRI
"""
GAZETTEER = ("UPRN,BUILDING_NUMBER,STREET,TOWN,POSTCODE,LATITUDE,LONGITUDE\n"
             "100000000001,1,High Street,Testford,TF1 1AA,52.5,-1.5\n"
             "100000000002,2,High Street,Testford,TF1 1AA,52.5,-1.5\n")
WEEK_ONE = date(2026, 11, 30)  # a Monday: week 2 is from 7 December


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Engine:
    engine = make_engine(database_url)
    ready_database(engine)
    import_csv(engine, write(tmp_path, "gazetteer.csv", GAZETTEER))
    return engine


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {"bins": write(tmp_path, "bins.yaml", BINS),
            "rounds": write(tmp_path, "rounds.csv", ROUNDS),
            "exceptions": write(tmp_path, "exceptions.csv", EXCEPTIONS)}


def load(engine: Engine, files: dict[str, Path], **options: object) -> None:
    outcome = import_calendar(engine, week_one=WEEK_ONE, **files, **options)  # type: ignore[arg-type]
    assert not outcome.refused, [f.problems for f in outcome.files]


def bins_at(engine: Engine, uprn: str, today: date, count: str = "3",
            language: str = "en") -> dict[str, dict[str, str]]:
    source = BinCollectionsSource(TableCalendar(ready_database(engine)), lambda: today)
    return {item.value: {"label": item.label, **item.data}
            for item in source.answer({"uprn": uprn, "count": count}, language)}


def test_good_files_load_and_answer_with_exceptions_applied(engine: Engine,
                                                            files: dict[str, Path]) -> None:
    outcome = import_calendar(engine, week_one=WEEK_ONE, **files)
    assert [(f.kind, f.loaded, f.rows_read) for f in outcome.files] == [
        ("bin types", 3, 3), ("rounds", 4, 4), ("exceptions", 7, 7)]
    assert (outcome.unknown_uprns, outcome.refused) == (0, False)
    with engine.connect() as connection:
        assert calendar_counts(connection) == (3, 4, 7)
    found = bins_at(engine, "100000000001", date(2026, 12, 21), language="cy")
    assert list(found) == ["general", "recycling", "glass"]  # the bin types file's order
    assert found["general"]["label"] == "Bin du"
    assert found["recycling"]["label"] == "Blue bin"  # no Welsh name: English
    # General, fortnightly on Tuesdays: 29 Dec moves to 30 Dec for every bin; the move of
    # 12 Jan is for recycling only, which is not collected that day.
    general = found["general"]
    assert (general["dates"], general["moved"]) == ("2026-12-30,2027-01-12,2027-01-26",
                                                    "true,false,false")
    assert (general["next"], general["next_usual"], general["next_moved"]) == \
        ("2026-12-30", "2026-12-29", "true")
    assert (general["then"], general["then_usual"], general["then_moved"]) == \
        ("2027-01-12", "2027-01-12", "false")
    # Recycling (dated 22/12/2026): 5 Jan moves to 7 Jan for recycling on TUE-B.
    recycling = found["recycling"]
    assert (recycling["dates"], recycling["moved"]) == ("2026-12-22,2027-01-07,2027-01-19",
                                                        "false,true,false")
    # Glass, every 4 weeks on Monday of week 2 counted from 30 Nov: 7 Dec, 4 Jan, 1 Feb...
    assert found["glass"]["dates"] == "2027-01-04,2027-02-01,2027-03-01"
    assert found["glass"]["every_weeks"] == "4"
    # Weekly on Fridays: Christmas Day cancelled, New Year's Day a day late, and 8 Jan,
    # cancelled for every round, moved for general waste on the FRI round (the most
    # specific exception wins).
    weekly = bins_at(engine, "100000000002", date(2026, 12, 21), count="4")["general"]
    assert weekly["dates"] == "2027-01-02,2027-01-09,2027-01-15,2027-01-22"
    assert weekly["moved"] == "true,true,false,false"
    assert weekly["cancelled"] == "2026-12-25"
    assert (weekly["next"], weekly["next_usual"], weekly["then"], weekly["then_usual"]) == \
        ("2027-01-02", "2027-01-01", "2027-01-09", "2027-01-08")
    assert bins_at(engine, "100000000003", date(2026, 12, 21)) == {}
    engine.dispose()


def test_malformed_rows_are_named_by_file_and_line_and_nothing_is_kept(
        engine: Engine, files: dict[str, Path], tmp_path: Path) -> None:
    load(engine, files)
    rounds = write(tmp_path, "bad_rounds.csv", ROUNDS.split("\n", 2)[1] + "\n"
                   + "100000000009,general,weekly,2026-12-15,,,\n"       # line 2: good
                   + "1000000000X1,compost,5,2026-13-01,,,\n"            # line 3
                   + "100000000009,general,2,2026-12-15,Wed,,\n"         # line 4
                   + "\n"                                                # line 5: blank
                   + "100000000008,glass,4,,Thursday,5,\n")              # line 6
    exceptions = write(tmp_path, "bad_exceptions.csv", EXCEPTIONS.split("\n", 1)[0] + "\n"
                       + "2026-12-29,2027-02-01,,\n"                     # line 2
                       + "2026-12-29,soon,glass,NOWHERE\n"               # line 3
                       + "2026-12-25,none,,\n2026-12-25,2026-12-24,,\n")  # line 5: twice
    outcome = import_calendar(engine, rounds=rounds, exceptions=exceptions, replace=True,
                              week_one=WEEK_ONE)
    assert outcome.refused
    by_kind = {f.kind: f for f in outcome.files}
    assert (by_kind["rounds"].rows_read, by_kind["rounds"].refused_rows) == (4, 3)
    assert by_kind["rounds"].problems == [
        RowProblem(3, "Bin Type", "one of the bin types: general, recycling, glass"),
        RowProblem(3, "UPRN", "a UPRN of up to 12 digits"),
        RowProblem(3, "Frequency", "how often, in weeks: 1 to 4, weekly, fortnightly or "
                   "every 3 weeks"),
        RowProblem(3, "Reference Date", "a date like 2026-01-06 or 06/01/2026"),
        RowProblem(4, "UPRN", "one round per UPRN and bin type (general is already on line 2)"),
        RowProblem(4, "Collection Day", "the weekday of its reference date (a Tuesday)"),
        RowProblem(6, "Week", "the week of the round, 1 to 4 (or A to D)"),
    ]
    assert [str(p) for p in by_kind["exceptions"].problems] == [
        "line 2, column NEW_DATE: expected a date other than the original, at most 14 days "
        "from it",
        "line 3, column NEW_DATE: expected a date like 2026-01-06 or 06/01/2026, or none (no "
        "collection that day)",
        "line 3, column ROUND: expected the name of a round the rounds use (or empty: every "
        "round)",
        "line 5, column ORIGINAL_DATE: expected one change per date, bin and round (line 4 has "
        "this one)",
    ]
    assert all(f.loaded == 0 for f in outcome.files)
    # The replace was rolled back with the rest.
    with engine.connect() as connection:
        assert calendar_counts(connection) == (3, 4, 7)
    assert "glass" in bins_at(engine, "100000000001", date(2026, 12, 21))
    engine.dispose()


def test_replace_swaps_each_kind_given_and_adding_updates_what_is_held(
        engine: Engine, files: dict[str, Path], tmp_path: Path) -> None:
    load(engine, files)
    header = ROUNDS.split("\n", 2)[1] + "\n"
    change = write(tmp_path, "change.csv", header + "100000000002,general,2,2027-01-05,,,\n"
                   "100000000003,recycling,1,2027-01-06,,,\n")
    outcome = import_calendar(engine, rounds=change)
    assert [(f.loaded, f.updated) for f in outcome.files] == [(2, 1)]
    # 100000000003 is not in the gazetteer: loaded, and said.
    assert (outcome.unknown_uprns, outcome.unknown_lines) == (1, [3])
    with engine.connect() as connection:
        assert calendar_counts(connection) == (3, 5, 7)
    assert bins_at(engine, "100000000002", date(2027, 1, 4))["general"]["next"] == "2027-01-05"
    assert bins_at(engine, "100000000003", date(2027, 1, 4))["recycling"]["next"] == \
        "2027-01-06"
    outcome = import_calendar(engine, rounds=change, replace=True)
    assert [(f.loaded, f.updated) for f in outcome.files] == [(2, 0)]
    with engine.connect() as connection:
        assert calendar_counts(connection) == (3, 2, 7)  # exceptions kept: not given
    assert bins_at(engine, "100000000001", date(2027, 1, 4)) == {}
    engine.dispose()


def test_bin_types_cannot_be_replaced_from_under_the_rounds(
        engine: Engine, files: dict[str, Path], tmp_path: Path) -> None:
    load(engine, files)
    fewer = write(tmp_path, "fewer.yaml", "bins:\n  general: {colour: black, name: {en: B}}\n")
    with pytest.raises(CollectionsFileError, match="use bin types this file does not have: "
                       "glass, recycling"):
        import_calendar(engine, bins=fewer, replace=True)
    # Added to, without --replace, the others stay and general is renamed in place.
    outcome = import_calendar(engine, bins=fewer)
    assert [(f.loaded, f.updated) for f in outcome.files] == [(1, 1)]
    found = bins_at(engine, "100000000001", date(2026, 12, 21))
    assert [(k, v["label"]) for k, v in found.items()] == [
        ("general", "B"), ("recycling", "Blue bin"), ("glass", "Purple box")]
    engine.dispose()


def test_files_that_cannot_be_used_are_one_clear_error(engine: Engine, files: dict[str, Path],
                                                      tmp_path: Path) -> None:
    with pytest.raises(CollectionsFileError, match="holds no bin types yet: give them with --bins"):
        import_calendar(engine, rounds=files["rounds"])
    no_when = write(tmp_path, "no_when.csv", "UPRN,BIN,FREQUENCY\n1,general,1\n")
    with pytest.raises(CollectionsFileError, match=r"line 1 \(the header\) has no column for a "
                       r"reference date, or the collection day \(and week\)"):
        import_calendar(engine, bins=files["bins"], rounds=no_when)
    with pytest.raises(CollectionsFileError, match=r"missing\.csv: cannot be read"):
        import_calendar(engine, bins=files["bins"], rounds=tmp_path / "missing.csv")
    with engine.connect() as connection:
        assert calendar_counts(connection) == (0, 0, 0)
    engine.dispose()


def test_weeks_without_week_one_are_refused_row_by_row(engine: Engine,
                                                       files: dict[str, Path]) -> None:
    outcome = import_calendar(engine, bins=files["bins"], rounds=files["rounds"])
    [rounds] = [f for f in outcome.files if f.kind == "rounds"]
    assert rounds.problems == [RowProblem(5, "Week", "--week-1 DATE given to the command (a "
                                          "day in week 1, from which the weeks count), or a "
                                          "reference date instead")]
    engine.dispose()


def test_the_cli_names_files_lines_and_unknown_uprns(
        database_url: str, files: dict[str, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    database = ["--database", database_url]
    assert collections_main(["import", str(files["rounds"]), "--bins", str(files["bins"]),
                             "--exceptions", str(files["exceptions"]), "--week-1",
                             "2026-12-02", *database], {}) == 0
    captured = capsys.readouterr()
    assert "imported 3 bin types from" in captured.out
    assert "imported 4 rounds from" in captured.out
    assert "imported 7 exceptions from" in captured.out
    assert "the gazetteer holds no addresses, so the UPRNs of 4 rounds could not be checked" \
        in captured.err
    bad = write(tmp_path, "bad.csv", "UPRN,BIN,FREQUENCY,DATE\n1,general,0,2026-01-01\n")
    assert collections_main(["import", str(bad), "--replace", *database], {}) == 1
    err = capsys.readouterr().err
    assert f"{bad}: 1 of 1 rows are malformed:" in err
    assert "  line 2, column FREQUENCY: expected how often, in weeks" in err
    assert "nothing was imported (the collection calendar is unchanged)" in err
    assert collections_main(["count", *database], {}) == 0
    assert "holds 3 bin types, 4 rounds and 7 exceptions" in capsys.readouterr().out
    assert collections_main(["import", str(tmp_path / "missing.csv"), *database], {}) == 1
    assert "cannot be read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        collections_main(["import", *database], {})
    assert exited.value.code == 2
    assert "give a rounds file, --exceptions CSV or --bins YAML" in capsys.readouterr().err


def test_the_demo_hub_loads_its_calendar_and_answers_from_the_tables(
        app: FastAPI, client: TestClient) -> None:
    source = app.state.hub.lookups.get("bin-collections")
    assert isinstance(source._calendar, TableCalendar)
    with app.state.hub.engine.connect() as connection:
        bin_types, rounds, exceptions = calendar_counts(connection)
    assert (bin_types, exceptions) == (4, 8)
    assert rounds > 3 * 90  # three bins for every demo address, and some garden bins
    response = client.post("/kiosk/v1/lookups/bin-collections", headers={"X-Api-Key": API_KEY},
                           json={"inputs": {"uprn": "990000004002", "count": "3"}})
    assert response.status_code == 200
    items = {item["value"]: item for item in response.json()["items"]}
    assert list(items) == ["general", "recycling", "food", "garden"]
    assert len(items["food"]["data"]["dates"].split(",")) == 3
