"""Small building blocks shared by every page: themed labels, big buttons, safe text inputs."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QFocusEvent, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QCheckBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def label(text: str, role: str = "", *, name: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    return widget


def button(text: str, role: str = "", *, name: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    # Touch does not move focus; only the keyboard does, so focus never lingers on a
    # button the resident touched on an earlier page.
    widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    widget.setAutoDefault(False)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    widget.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return widget


def lock_down(widget: QWidget) -> None:
    """No context menus, no drops: both are ways out of a kiosk (escape vectors K6)."""
    if isinstance(widget, QRadioButton | QCheckBox):
        widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    widget.setAcceptDrops(False)
    if isinstance(widget, QAbstractScrollArea):  # a scroll bar has its own menu ("Scroll here")
        for bar in (widget.verticalScrollBar(), widget.horizontalScrollBar()):
            bar.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)


_SENSITIVE = (Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
              | Qt.InputMethodHint.ImhNoAutoUppercase)


def line_edit(value: str, *, max_length: int | None, name: str,
              hints: Qt.InputMethodHint = Qt.InputMethodHint.ImhNone) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    if max_length:
        edit.setMaxLength(max_length + 50)  # room to see you typed too much; engine says so
    edit.setText(value)
    edit.setInputMethodHints(_SENSITIVE | hints)
    edit.setDragEnabled(False)
    lock_down(edit)
    return edit


def text_area(value: str, *, name: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setPlainText(value)
    edit.setTabChangesFocus(True)
    edit.setInputMethodHints(_SENSITIVE)
    lock_down(edit)
    lock_down(edit.viewport())
    track_viewport(edit.viewport())  # a scroll area too: see scroll_area
    return edit


_TRACKED = "/* tracked: see ui.widgets.scroll_area */"


def track_viewport(viewport: QWidget) -> None:
    """Make Qt's style sheet drop what it cached for this viewport when it is destroyed."""
    viewport.setStyleSheet(_TRACKED)


def scroll_area() -> QScrollArea:
    """A frameless, vertical-only scroll area whose viewport is freed cleanly.

    Under an application style sheet Qt treats a scroll area's viewport as "unstylable" and
    never hooks its `destroyed` signal, yet still caches render rules for it when it is
    painted: every page's viewport left ~400 bytes in Qt's style-sheet caches after the
    page was deleted (most of the memory growth per session). A style sheet of its own
    (a comment: no rules, so nothing looks different) makes Qt track it and drop the
    entries when the viewport is destroyed.
    """
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    track_viewport(area.viewport())
    lock_down(area)
    return area


def rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    return line


def _plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


class _Wrapping:
    """Mixin: a button whose words wrap onto more lines instead of being cut off.

    Qt's buttons never wrap; with extra-large text or long Welsh labels they would clip.
    The words live in a QLabel inside the button, transparent to touches; the whole row
    is the touch target. Listed first in the bases so its Qt overrides win.
    """

    words: QLabel

    def _wrap_setup(self, text: str, indent: int, padding: tuple[int, int] = (0, 0),
                    rich: bool = False) -> None:
        owner = self._owner()
        self.words = QLabel(text, owner)
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        # Rich only for bold and line breaks around escaped catalogue text: never a link.
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.words.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.words.setObjectName("words")
        layout = QVBoxLayout(owner)
        across, down = padding
        # The indicator sits on the leading side: the right in Urdu. Layout margins are not
        # mirrored by Qt, so put the room on the side the style draws the indicator.
        if owner.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            layout.setContentsMargins(across, down, indent + across, down)
        else:
            layout.setContentsMargins(indent + across, down, across, down)
        layout.addWidget(self.words)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        owner.setSizePolicy(policy)
        owner.setAccessibleName(self.words.text() if not rich else _plain(text))

    def _owner(self) -> QAbstractButton:
        assert isinstance(self, QAbstractButton)
        return self

    def caption(self) -> str:
        return self.words.text()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._mark_focus(True)
        super().focusInEvent(event)  # type: ignore[misc]

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._mark_focus(False)
        super().focusOutEvent(event)  # type: ignore[misc]

    def _mark_focus(self, focused: bool) -> None:
        """Style sheets cannot reach a child through the parent's :focus, so tell the words."""
        self.words.setProperty("focused", focused)
        self.words.style().unpolish(self.words)
        self.words.style().polish(self.words)

    def hitButton(self, pos: QPoint) -> bool:
        return self._owner().rect().contains(pos)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        owner = self._owner()
        layout = owner.layout()
        inner = layout.totalHeightForWidth(width) if layout is not None else 0
        return max(owner.minimumHeight(), inner)

    def sizeHint(self) -> QSize:
        owner = self._owner()
        layout = owner.layout()
        hint = layout.sizeHint() if layout is not None else QSize(100, 40)
        return QSize(hint.width(), max(owner.minimumHeight(), hint.height()))


class WrapButton(_Wrapping, QPushButton):
    def __init__(self, text: str, role: str = "", *, name: str = "",
                 padding: tuple[int, int] = (0, 0), rich: bool = False) -> None:
        super().__init__()
        self._wrap_setup(text, 0, padding, rich)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAutoDefault(False)
        if role:
            self.setProperty("role", role)
        if name:
            self.setObjectName(name)


class WrapRadio(_Wrapping, QRadioButton):
    def __init__(self, text: str, indicator_px: int) -> None:
        super().__init__()
        self._wrap_setup(text, indicator_px)


class WrapCheckBox(_Wrapping, QCheckBox):
    def __init__(self, text: str, indicator_px: int) -> None:
        super().__init__()
        self._wrap_setup(text, indicator_px)
