"""The commands IT types, end to end: kiosk-admin on the repository side, `kiosk provision`
on the terminal, against the repository served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.cli import main as kiosk
from provisioning.admin_cli import main as admin
from tests.provisioning.world import SITE, RepoServer, secrets_for_test, write_profile


def test_from_a_new_repository_to_a_terminal_running_the_published_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    repo, keys, state = tmp_path / "repo", tmp_path / "offline-keys", tmp_path / "state"
    assert admin(["repo", "init", str(repo), "--keys", str(keys), "--url", "http://127.0.0.1:9"]) == 0
    assert "Keep the root and targets keys offline" in capsys.readouterr().out
    assert sorted(p.name.split("-")[0] for p in keys.glob("*.pem")) == [
        "root", "root", "root", "snapshot", "targets", "timestamp"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in keys.glob("*.pem"))
    server = RepoServer(repo / "public").start()
    try:
        common = ["--repo", str(repo), "--keys", str(keys)]
        assert admin([*common, "council", "add", "north"]) == 0
        assert "sites/north/*/*" in capsys.readouterr().out
        assert admin([*common, "device", "enrol", SITE, "--council", "north", "--device-id", "lib-01",
                      "--url", server.url]) == 0
        bundle = tmp_path / "bundle.json"
        bundle.write_text(capsys.readouterr().out)
        assert json.loads(bundle.read_text())["root"]["signed"]["_type"] == "root"

        assert kiosk(["provision", "enrol", str(bundle), "--state-dir", str(state)]) == 0
        identity = tmp_path / "identity.json"
        identity.write_text(capsys.readouterr().out)
        assert oct((state / "provision" / "bootstrap-root.json").stat().st_mode & 0o777) == "0o444"
        assert admin([*common, "device", "register", "lib-01", str(identity)]) == 0
        assert "registered" in capsys.readouterr().out

        secrets = tmp_path / "secrets.yaml"
        secrets.write_text(yaml.safe_dump(secrets_for_test()))
        assert admin([*common, "secrets", "publish", "lib-01", str(secrets)]) == 0
        assert "devices/north/lib-01/secrets.sealed version 1" in capsys.readouterr().out
        profile = write_profile(tmp_path / "edit")
        # Without the secrets it names, the profile cannot be validated as a terminal would.
        assert admin([*common, "profile", "publish", SITE, str(profile)]) == 2
        assert "no secrets document" in capsys.readouterr().err
        assert admin([*common, "profile", "publish", SITE, str(profile), "--secrets", str(secrets)]) == 0
        assert "version 1" in capsys.readouterr().out

        assert kiosk(["provision", "refresh", "--state-dir", str(state)]) == 0
        assert "first profile" in capsys.readouterr().out
        assert kiosk(["provision", "status", "--state-dir", str(state)]) == 0
        status = json.loads(capsys.readouterr().out)
        assert (status["current"], status["result"]["status"]) == ("p1-s1", "ok")

        assert admin([*common, "keys", "rotate", "timestamp"]) == 0
        assert admin([*common, "timestamp", "refresh"]) == 0
        assert kiosk(["provision", "refresh", "--state-dir", str(state)]) == 0
        assert "up to date (p1-s1)" in capsys.readouterr().out

        assert admin([*common, "device", "revoke", "lib-01"]) == 0
        assert "secrets target withdrawn" in capsys.readouterr().out
        assert admin([*common, "secrets", "publish", "lib-01", str(secrets)]) == 2
        assert "revoked" in capsys.readouterr().err
    finally:
        server.stop()


def test_operator_mistakes_get_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = tmp_path / "keys"
    assert admin(["--repo", str(tmp_path / "none"), "--keys", str(keys), "council", "add", "north"]) == 2
    assert "make one with `kiosk-admin repo init`" in capsys.readouterr().err
    assert admin(["--keys", str(keys), "repo", "init", str(tmp_path / "r"), "--url", "http://x"]) == 0
    common = ["--repo", str(tmp_path / "r"), "--keys", str(keys)]
    assert admin([*common, "council", "add", "Bad Name"]) == 2
    assert "lowercase letters" in capsys.readouterr().err
    assert admin([*common, "council", "add", "timestamp"]) == 2
    no_keys = ["--repo", str(tmp_path / "r"), "--keys", str(tmp_path / "empty")]
    assert admin([*no_keys, "council", "add", "x"]) == 2
    assert "needs 1 signature(s)" in capsys.readouterr().err
    assert admin([*common, "device", "enrol", SITE, "--council", "nobody", "--device-id", "a"]) == 2
    assert "no council 'nobody'" in capsys.readouterr().err


def test_kiosk_provision_is_a_real_command(tmp_path: Path) -> None:
    """The lazy route from the `kiosk` console command to the agent, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "provision", "refresh",
                           "--state-dir", str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert "not enrolled" in done.stdout
    assert "Traceback" not in done.stderr
