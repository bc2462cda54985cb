"""Paint first: the start-up shell shows the attract screen before the kiosk is built, keeps
what a resident touches meanwhile and replays it, and fails cleanly on a bad catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from kiosk.first_frame import FirstFrame, remembered
from kiosk.profile import load_device_profile
from tests.kiosk_fixtures import demo_profile_copy
from ui.boot import open_shell, run_painted_first
from ui.driving import page_name
from ui.pages.spinner import Spinner


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return demo_profile_copy(tmp_path, printer="fake")


def test_the_shell_keeps_a_touch_and_the_kiosk_replays_it(qtbot, profile: Path,
                                                          tmp_path: Path) -> None:
    from ui.app import build_into

    device = load_device_profile(profile)
    shell = open_shell(FirstFrame.of(device))
    qtbot.addWidget(shell)
    assert shell.findChild(object, "councilName").text() == "Demo Borough Council"
    # A resident touches the attract screen before the kiosk is in: nothing breaks, and
    # "Just a moment" says it was noticed.
    start = shell.findChild(object, "start")
    QTest.mouseClick(start, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert shell.waiting.isVisible()
    assert shell.waiting.findChild(Spinner).isVisible()  # it turns while the kiosk loads
    kiosk = build_into(shell, profile, device, tmp_path / "state")
    try:
        assert shell.kiosk_window is kiosk.window
        assert page_name(kiosk.window) == "menu"  # the kept touch started the visit
        assert kiosk.terminal.in_session
        # Validated in full: the next start paints from the remembered first frame.
        assert remembered(profile, tmp_path / "state") == FirstFrame.of(device)
    finally:
        kiosk.close()


def test_a_language_chosen_while_loading_is_applied(qtbot, profile: Path,
                                                    tmp_path: Path) -> None:
    from ui.app import build_into

    shell = open_shell(FirstFrame.of(load_device_profile(profile)))
    qtbot.addWidget(shell)
    welsh = shell.findChild(object, "language-cy")
    QTest.mouseClick(welsh, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    kiosk = build_into(shell, profile, None, tmp_path / "state")  # validated after paint
    try:
        assert kiosk.terminal.prefs.language == "cy"
        assert page_name(kiosk.window) == "attract"
    finally:
        kiosk.close()


def test_a_bad_catalogue_after_the_first_frame_exits_2_with_the_problem(
        qtbot, profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.cli import _start_failed
    from ui.app import build_into

    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data["catalogue"]["services"] = ["missed-bin", "no-such-service"]
    profile.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    device = load_device_profile(profile)  # the profile itself is fine
    code = run_painted_first(FirstFrame.of(device),
                             lambda shell: build_into(shell, profile, device, tmp_path / "s"),
                             _start_failed)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("The profile cannot be used.")
    assert "no-such-service" in err
    assert remembered(profile, tmp_path / "s") is None
