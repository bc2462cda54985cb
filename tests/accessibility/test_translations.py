"""Every app message is translated into every language, keeps English's placeholders, and is
compiled; and `script/translations` keeps the catalogues in step with English.

English (`en/LC_MESSAGES/kiosk.po`) is the source of truth for keys. A key added there fails
here, for each language, until it is translated (`script/translations update` adds it empty).
"""

from __future__ import annotations

import os
import shutil
import string
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

import accessibility.languages
from accessibility.languages import FALLBACK, LANGUAGES, Translator

ROOT = Path(__file__).resolve().parents[2]
DIR = Path(accessibility.languages.__file__).parent
SCRIPT = ROOT / "script" / "translations"
ALL = [lang.code for lang in LANGUAGES]
OTHERS = [code for code in ALL if code != FALLBACK]


def po_path(code: str, directory: Path = DIR) -> Path:
    return directory / code / "LC_MESSAGES" / "kiosk.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def messages(code: str, directory: Path = DIR) -> dict[str, Message]:
    return {m.id: m for m in read(po_path(code, directory)) if isinstance(m.id, str) and m.id}


def text(message: Message) -> str:
    assert isinstance(message.string, str)
    return message.string


ENGLISH = {key: text(m) for key, m in messages(FALLBACK).items()}


def placeholders(words: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(words) if f is not None}


