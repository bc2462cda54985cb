"""The `kiosk-hub` command: clear one-line failures, no tracebacks."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hub.cli import main
from tests.hub_server import REPO_ROOT, free_port


def test_port_in_use_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["--port", str(port), "--database", f"sqlite:///{tmp_path / 'hub.db'}"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"127.0.0.1:{port}" in err
    assert "already in use" in err
    assert "Traceback" not in err


def test_port_in_use_from_python_m_hub(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "hub", "--port", str(port),
             "--database", f"sqlite:///{tmp_path / 'hub.db'}"],
            capture_output=True, text=True, timeout=30, cwd=REPO_ROOT, check=False)
    assert result.returncode != 0
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_catalogue_lists_its_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    (tmp_path / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    code = main(["--catalogue", str(tmp_path), "--database", f"sqlite:///{tmp_path / 'hub.db'}",
                 "--port", str(free_port())])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot be used" in err
    assert "broken.yaml" in err


def test_bad_port_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", "99999"])
    assert exited.value.code == 2
    assert "65535" in capsys.readouterr().err

