"""Every requirement id cited in the tree (K12, R1–R4, CF-07, ...) is explained in
docs/requirements.md: the reference documents they come from live outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("kiosk", "ui", "accessibility", "peripherals", "hub", "provisioning", "tests", "script",
           "bench", "systemd", "docs", "README.md")
BINARY = {".mo", ".png", ".bin", ".db", ".pyc", ".wav", ".jpg", ".ico", ".gz"}
DOC = REPO / "docs" / "requirements.md"

# The families of the two reference documents: letter families (K escape, R remanence,
# O outbox, S service, D, P, V vectors, DA, TH) and the checklist's dashed ones.
_DASHED = r"(?:CF|DOC|GEN|HW|TGT|TTS|UK|VIS)-\d{2}"
_LETTER = r"(?:DA|TH|[KRPOSDV])\d{1,2}"
_ID = rf"(?:{_DASHED}|{_LETTER})"
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w-])", r"(?![\w])"
CITATION = re.compile(rf"{_EDGE_BEFORE}({_ID})((?:\s*[–-]\s*{_ID}|(?:/\d{{2}})+)?){_EDGE_AFTER}")

# Text that looks like an id but is not a citation, with why.
NOT_CITATIONS = {
    ("tests/peripherals/test_printer_backends.py", "R1"),  # a receipt's reference string
}
# Words that look like an id wherever they appear, with why.
NEVER_CITATIONS = {
    "P60",  # HMRC's end-of-year pay form, named in the National Insurance number's hint
}


def _split(ident: str) -> tuple[str, int, int]:
    """Family, number, and the width numbers are written in ("CF-07" -> ("CF-", 7, 2))."""
    match = re.fullmatch(r"([A-Z]+-?)(\d+)", ident)
    assert match, ident
    return match[1], int(match[2]), len(match[2]) if match[1].endswith("-") else 0


def expand(first: str, rest: str) -> list[str]:
    """One citation as the ids it names: "R1–R4" is R1..R4, "TGT-01/02/03" is three ids."""
    family, number, width = _split(first)
    if not rest:
        return [first]
    if rest.startswith("/"):
        return [first] + [f"{family}{int(n):0{width}d}" if width else f"{family}{n}"
                          for n in rest.strip("/").split("/")]
    last = re.sub(r"^\s*[–-]\s*", "", rest)
    last_family, last_number, _ = _split(last)
    if last_family != family or last_number < number:
        return [first, last]
    return [f"{family}{n:0{width}d}" if width else f"{family}{n}" for n in range(number, last_number + 1)]


def cited_ids() -> dict[str, list[str]]:
    """id -> the places ("path:line") that cite it."""
    found: dict[str, list[str]] = {}
    files: list[Path] = []
    for name in SCANNED:
        root = REPO / name
        files.extend([root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()))
    for path in files:
        rel = path.relative_to(REPO).as_posix()
        if path == DOC or path.suffix in BINARY or "__pycache__" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in CITATION.finditer(line):
                for ident in expand(match[1], match[2]):
                    if (rel, ident) not in NOT_CITATIONS and ident not in NEVER_CITATIONS:
                        found.setdefault(ident, []).append(f"{rel}:{number}")
    return found


def defined_ids() -> set[str]:
    return set(re.findall(rf"^\| ({_ID}) \|", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_ranges_and_lists_name_every_id_in_them() -> None:
    assert expand("R1", "–R4") == ["R1", "R2", "R3", "R4"]
    assert expand("TGT-01", "/02/03") == ["TGT-01", "TGT-02", "TGT-03"]
    assert expand("VIS-12", "/13") == ["VIS-12", "VIS-13"]
    assert expand("K12", "") == ["K12"]
    line = "see K4, CF-07 and R1–R3; not BK4, K4x, AB-CF-07 or 04A1B2C3D4E5F6"
    assert [m[1] + m[2] for m in CITATION.finditer(line)] == ["K4", "CF-07", "R1–R3"]


def test_the_scan_finds_the_citations_we_know_of() -> None:
    cited = cited_ids()
    assert any(place.startswith("ui/overlays.py:") for place in cited["K4"])
    assert any(place.startswith("ui/wipe.py:") for place in cited["R4"])  # from "R1–R4"
    assert "tests/peripherals/test_printer_backends.py" not in str(cited.get("R1"))


def test_every_cited_id_is_explained_in_docs_requirements() -> None:
    defined = defined_ids()
    missing = {ident: places for ident, places in cited_ids().items() if ident not in defined}
    report = "\n".join(f"{place}: {ident}" for ident, places in sorted(missing.items())
                       for place in places)
    assert not missing, f"ids cited but not explained in docs/requirements.md:\n{report}"
