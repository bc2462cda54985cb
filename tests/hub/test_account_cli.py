"""`kiosk-hub account ...`: accounts made from the command line, passwords never in argv."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub import account_cli
from hub.app import create_app
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.helpers import PASSWORD, sign_in
from tests.hub_server import REPO_ROOT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _asker(*answers: str) -> Iterator[str]:
    yield from answers


@pytest.fixture
def database(database_url: str) -> str:
    return database_url


def run(database: str, *argv: str, stdin: io.StringIO | None = None,
        answers: tuple[str, ...] = ()) -> int:
    asked = _asker(*answers)
    return account_cli.main([*argv, "--database", database], environ={"USER": "tester"},
                            stdin=stdin or io.StringIO(""), ask=lambda _prompt: next(asked),
                            passwords=Passwords.cheap_for_tests())


def test_add_from_stdin_then_sign_in(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(database, "add", "Ivy", "--role", "it", "--password-stdin",
               stdin=io.StringIO(PASSWORD + "\n")) == 0
    assert "added ivy (it)" in capsys.readouterr().out
    app = create_app(HubSettings(database_url=database), passwords=Passwords.cheap_for_tests())
    with TestClient(app, base_url="https://testserver") as browser:
        sign_in(browser, "ivy")
    app.state.hub.engine.dispose()
    assert run(database, "list") == 0
    listed = capsys.readouterr().out
    assert "ivy" in listed
    assert "it" in listed
    assert "active" in listed
    assert "last signed in never" not in listed


def test_password_asked_twice(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(database, "add", "sam", "--role", "staff", stdin=Terminal(),
               answers=(PASSWORD, PASSWORD + "x")) == 1
    assert "not the same" in capsys.readouterr().err
    assert run(database, "add", "sam", "--role", "staff", stdin=Terminal(),
               answers=(PASSWORD, PASSWORD)) == 0


def test_no_terminal_and_no_stdin_flag(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(database, "add", "sam", "--role", "staff") == 1
    assert "--password-stdin" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (("add", "bad name!", "--role", "it"), "cannot be used"),
    (("add", "ok", "--role", "it"), "at least 12"),
])
def test_refusals_are_one_line(database: str, capsys: pytest.CaptureFixture[str],
                               argv: tuple[str, ...], message: str) -> None:
    stdin = io.StringIO("short\n")
    assert run(database, *argv, "--password-stdin", stdin=stdin) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "short" not in err


def test_bad_role_is_a_usage_error(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run(database, "add", "sam", "--role", "admin")
    assert exited.value.code == 2
    assert "staff" in capsys.readouterr().err


def test_duplicate_and_missing_accounts(database: str, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    stdin = io.StringIO(PASSWORD + "\n")
    assert run(database, "add", "sam", "--role", "staff", "--password-stdin", stdin=stdin) == 0
    again = io.StringIO(PASSWORD + "\n")
    assert run(database, "add", "SAM", "--role", "it", "--password-stdin", stdin=again) == 1
    assert "already an account called 'sam'" in capsys.readouterr().err
    assert run(database, "disable", "nobody") == 1
    assert "no account called 'nobody'" in capsys.readouterr().err


def test_disable_enable_reset_and_audit(database: str, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    assert run(database, "add", "sam", "--role", "staff", "--password-stdin",
               stdin=io.StringIO(PASSWORD + "\n")) == 0
    assert run(database, "disable", "sam") == 0
    assert run(database, "list") == 0
    assert "disabled" in capsys.readouterr().out
    assert run(database, "enable", "sam") == 0
    assert run(database, "reset-password", "sam", "--password-stdin",
               stdin=io.StringIO("another fine password\r\n")) == 0
    capsys.readouterr()
    assert run(database, "audit", "--account", "sam") == 0
    audit = capsys.readouterr().out.splitlines()
    assert [line.split()[3] for line in audit] == ["password_reset", "account_enabled",
                                                   "account_disabled", "account_added"]
    assert all("command line (tester)" in line for line in audit)
    assert "another fine password" not in "".join(audit)


def test_unusable_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    code = account_cli.main(["list", "--database", f"sqlite:///{tmp_path}/a-file/hub.db"],
                            environ={})
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk-hub account: cannot use the database")
    assert err.count("\n") == 1


def test_the_real_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m hub account add` as IT would type it, password piped in (on SQLite only:
    the command is the same code as `run` above, which runs on both databases)."""
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "hub", "account", "add", "ivy", "--role", "it",
         "--password-stdin", "--database", database],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
        check=False)
    assert result.returncode == 0, result.stderr
    assert "added ivy (it)" in result.stdout
    assert run(database, "list") == 0
    assert "ivy" in capsys.readouterr().out