def run(*args: str, directory: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if directory is not None:
        env["TRANSLATIONS_DIR"] = str(directory)
    return subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


# ----- the catalogues -----------------------------------------------------------------------

def test_english_has_keys() -> None:
    assert len(ENGLISH) > 100
    assert "attract.touch_to_start" in ENGLISH


@pytest.mark.parametrize("code", OTHERS)
def test_every_english_key_has_a_translation(code: str) -> None:
    found = messages(code)
    missing = [key for key in ENGLISH if key not in found or not text(found[key]).strip()]
    assert not missing, f"{code}: untranslated keys (script/translations check): {missing}"


@pytest.mark.parametrize("code", OTHERS)
def test_no_translation_is_fuzzy(code: str) -> None:
    fuzzy = [key for key, m in messages(code).items() if m.fuzzy]
    assert not fuzzy, f"{code}: fuzzy (English changed, or a guess) — review them: {fuzzy}"


@pytest.mark.parametrize("code", OTHERS)
def test_no_key_that_english_does_not_have(code: str) -> None:
    extra = sorted(set(messages(code)) - set(ENGLISH))
    assert not extra, f"{code}: keys English no longer has (script/translations update): {extra}"


@pytest.mark.parametrize("code", OTHERS)
def test_placeholders_are_the_same_as_english(code: str) -> None:
    found = messages(code)
    wrong = {key: (sorted(placeholders(text(found[key]))), sorted(placeholders(english)))
             for key, english in ENGLISH.items()
             if key in found and placeholders(text(found[key])) != placeholders(english)}
    assert not wrong, f"{code}: placeholders differ from English (found, wanted): {wrong}"


@pytest.mark.parametrize("code", OTHERS)
def test_header_names_the_language_and_its_plural_forms(code: str) -> None:
    catalog = read(po_path(code))
    assert str(catalog.locale) == code
    assert catalog.plural_forms == Catalog(locale=code).plural_forms
    assert f"Language: {code}" in catalog.header_comment


@pytest.mark.parametrize("code", ALL)
def test_the_compiled_catalogue_matches_the_po(code: str) -> None:
    """The app reads the .mo: a .po edit without script/compile-translations is not shown."""
    texts = Translator(code, strict=True)
    stale = [key for key, m in messages(code).items()
             if m.string and texts.lookup(key, code) != m.string]
    assert not stale, f"run script/compile-translations; stale or missing in {code} kiosk.mo: {stale}"


@pytest.mark.parametrize("code", OTHERS)
def test_the_translator_speaks_each_language(code: str) -> None:
    texts = Translator(code, strict=True)
    assert texts("nav.start_again") == text(messages(code)["nav.start_again"])
    assert texts("nav.start_again") != ENGLISH["nav.start_again"]
    assert texts("error.too_long", max="500").count("500") == 1
    assert texts.right_to_left == (code == "ur")


def test_welsh_uses_the_council_forms() -> None:
    welsh = Translator("cy", strict=True)
    assert (welsh("nav.start_again"), welsh("nav.continue"), welsh("nav.back")) == (
        "Dechrau eto", "Parhau", "Yn ôl")


def test_romanian_uses_comma_below_letters() -> None:
    cedilla = {"ş", "ţ", "Ş", "Ţ"}  # the look-alikes old keyboards typed: wrong for Romanian
    wrong = [key for key, m in messages("ro").items() if cedilla & set(text(m))]
    assert not wrong
    assert any("ș" in text(m) or "ț" in text(m) for m in messages("ro").values())


def test_urdu_is_written_in_urdu_script() -> None:
    latin_only = {"keyboard.letters", "keyboard.numbers"}  # the keys to the English letters page
    not_urdu = []
    for key, m in messages("ur").items():
        words = "".join(literal for literal, _, _, _ in string.Formatter().parse(text(m)))
        if key not in latin_only and any(ch.isalpha() for ch in words) \
                and not any("\u0600" <= ch <= "\u06ff" for ch in words):
            not_urdu.append(key)
    assert not not_urdu


@pytest.mark.parametrize("code", ALL)
def test_hints_name_the_buttons_as_they_are_labelled(code: str) -> None:
    """"Touch Finish" must say the Finish button's own words, in every language."""
    t = Translator(code, strict=True)
    assert t("nav.finish") in t("confirmation.finish_hint")
    assert t("nav.start_again") in t("exit.start_again_hint")
    assert t("nav.continue") in t("speech.welcome")


# ----- script/translations ------------------------------------------------------------------

def test_check_passes_for_the_shipped_catalogues() -> None:
    result = run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    for code in OTHERS:
        assert f"  {code}: all translated" in result.stdout


def test_extract_builds_the_template_from_the_english_keys(tmp_path: Path) -> None:
    shutil.copytree(DIR / FALLBACK, tmp_path / FALLBACK)
    result = run("extract", directory=tmp_path)
    assert result.returncode == 0, result.stderr
    template = read(tmp_path / "kiosk.pot")
    found = [m for m in template if m.id]
    assert [m.id for m in found] == list(ENGLISH)
    assert all(not m.string for m in found)
    welcome = template["attract.welcome"]
    assert welcome is not None
    assert welcome.auto_comments == [f"English: {ENGLISH['attract.welcome']}"]


def test_update_adds_new_keys_empty_and_marks_changed_english_fuzzy(tmp_path: Path) -> None:
    for code in (FALLBACK, "cy"):
        shutil.copytree(DIR / code, tmp_path / code, ignore=shutil.ignore_patterns("*.mo"))
    english = po_path(FALLBACK, tmp_path)
    source = english.read_text(encoding="utf-8")
    old = f'msgstr "{ENGLISH["attract.touch_to_start"]}"'
    assert old in source
    english.write_text(source.replace(old, 'msgstr "Touch the screen to begin"')
                       + '\nmsgid "nav.test_new"\nmsgstr "Something new"\n', encoding="utf-8")
    before = messages("cy", tmp_path)

    result = run("update", directory=tmp_path)
    assert result.returncode == 0, result.stderr

    after = messages("cy", tmp_path)
    assert after["nav.test_new"].string == ""  # shown in English until translated
    assert not after["nav.test_new"].fuzzy  # never a guess from a similar key
    changed = after["attract.touch_to_start"]
    assert changed.fuzzy
    assert changed.string == before["attract.touch_to_start"].string
    assert changed.auto_comments == ["English: Touch the screen to begin"]
    untouched = [key for key in before if key != "attract.touch_to_start"]
    assert [(after[k].string, after[k].fuzzy) for k in untouched] == [
        (before[k].string, False) for k in untouched]

    check = run("check", directory=tmp_path)
    assert check.returncode == 1
    assert "missing: nav.test_new" in check.stdout
    assert "fuzzy: attract.touch_to_start" in check.stdout


def test_update_changes_nothing_when_english_has_not_changed(tmp_path: Path) -> None:
    for code in (FALLBACK, "cy"):
        shutil.copytree(DIR / code, tmp_path / code, ignore=shutil.ignore_patterns("*.mo"))
    before = po_path("cy", tmp_path).read_bytes()
    result = run("update", directory=tmp_path)
    assert result.returncode == 0, result.stderr
    assert po_path("cy", tmp_path).read_bytes() == before
