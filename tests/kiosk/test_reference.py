"""Receipt references: 8 characters, read aloud without doubt, never spelling a word."""

from __future__ import annotations

import re

from kiosk.reference import is_reference, new_reference, spaced

# Written independently of kiosk.reference: letters A–Y without I, O, Q; digits 2–9.
CHAR = "[A-HJ-NPR-Y2-9]"
DIGIT = "[2-9]"
PATTERN = re.compile(f"^{CHAR}{{2}}{DIGIT}{CHAR}{{2}}{DIGIT}{CHAR}{{2}}$")


def test_ten_thousand_references_all_match_the_pattern() -> None:
    references = [new_reference() for _ in range(10_000)]
    for reference in references:
        assert len(reference) == 8
        assert PATTERN.match(reference), reference
        assert reference[2].isdigit()
        assert reference[5].isdigit()
        assert not set(reference) & set("IOQ01"), reference
        assert is_reference(reference)
    # Random enough that a collision in 10,000 is vanishingly unlikely (30^6 * 8^2 ≈ 4.7e10).
    assert len(set(references)) > 9_990
    # Every allowed character turns up somewhere.
    assert set("".join(references)) == set("ABCDEFGHJKLMNPRSTUVWXY23456789")


def test_is_reference_refuses_look_alikes() -> None:
    for text in ("AB2CD3EF ", "ab2cd3ef", "AB2CD3E", "AB2CD3EFG", "ABCCD3EF", "AB2CDDEF",
                 "AO2CD3EF", "AB1CD3EF", "AB2CD0EF", "IB2CD3EF", "QB2CD3EF", "AB2 CD3E"):
        assert not is_reference(text), text
    assert is_reference("AB2CD3EF")


def test_spaced_in_two_groups_of_four() -> None:
    assert spaced("AB2CD3EF") == "AB2C D3EF"
