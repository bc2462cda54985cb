"""Bad profiles fail at load, completely and precisely: file, line, field, expected, found.

Fixtures: tests/kiosk/fixtures/profiles/<case>.yaml, each one change away from good.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kiosk
from kiosk.config_errors import ConfigError, Problem
from kiosk.profile import SessionTimings, load_profile

FIXTURES = Path(__file__).parent / "fixtures"
PROFILES = FIXTURES / "profiles"
GOOD_SECRETS = {"council-api-key": "test-key"}  # good.yaml names its key; a device opens it


def line_of(path: Path, snippet: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not in {path}")


def assert_readable(message: str) -> None:
    for python_noise in ("Traceback", 'File "', "pydantic", "ValidationError", "Value error",
                         "function-after", "For further information", "{'"):
        assert python_noise not in message


def only_problem(case: str) -> tuple[Problem, str]:
    with pytest.raises(ConfigError) as info:
        load_profile(PROFILES / f"{case}.yaml", secrets=GOOD_SECRETS)
    message = str(info.value)
    assert_readable(message)
    assert len(info.value.problems) == 1, message
    return info.value.problems[0], message


def test_good_and_demo_profiles_load() -> None:
    loaded = load_profile(PROFILES / "good.yaml", secrets=GOOD_SECRETS)
    assert loaded.profile.mode == "production"
    assert [s.id for s in loaded.catalogue] == ["report"]
    demo = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml")
    assert [s.id for s in demo.catalogue] == ["missed-bin", "bin-day", "street-problem",
                                              "feedback", "track-request", "book-appointment",
                                              "manage-booking", "moved-house", "blue-badge",
                                              "bus-pass", "request-callback"]
    assert demo.profile.session.max_extensions >= 10


@pytest.mark.parametrize(("case", "snippet", "path", "expected", "found"), [
    ("wrong-type", "idle_seconds: abc", "session.idle_seconds", "a whole number", "'abc'"),
    ("unknown-field", "idel_seconds", "session.idel_seconds",
     "no such field (check the spelling)", "an unknown field 'idel_seconds'"),
    ("missing-field", "  council:", "destinations.council.api_key", "this field", "nothing"),
    ("quit-shortcut-production", "demo_quit_shortcut: true", "demo_quit_shortcut",
     "false when mode is production", "true"),
    ("status-url-no-reference", "status_url:", "destinations.council.status_url",
     "a URL containing {reference}", "'https://council.example/status'"),
    ("too-few-extensions", "max_extensions: 5", "session.max_extensions", "a number >= 10", "5"),
    ("closes-before-opens", 'closes: "08:00"', "site.opening_hours[0].closes",
     "a time later than opens (09:00)", "08:00"),
    ("unknown-service", "services: [report, bin-day]", "catalogue.services[1]",
     "a service in ", "'bin-day'"),
    ("missing-catalogue-folder", "path: ../catalogues/no-such-folder", "catalogue.path",
     "a folder of service files", "'../catalogues/no-such-folder'"),
])
def test_bad_profile(case: str, snippet: str, path: str, expected: str, found: str) -> None:
    problem, message = only_problem(case)
    file = PROFILES / f"{case}.yaml"
    assert problem.file == str(file)
    assert problem.line == line_of(file, snippet)
    assert problem.path == path
    assert expected in problem.expected
    assert problem.found.startswith(found)
    assert f"{file}:{problem.line}: {path}: expected {problem.expected}, found " in message


def test_syntax_error_names_the_file_and_line() -> None:
    problem, message = only_problem("syntax-error")
    file = PROFILES / "syntax-error.yaml"
    assert problem.file == str(file)
    assert problem.line == line_of(file, "   address: misplaced")
    assert problem.expected == "valid YAML"
    # libyaml and the pure-Python parser word this differently; both name the problem.
    assert problem.found.startswith("mapping values are not allowed")
    assert message == (f"1 problem:\n  - {file}:{problem.line}: (top level): expected valid YAML, "
                       f"found {problem.found}")


def test_service_sending_to_a_destination_the_profile_lacks() -> None:
    problem, message = only_problem("unknown-destination")
    service_file = FIXTURES / "catalogues" / "destination-crm" / "report.yaml"
    assert Path(problem.file) == service_file.resolve()
    assert problem.line == line_of(service_file, "to: crm")
    assert problem.path == "destination.to"
    assert "a destination named in the profile" in problem.expected
    assert "(council)" in problem.expected
    assert problem.found == "'crm'"
    assert "unknown-destination.yaml" in message


def test_bad_catalogue_is_reported_through_the_profile() -> None:
    problem, _ = only_problem("bad-catalogue")
    assert Path(problem.file).name == "report.yaml"
    assert problem.found == "a loop: kind → detail → kind"


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "profile.yaml")
    assert info.value.problems[0].found == "no such file"
    assert_readable(str(info.value))


def test_every_problem_in_a_profile_is_listed(tmp_path: Path) -> None:
    text = (PROFILES / "good.yaml").read_text(encoding="utf-8")
    text = text.replace("idle_seconds: 60", "idle_seconds: 5").replace("type: file", "type: laser")
    text = text.replace("mode: production", "mode: live")
    bad = tmp_path / "profile.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(bad, secrets=GOOD_SECRETS)
    paths = {p.path: p for p in info.value.problems}
    assert set(paths) == {"mode", "printer.type", "session.idle_seconds"}
    assert paths["mode"].expected == "one of 'production' or 'demo'"
    assert paths["printer.type"].line == line_of(bad, "type: laser")
    assert paths["session.idle_seconds"].expected == "a number >= 20"
    assert str(info.value).startswith("3 problems:")
    assert_readable(str(info.value))


def test_session_timings_bounds() -> None:
    assert SessionTimings().max_extensions >= 10
    with pytest.raises(ValueError, match="max_extensions"):
        SessionTimings(max_extensions=9)
