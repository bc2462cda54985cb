"""No system dialog and no way to open a link in the app's code (issue 9; V3-V5, K4): an AST
walk over ui/, kiosk/, peripherals/ and accessibility/ fails on any use of the forbidden
names, whether imported, called, subclassed or spelled in a string for getattr."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("ui", "kiosk", "peripherals", "accessibility")

# Dialogs with a file browser, a printer's "Print to file", or just a second window that
# Escape and Alt+F4 act on (overlays are the kiosk's dialogs: ui/overlays.py).
FORBIDDEN = frozenset({
    "QFileDialog", "QPrintDialog", "QPageSetupDialog", "QColorDialog", "QFontDialog",
    "QPrintPreviewDialog", "QAbstractPrintDialog", "QDialog", "QMessageBox", "QInputDialog",
    "QErrorMessage", "QProgressDialog", "QWizard", "QFileSystemModel", "QTextBrowser",
    # Links: a label that opens them, or opening one ourselves.
    "setOpenExternalLinks", "setOpenLinks", "openUrl",
})
# The one module that may name QDesktopServices: it installs the refusals.
DESKTOP_SERVICES_ALLOWED = {Path("ui/app_lockdown.py")}


def forbidden_names(source: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.alias):
            names = [node.name.rsplit(".", 1)[-1], node.asname or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names = [node.name]
        found += [(getattr(node, "lineno", 0), name) for name in names
                  if name in FORBIDDEN or name == "QDesktopServices"]
    return found


def _app_files() -> list[Path]:
    return sorted(p for room in ROOMS for p in (ROOT / room).rglob("*.py"))


def test_the_walk_sees_every_form_of_use() -> None:
    source = """
from PySide6.QtWidgets import QFileDialog as Picker
import PySide6.QtPrintSupport
dialog = PySide6.QtPrintSupport.QPrintDialog()
class Mine(QColorDialog): pass
label.setOpenExternalLinks(True)
getattr(QtWidgets, "QFontDialog")
"""
    names = {name for _, name in forbidden_names(source)}
    assert {"QFileDialog", "QPrintDialog", "QColorDialog", "setOpenExternalLinks",
            "QFontDialog"} <= names


@pytest.mark.parametrize("room", ROOMS)
def test_no_system_dialog_or_link_opener_in_app_code(room: str) -> None:
    problems = []
    files = [p for p in _app_files() if p.relative_to(ROOT).parts[0] == room]
    assert files
    for path in files:
        relative = path.relative_to(ROOT)
        for line, name in forbidden_names(path.read_text(encoding="utf-8")):
            if name == "QDesktopServices" and relative in DESKTOP_SERVICES_ALLOWED:
                continue
            problems.append(f"{relative}:{line} uses {name}")
    assert problems == []
