"""`kiosk-hub device register | revoke | list`: IT's register, with one clear line per refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.cli import main
from kiosk.device_identity import IDENTITY, DeviceKeys, key_folder


@pytest.fixture
def database(tmp_path: Path) -> list[str]:
    return ["--database", f"sqlite:///{tmp_path / 'hub.db'}"]


def enrolled(tmp_path: Path, device_id: str) -> Path:
    """The identity file a device prints at enrolment, as IT receives it."""
    folder = key_folder(tmp_path / device_id)
    DeviceKeys.create(folder, device_id, "central-library")
    return folder / IDENTITY


def test_register_list_and_revoke(tmp_path, database, capsys) -> None:
    identity = enrolled(tmp_path, "kiosk-0001")
    assert main(["device", "list", *database]) == 0
    assert "No terminals yet" in capsys.readouterr().out
    assert main(["device", "register", str(identity), "--council", "Demo", *database]) == 0
    assert "registered kiosk-0001 at central-library (Demo)" in capsys.readouterr().out
    assert main(["device", "list", *database]) == 0
    listed = capsys.readouterr().out
    assert "kiosk-0001" in listed
    assert "active" in listed
    assert "last heard never" in listed
    assert main(["device", "revoke", "kiosk-0001", *database]) == 0
    assert "kiosk-0001 revoked" in capsys.readouterr().out
    assert main(["device", "list", *database]) == 0
    assert "revoked 20" in capsys.readouterr().out
    assert main(["device", "revoke", "kiosk-0001", *database]) == 0  # already: says when


def test_an_id_is_registered_once(tmp_path, database, capsys) -> None:
    identity = enrolled(tmp_path, "kiosk-0001")
    assert main(["device", "register", str(identity), *database]) == 0
    assert main(["device", "revoke", "kiosk-0001", *database]) == 0
    capsys.readouterr()
    assert main(["device", "register", str(identity), *database]) == 1
    assert "kiosk-0001 is already revoked" in capsys.readouterr().err


def test_refusals_name_the_file_and_the_problem(tmp_path, database, capsys) -> None:
    missing = tmp_path / "nope.json"
    assert main(["device", "register", str(missing), *database]) == 1
    assert f"cannot read {missing}" in capsys.readouterr().err
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{device_id: 1")
    assert main(["device", "register", str(garbled), *database]) == 1
    assert f"{garbled} is not JSON" in capsys.readouterr().err
    short = tmp_path / "short.json"
    short.write_text(json.dumps({"device_id": "kiosk-0001", "site": "x"}))
    assert main(["device", "register", str(short), *database]) == 1
    err = capsys.readouterr().err
    assert str(short) in err
    assert "signing_public" in err
    assert main(["device", "revoke", "kiosk-9999", *database]) == 1
    assert "no device kiosk-9999 is registered" in capsys.readouterr().err


def test_the_identity_file_never_holds_a_private_key(tmp_path) -> None:
    data = json.loads(enrolled(tmp_path, "kiosk-0001").read_text())
    assert set(data) == {"device_id", "site", "signing_public", "sealing_public"}
