"""The gazetteer table: importing an extract (good rows, malformed rows named by line, BNG
converted), and the address lookups answering from the table, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from hub.db import make_engine
from hub.gazetteer_cli import main as gazetteer_main
from hub.gazetteer_table import TableGazetteer, import_csv, postcode_key
from hub.lookup_sources.gazetteer import normalise_postcode
from hub.lookup_sources.gazetteer_csv import GazetteerFileError, RowProblem, read_gazetteer
from hub.lookup_sources.grid import GridToWgs84
from hub.migrate import ready_database
from tests.hub.helpers import API_KEY

HEADER = ("UPRN,ORGANISATION,SUB_BUILDING,BUILDING_NAME,BUILDING_NUMBER,STREET,LOCALITY,TOWN,"
          "POSTCODE,EASTING,NORTHING,LATITUDE,LONGITUDE\n")
GOOD = (HEADER
        + "100000000001,,,,12,High Street,,Testford,tf1 1aa,,,52.5,-1.5\n"
        + "100000000002,Testford Library,,,,High Street,,Testford,TF1 1AA,,,52.5001,-1.5001\n"
        + "100000000003,,Flat 2,Mill House,7,High Street,Upper End,Testford,TF11AA,"
          "651409.903,313177.270,,\n"
        + "100000000004,,,The Lodge,,Park Road,,Testford,TF1 2AB,,,52.6,-1.6\n")
# Caister Water Tower, the worked example in Ordnance Survey's "Transformations and OSGM15
# user guide" (Annexe A): OSGB36 National Grid 651409.903 E, 313177.270 N is ETRS89
# 52.658007833 N, 1.716073973 E (ETRS89 and WGS84 agree to under a metre).
CAISTER = ((651409.903, 313177.270), (52.658007833, 1.716073973))
DEGREE_TOLERANCE = 1e-4  # about 11 m north-south: PROJ without OSTN15 uses the Helmert shift


def write(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = make_engine(database_url)
    ready_database(engine)
    return engine


def test_good_rows_are_imported_and_found_by_postcode_and_uprn(engine: Engine,
                                                                tmp_path: Path) -> None:
    result = import_csv(engine, write(tmp_path, GOOD))
    assert (result.imported, result.problems, result.rows_read) == (4, [], 4)
    assert result.rate > 0
    gazetteer = TableGazetteer(ready_database(engine))
    found = gazetteer.at_postcode("TF1 1AA")
    assert [a.uprn for a in found] == ["100000000001", "100000000002", "100000000003"]
    assert [a.one_line() for a in found] == [
        "12 High Street, Testford, TF1 1AA",
        "Testford Library, High Street, Testford, TF1 1AA",
        "Flat 2, Mill House, 7 High Street, Upper End, Testford, TF1 1AA",
    ]
    lodge = gazetteer.by_uprn("100000000004")
    assert lodge is not None
    assert lodge.one_line() == "The Lodge, Park Road, Testford, TF1 2AB"
    assert (lodge.lat, lodge.long) == (52.6, -1.6)
    grid = found[2]
    assert grid.lat == pytest.approx(CAISTER[1][0], abs=DEGREE_TOLERANCE)
    assert grid.long == pytest.approx(CAISTER[1][1], abs=DEGREE_TOLERANCE)
    assert gazetteer.by_uprn("999") is None
    assert gazetteer.at_postcode("TF9 9ZZ") == ()
    engine.dispose()


def test_malformed_rows_are_named_by_line_and_nothing_is_kept(engine: Engine,
                                                              tmp_path: Path) -> None:
    import_csv(engine, write(tmp_path, GOOD))
    bad = (HEADER
           + "200000000001,,,,1,Low Street,,Testford,TF2 1AA,,,52.5,-1.5\n"     # line 2: good
           + "20000000000X,,,,2,Low Street,,Testford,TF2 1AA,,,52.5,-1.5\n"     # line 3
           + "200000000003,,,,3,Low Street,,Testford,NOT A CODE,,,52.5,-1.5\n"  # line 4
           + "\n"                                                               # line 5: blank
           + "200000000005,,,,,Low Street,,,TF2 1AA,north,313177,,\n"           # line 6
           + "200000000001,,,,6,Low Street,,Testford,TF2 1AA,,,91,-1.5\n")      # line 7
    result = import_csv(engine, write(tmp_path, bad, "bad.csv"), replace=True)
    assert result.imported == 0
    assert (result.rows_read, result.refused_rows) == (5, 4)
    assert result.problems == [
        RowProblem(3, "UPRN", "a UPRN of up to 12 digits"),
        RowProblem(4, "POSTCODE", "a full UK postcode, like DE99 1AB"),
        RowProblem(6, "TOWN", "a name (it is empty)"),
        RowProblem(6, "BUILDING_NUMBER", "a building number or name, a sub-building or an "
                   "organisation"),
        RowProblem(6, "EASTING", "an easting in metres between 0 and 700000"),
        RowProblem(7, "UPRN", "a UPRN not already on line 2"),
        RowProblem(7, "LATITUDE", "a latitude in degrees between 49 and 61.5"),
    ]
    assert str(result.problems[0]) == "line 3, column UPRN: expected a UPRN of up to 12 digits"
    # The replace was rolled back with the rest: the earlier extract is still there.
    gazetteer = TableGazetteer(ready_database(engine))
    assert len(gazetteer.at_postcode("TF1 1AA")) == 3
    assert gazetteer.at_postcode("TF2 1AA") == ()
    engine.dispose()


def test_replace_swaps_the_extract_and_a_second_import_without_it_is_refused(
        engine: Engine, tmp_path: Path) -> None:
    import_csv(engine, write(tmp_path, GOOD))
    with pytest.raises(GazetteerFileError, match="already holds 4 addresses: use --replace"):
        import_csv(engine, write(tmp_path, GOOD))
    newer = HEADER + "300000000001,,,,1,New Street,,Testford,TF3 1AA,,,52.5,-1.5\n"
    assert import_csv(engine, write(tmp_path, newer, "newer.csv"), replace=True).imported == 1
    gazetteer = TableGazetteer(ready_database(engine))
    assert gazetteer.at_postcode("TF1 1AA") == ()
    assert [a.uprn for a in gazetteer.at_postcode("TF3 1AA")] == ["300000000001"]
    engine.dispose()


def test_a_header_without_needed_columns_is_refused_naming_them(tmp_path: Path) -> None:
    path = write(tmp_path, "# a note\nUPRN,Street,Town,Easting\n1,A,B,2\n")
    with pytest.raises(GazetteerFileError, match=r"line 2 \(the header\) has no column for "
                       r"postcode, easting and northing, or latitude and longitude"):
        read_gazetteer(path)


def test_addressbase_spellings_and_comment_lines_keep_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "# extract of 1 March\n# second note\n"
                 "uprn,Organisation Name,sub-building name,Building Name,Building Number,"
                 "Thoroughfare,Dependent Locality,Post Town,Postcode,X Coordinate,Y Coordinate\n"
                 "1,,,,4,Lane,,Town,AB1 2CD,abc,100\n")
    _, result = read_gazetteer(path)
    assert result.problems == [RowProblem(4, "X Coordinate",
                                          "an easting in metres between 0 and 700000")]


def test_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "1,,,,1,Caf\xe9 Row,,Town,AB1 2DE,,,52,-1\n".encode("latin-1"))
    with pytest.raises(GazetteerFileError, match="expected UTF-8 text"):
        read_gazetteer(path)


@pytest.mark.parametrize(("grid", "degrees"), [CAISTER])
def test_national_grid_converted_to_published_coordinates(
        grid: tuple[float, float], degrees: tuple[float, float]) -> None:
    [(lat, long)] = GridToWgs84().convert([grid[0]], [grid[1]])
    assert lat == pytest.approx(degrees[0], abs=DEGREE_TOLERANCE)
    assert long == pytest.approx(degrees[1], abs=DEGREE_TOLERANCE)


def test_the_demo_extract_is_fictional_and_every_row_is_good() -> None:
    demo = Path(__file__).parents[2] / "hub" / "lookup_sources" / "demo_gazetteer.csv"
    assert demo.read_text(encoding="utf-8").startswith("# FICTIONAL DEMO DATA")
    gazetteer, result = read_gazetteer(demo)
    assert result.problems == []
    assert result.imported >= 80
    for postcode in ("DE99 1AB", "DE99 2DE", "DE99 3EF", "DE99 4GH", "DE99 5JN", "DE99 6LP"):
        assert gazetteer.at_postcode(postcode), postcode
        # The kiosk's own postcode check refuses C, I, K, M, O, V in the inward letters.
        assert not set(postcode[-2:]) & set("CIKMOV"), postcode


_AREA = st.text("ABCDEFGHJKLMNOPRSTUWYZ", min_size=1, max_size=2)
_INWARD = st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2)


@given(area=_AREA, district=st.integers(0, 99), sector=st.integers(0, 9), unit=_INWARD,
       spaces=st.lists(st.sampled_from(["", " ", "  ", "\t"]), min_size=3, max_size=3),
       lower=st.lists(st.booleans(), min_size=8, max_size=8))
def test_postcode_normalisation_ignores_case_and_spacing(
        area: str, district: int, sector: int, unit: str, spaces: list[str],
        lower: list[bool]) -> None:
    outward, inward = f"{area}{district}", f"{sector}{unit}"
    typed = spaces[0] + outward + spaces[1] + inward + spaces[2]
    typed = "".join(c.lower() if i < len(lower) and lower[i] else c for i, c in enumerate(typed))
    normal = normalise_postcode(typed)
    assert normal == f"{outward} {inward}"
    assert normalise_postcode(normal) == normal
    assert postcode_key(normal) == outward + inward


@given(st.text(max_size=12))
def test_normalisation_is_none_or_a_fixed_point(text: str) -> None:
    normal = normalise_postcode(text)
    if normal is not None:
        assert normalise_postcode(normal) == normal
        assert normal == normal.upper().strip()


def test_the_cli_prints_the_rate_and_lists_malformed_lines(
        database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gazetteer_main(["import", str(write(tmp_path, GOOD)), "--database", database_url],
                          {}) == 0
    out = capsys.readouterr().out
    assert "imported 4 addresses from" in out
    assert "rows/s)" in out
    bad = HEADER + "1,,,,1,Lane,,Town,ZZ,,,52,-1\n"
    assert gazetteer_main(["import", str(write(tmp_path, bad, "bad.csv")), "--replace",
                           "--database", database_url], {}) == 1
    err = capsys.readouterr().err
    assert "1 of 1 rows are malformed; nothing was imported" in err
    assert "line 2, column POSTCODE: expected a full UK postcode" in err
    assert gazetteer_main(["count", "--database", database_url], {}) == 0
    assert "holds 4 addresses" in capsys.readouterr().out
    assert gazetteer_main(["import", str(tmp_path / "missing.csv"), "--database",
                           database_url], {}) == 1
    assert "cannot be read" in capsys.readouterr().err


def test_the_demo_hub_answers_lookups_from_its_table(app: FastAPI, client: TestClient) -> None:
    """The demo hub loaded its extract into the table at start; the lookups read it there."""
    assert isinstance(app.state.hub.lookups.get("addresses")._gazetteer, TableGazetteer)
    response = client.post("/kiosk/v1/lookups/addresses", headers={"X-Api-Key": API_KEY},
                           json={"inputs": {"postcode": "de996lp"}, "language": "en"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["label"] == "Demo Town Library, 1 Station Road, Demo Town, DE99 6LP"
    assert items[0]["data"]["uprn"] == "990000006001"
    assert float(items[0]["data"]["lat"]) == pytest.approx(52.6021, abs=DEGREE_TOLERANCE)
    assert len(items) == 20
    bins = client.post("/kiosk/v1/lookups/bin-collections", headers={"X-Api-Key": API_KEY},
                       json={"inputs": {"uprn": "990000002007"}, "language": "en"})
    assert bins.status_code == 200
    assert bins.json()["items"]
