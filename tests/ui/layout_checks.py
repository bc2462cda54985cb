"""Widget walks for reflow: nothing clipped sideways, no siblings overlapping, big targets."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QWidget,
)


def _visible_leaves(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if w.isVisibleTo(root) and isinstance(w, QLabel | QAbstractButton | QLineEdit
                                                   | QPlainTextEdit)
            and w.objectName() != "words"]


def _gap(first: QRect, second: QRect) -> int:
    """Pixels of empty space between two rectangles that do not overlap."""
    across = max(second.left() - first.right(), first.left() - second.right(), 0) - 1
    down = max(second.top() - first.bottom(), first.top() - second.bottom(), 0) - 1
    return max(across, down)


def layout_problems(window: QWidget, target_px: int, gap_px: int = 0) -> list[str]:
    """Everything wrong with what is on screen now, as readable sentences."""
    problems: list[str] = []
    width = window.width()
    for widget in _visible_leaves(window):
        if isinstance(widget.parentWidget(), QScrollBar):
            continue
        name = f"{type(widget).__name__}#{widget.objectName() or '?'}"
        top_left = widget.mapTo(window, widget.rect().topLeft())
        box = QRect(top_left, widget.size())
        if box.left() < 0 or box.right() >= width:
            problems.append(f"{name} runs off the side ({box.left()}..{box.right()} of {width})")
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height() + 2:
                problems.append(f"{name} is cut off ({widget.height()} of {needed} px)")
        if isinstance(widget, QAbstractButton | QLineEdit) and widget.height() < target_px - 1:
            problems.append(f"{name} is a small target ({widget.height()} < {target_px} px)")
    for parent in {w.parentWidget() for w in _visible_leaves(window)}:
        if parent is None:
            continue
        siblings = [w for w in parent.children() if isinstance(w, QWidget)
                    and w.isVisibleTo(window) and w.objectName() != "words"
                    and not isinstance(w, QScrollBar)]
        for i, first in enumerate(siblings):
            for second in siblings[i + 1:]:
                overlap = first.geometry().intersected(second.geometry())
                if overlap.width() > 1 and overlap.height() > 1:
                    problems.append(
                        f"{first.objectName() or type(first).__name__} overlaps "
                        f"{second.objectName() or type(second).__name__}"
                    )
                elif (gap_px and isinstance(first, QAbstractButton)
                      and isinstance(second, QAbstractButton)
                      and _gap(first.geometry(), second.geometry()) < gap_px - 1):
                    problems.append(
                        f"{first.objectName()} and {second.objectName()} are closer than "
                        f"{gap_px} px (2 mm)"
                    )
    return problems
