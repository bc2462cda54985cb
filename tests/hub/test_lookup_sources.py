"""The demo council's sources: postcodes normalised, addresses found, bin days computed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.lookup_sources import BadInput, SourceRegistry, demo_sources
from hub.lookup_sources.addresses import AddressesSource
from hub.lookup_sources.bin_schedule import Collection, Schedule, next_collections
from hub.lookup_sources.bin_types import CollectionsFileError, load_bin_types
from hub.lookup_sources.gazetteer import Gazetteer, normalise_postcode


def sources(today: date) -> SourceRegistry:
    return demo_sources(lambda: today)


def answer(today: date, source: str, **inputs: str) -> list[dict[str, object]]:
    found = sources(today).get(source)
    assert found is not None
    return [item.doc() for item in found.answer(inputs, "en")]


@pytest.mark.parametrize(("given_text", "expected"), [
    ("DE99 1AB", "DE99 1AB"), ("de991ab", "DE99 1AB"), ("  de99   1Ab ", "DE99 1AB"),
    ("De99\t1ab", "DE99 1AB"), ("M1 1AE", "M1 1AE"), ("ec1a1bb", "EC1A 1BB"),
    ("DE99", None), ("DE99 1A", None), ("1AB DE99", None), ("", None), ("DE99 1AB 2", None),
])
def test_postcode_normalisation(given_text: str, expected: str | None) -> None:
    assert normalise_postcode(given_text) == expected


def test_every_address_at_a_postcode_in_gazetteer_order() -> None:
    items = answer(date(2026, 3, 2), "addresses", postcode="de99 2de")
    assert [i["value"] for i in items] == ["990000002001", "990000002002", "990000002003",
                                           "990000002007", "990000002009", "990000002011"]
    assert items[0]["label"] == "Flat 1, Orchard House, Orchard Rise, Little Demo, Demo Town, " \
                                "DE99 2DE"
    assert items[3]["label"] == "7 Orchard Rise, Little Demo, Demo Town, DE99 2DE"
    named = answer(date(2026, 3, 2), "addresses", postcode="DE99 1AB")[-1]
    assert named["label"] == "Rose Cottage, Library Lane, Demo Town, DE99 1AB"


def test_empty_and_unknown_postcodes_have_no_addresses() -> None:
    assert answer(date(2026, 3, 2), "addresses", postcode="DE99 9ZZ") == []
    assert answer(date(2026, 3, 2), "addresses", postcode="DE98 1AB") == []


def test_a_bad_postcode_is_refused_without_echoing_it() -> None:
    source = AddressesSource(Gazetteer({}))
    with pytest.raises(BadInput) as info:
        source.answer({"postcode": "SECRET-TEXT"}, "en")
    assert info.value.name == "postcode"
    assert "SECRET" not in str(info.value)


def test_bin_rows_name_the_colour_and_two_dates() -> None:
    # Monday 2 March 2026: DE99 1AB is on the Tuesday round.
    items = answer(date(2026, 3, 2), "bin-collections", uprn="990000001014")
    assert [(i["value"], i["label"]) for i in items] == [
        ("general", "Green bin – general waste"),
        ("recycling", "Blue bin – recycling"),
        ("food", "Brown caddy – food waste"),
    ]
    general = items[0]
    assert general["hint"] == "Tuesday 3 March, Tuesday 17 March"
    assert general["data"] == {"bin": "general", "colour": "green", "every_weeks": "2",
                               "next": "2026-03-03", "next_usual": "2026-03-03",
                               "next_moved": "false", "then": "2026-03-17",
                               "then_usual": "2026-03-17", "then_moved": "false",
                               "dates": "2026-03-03,2026-03-17", "moved": "false,false",
                               "cancelled": ""}
    assert items[1]["hint"] == "Tuesday 10 March, Tuesday 24 March"


def test_bin_rows_across_easter() -> None:
    # Friday round in Easter week 2026: Good Friday's collection moves to Saturday.
    items = answer(date(2026, 3, 30), "bin-collections", uprn="990000003012")
    food = next(i for i in items if i["value"] == "food")
    assert food["hint"] == "Saturday 4 April, Friday 10 April"
    assert food["data"]["next_moved"] == "true"  # type: ignore[index]
    assert food["data"]["next_usual"] == "2026-04-03"  # type: ignore[index]


def test_bin_rows_across_the_year_end() -> None:
    items = answer(date(2026, 12, 21), "bin-collections", uprn="990000003010")
    by_bin = {i["value"]: i["data"] for i in items}
    # Friday round: Christmas Day moves a day early, New Year's Day a day late.
    assert by_bin["food"]["next"] == "2026-12-24"  # type: ignore[index]
    assert by_bin["food"]["then"] == "2027-01-02"  # type: ignore[index]
    general = (by_bin["general"]["next"], by_bin["general"]["then"])  # type: ignore[index]
    recycling = (by_bin["recycling"]["next"], by_bin["recycling"]["then"])  # type: ignore[index]
    assert sorted([general, recycling]) == [("2026-12-24", "2027-01-08"),
                                            ("2027-01-02", "2027-01-15")]


def test_welsh_labels_and_dates() -> None:
    found = sources(date(2026, 3, 2)).get("bin-collections")
    assert found is not None
    general = found.answer({"uprn": "990000001001"}, "cy")[0]
    assert general.label == "Bin gwyrdd – gwastraff cyffredinol"
    assert general.hint == "Dydd Mawrth 3 Mawrth, Dydd Mawrth 17 Mawrth"
    # A language with no name in the file, or unknown to Babel, falls back to English.
    assert found.answer({"uprn": "990000001001"}, "zz")[0].label == "Green bin – general waste"


def test_unknown_property_has_no_rows_and_a_bad_uprn_is_refused() -> None:
    assert answer(date(2026, 3, 2), "bin-collections", uprn="990000009999") == []
    found = sources(date(2026, 3, 2)).get("bin-collections")
    assert found is not None
    with pytest.raises(BadInput):
        found.answer({"uprn": "1234567890123"}, "en")


FORTNIGHTLY = Schedule("general", 2, date(2026, 1, 6))


def test_next_collections_simple_and_on_the_day() -> None:
    assert next_collections(FORTNIGHTLY, date(2026, 1, 7), {}) == (
        Collection(date(2026, 1, 20), date(2026, 1, 20)),
        Collection(date(2026, 2, 3), date(2026, 2, 3)))
    assert next_collections(FORTNIGHTLY, date(2026, 1, 20), {})[0].day == date(2026, 1, 20)
    # The reference date is any collection day: the round repeats before it too.
    assert next_collections(FORTNIGHTLY, date(2025, 12, 1), {})[0].day == date(2025, 12, 9)


def test_a_collection_moved_later_is_still_found_and_one_moved_past_today_is_dropped() -> None:
    changes = {date(2026, 12, 29): date(2027, 1, 2)}
    weekly = Schedule("food", 1, date(2026, 1, 6))
    # On Wed 30 Dec the Tue 29 Dec collection has not happened yet: it moved to Sat 2 Jan.
    assert next_collections(weekly, date(2026, 12, 30), changes) == (
        Collection(date(2027, 1, 2), date(2026, 12, 29)),
        Collection(date(2027, 1, 5), date(2027, 1, 5)))
    # One moved earlier than today no longer counts.
    earlier = {date(2027, 1, 5): date(2027, 1, 3)}
    assert next_collections(weekly, date(2027, 1, 4), earlier)[0].day == date(2027, 1, 12)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
       st.sampled_from([1, 2, 3, 4]))
def test_next_collections_properties(today: date, every_weeks: int) -> None:
    schedule = Schedule("x", every_weeks, date(2026, 1, 6))
    found = next_collections(schedule, today, {})
    assert len(found) == 2
    assert today <= found[0].day < found[1].day
    assert found[1].day - found[0].day == timedelta(weeks=every_weeks)
    assert found[0].day - today < timedelta(weeks=every_weeks)
    assert all(c.day.weekday() == schedule.reference.weekday() for c in found)


def test_malformed_bin_types_name_the_entry(tmp_path: Path) -> None:
    bins = tmp_path / "bins.yaml"
    bins.write_text("bins: {general: {colour: green, name: {cy: Gwyrdd}}}\n", encoding="utf-8")
    with pytest.raises(CollectionsFileError, match=r"bins\.general\.name: expected an English"):
        load_bin_types(bins)
    bins.write_text("bins: {Glass Bin: {colour: green, name: {en: Glass}}}\n", encoding="utf-8")
    with pytest.raises(CollectionsFileError, match=r"bins\.Glass Bin: expected an id of lower"):
        load_bin_types(bins)
    bins.write_text("bins: [general\n", encoding="utf-8")
    with pytest.raises(CollectionsFileError, match="is not valid YAML at line 2"):
        load_bin_types(bins)
