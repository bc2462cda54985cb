"""Postcode normalisation, as properties: however a resident types a postcode, the kiosk
stores one form, and that form is the one the hub's gazetteer is indexed by (so the address
list is found whatever the spacing or case)."""

from __future__ import annotations

from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hub.lookup_sources.gazetteer import normalise_postcode as hub_normalise
from kiosk.catalogue import Question
from kiosk.journey.types import check

TODAY = date(2026, 11, 23)
QUESTIONS = [Question.model_validate({"type": qtype, "label": "Postcode?"})
             for qtype in ("postcode", "address")]
LETTER = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGIT = st.sampled_from("0123456789")
INWARD_LETTER = st.sampled_from("ABDEFGHJLNPQRSTUWXYZ")  # never C, I, K, M, O or V


@st.composite
def postcodes(draw: st.DrawFn) -> tuple[str, str]:
    """A postcode in its canonical form, in each outward shape (A9, A99, AA9, AA99, A9A,
    AA9A): (outward, inward)."""
    area = draw(st.lists(LETTER, min_size=1, max_size=2).map("".join))
    district = draw(DIGIT) + draw(st.one_of(st.just(""), DIGIT, LETTER))
    inward = draw(DIGIT) + draw(INWARD_LETTER) + draw(INWARD_LETTER)
    return area + district, inward


SEPARATORS = st.text(st.sampled_from(" \t.,-"), max_size=2)


@st.composite
def typed(draw: st.DrawFn, canonical: tuple[str, str]) -> str:
    """The postcode as a resident might type it: any case, spaces, dots, commas or hyphens
    between characters, around it, or none at all."""
    characters = list("".join(canonical))
    out = draw(SEPARATORS)
    for character in characters:
        upper = draw(st.booleans())
        out += (character.upper() if upper else character.lower()) + draw(SEPARATORS)
    return out


def normalised(text: str, question: Question = QUESTIONS[0]) -> str | None:
    result = check(question, "postcode", text, TODAY)
    return str(result.value) if result.ok else None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_way_of_typing_a_postcode_gives_its_one_form(data: st.DataObject) -> None:
    canonical = data.draw(postcodes())
    expected = f"{canonical[0]} {canonical[1]}"
    text = data.draw(typed(canonical))
    assume(len(text.strip()) <= 12)  # longer is refused as too long: nobody types that
    for question in QUESTIONS:  # the postcode question and the address question's postcode
        assert normalised(text, question) == expected, repr(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=12), postcodes().flatmap(typed)))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalised(text)
    if once is not None:
        assert normalised(once) == once


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=12), postcodes().flatmap(typed)))
def test_the_kiosks_postcode_is_the_hubs_index_key(text: str) -> None:
    """What the kiosk stores is found by the hub as it is (GIR 0AA, a Girobank postcode
    with no council address, is the kiosk's only extra)."""
    kiosk = normalised(text)
    if kiosk is not None and kiosk != "GIR 0AA":
        assert hub_normalise(kiosk) == kiosk
