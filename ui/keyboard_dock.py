"""The dock: shows the on-screen keyboard while a text field inside the window has focus,
hides it otherwise, and keeps what the resident is answering in view above it.

Apart from the keyboard itself (`ui.keyboard`) because it is a policy about focus, presses and
scrolling rather than about keys.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from accessibility.themes import MIN_TARGET_MM
from ui.keyboard import (
    CONTEXT_PROPERTY,
    NO_KEYBOARD,
    PRESS_ENDS,
    PURPOSE_PROPERTY,
    OnScreenKeyboard,
    is_text_input,
)


class KeyboardDock(QObject):
    """Shows the keyboard while a text field inside `scope` has focus, hides it otherwise.

    The window puts the keyboard in its own top-level layout, below the page (so the page
    shrinks instead of being covered, and Continue stays visible), and never inside a widget
    with click focus: a press on a key would otherwise give that ancestor the focus.

    Hiding waits until no finger or mouse button is down. A press on Continue takes the
    focus from the field (the page has click focus); hiding the keyboard there and then grew
    the page and moved Continue before the release, so the release missed it and the tap
    was lost (5 of 5 under a real X server). So while a press is held the layout stays as
    it is, and when it ends (after the release has been delivered, so the button has acted)
    the dock settles: the keyboard hides unless focus is back on a text field.
    """

    SETTLE_POLL_MS = 100
    """How often a deferred hide re-checks the buttons, in case a release never arrives
    (a grab taken by another window, a touch cancelled): the keyboard must not stay forever."""

    # `opening` comes before the keyboard takes its room (the window may fold its header
    # then, so the scrolling below sees the final layout); `shown` after; `hidden` after.
    opening = Signal()
    shown = Signal()
    hidden = Signal()

    def __init__(self, keyboard: OnScreenKeyboard, scope: QWidget) -> None:
        super().__init__(scope)
        self.keyboard, self.scope = keyboard, scope
        keyboard.hide()
        keyboard.done.connect(self._done)
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            raise RuntimeError("KeyboardDock needs a QApplication")
        app.focusChanged.connect(self._focus_changed)
        self._app = app
        self._waiting = False  # a hide is deferred until the press ends
        self._poll = QTimer(self)
        self._poll.setInterval(self.SETTLE_POLL_MS)
        self._poll.timeout.connect(self._settle_if_released)

    @property
    def hide_pending(self) -> bool:
        """True while a hide waits for the press that caused it to end."""
        return self._waiting

    def wants_keyboard(self, widget: QWidget | None) -> bool:
        return (widget is not None and is_text_input(widget)
                and self.scope.isAncestorOf(widget)
                and not self.keyboard.isAncestorOf(widget)
                and widget.property(PURPOSE_PROPERTY) != NO_KEYBOARD)

    def open_for(self, field: QWidget) -> None:
        self.keyboard.attach_to(field)
        was_hidden = self.keyboard.isHidden()
        if was_hidden:
            self.opening.emit()
        self.keyboard.show()
        self._reveal(field)
        if was_hidden:
            self.shown.emit()

    def close(self) -> None:
        self._stop_waiting()
        was_shown = not self.keyboard.isHidden()
        if not was_shown and self.keyboard.attached_field is None:
            return  # focus moving between buttons and pages: nothing to undo
        self.keyboard.detach()
        self.keyboard.hide()
        if was_shown:
            self.hidden.emit()

    def reset(self) -> None:
        """Session end: hide and forget everything (call from the window's wipe)."""
        self.close()
        self.keyboard.reset()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.wants_keyboard(new):
            assert new is not None
            self._stop_waiting()
            self.open_for(new)
        elif self._pressing() and not self.keyboard.isHidden():
            self._wait_for_release()
        else:
            self.close()

    @staticmethod
    def _pressing() -> bool:
        return QApplication.mouseButtons() != Qt.MouseButton.NoButton

    def _wait_for_release(self) -> None:
        if self._waiting:
            return
        self._waiting = True
        # Only while a press is held: an application-wide filter for good would see every
        # event of every page and slow each tap.
        self._app.installEventFilter(self)
        self._poll.start()

    def _stop_waiting(self) -> None:
        if self._waiting:
            self._waiting = False
            self._app.removeEventFilter(self)
            self._poll.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in PRESS_ENDS:
            # Settle after this event has been delivered: the button under the finger acts
            # on the release first, with the layout it was pressed in.
            QTimer.singleShot(0, self._settle_if_released)
        return False

    def _settle_if_released(self) -> None:
        if not self._waiting or self._pressing():
            return
        self._stop_waiting()
        focused = QApplication.focusWidget()
        if self.wants_keyboard(focused):
            assert focused is not None
            self.open_for(focused)  # the tap put the focus back in a field
        else:
            self.close()

    def _done(self) -> None:
        field = self.keyboard.target()
        self.close()
        if field is not None:
            # Without focus, the next touch on the field is a focus change and reopens the
            # keyboard; with it, the touch would change nothing and the keyboard stay shut.
            field.clearFocus()

    def _reveal(self, field: QWidget) -> None:
        """Scroll the field into view above the keyboard (VIS-12: focus never hidden)."""
        layout = self.scope.layout()
        if layout is not None:
            layout.activate()  # the page shrinks now, not on the next event loop turn
        # ...and so do the layouts inside it, or the scroll range is still the old one and
        # the field stops short of the viewport's edge.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        parent = field.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        content = parent.widget() if isinstance(parent, QScrollArea) else None
        if isinstance(parent, QScrollArea) and content is not None:
            # The whole field with a gap around it, not just its text cursor (which is all
            # ensureWidgetVisible looks after for a line edit).
            centre = field.mapTo(content, field.rect().center())
            margin = self.keyboard.theme.gap_px
            parent.ensureVisible(centre.x(), centre.y(), field.width() // 2 + margin,
                                 field.height() // 2 + margin)
            minimum_target = math.ceil(MIN_TARGET_MM * self.keyboard.theme.px_per_mm)
            self._reveal_question(parent, content, field, margin, minimum_target)

    @staticmethod
    def _reveal_question(area: QScrollArea, content: QWidget, field: QWidget,
                         margin: int, start_px: int) -> None:
        """Scroll up as far as the question's label (`keyboardContext` on the field or an
        ancestor) while the field stays in view: a resident must see what they are answering,
        not only the box. When both do not fit (a tall text box), the label goes at the top
        if a touch target's height of the field still shows below it (where typing starts);
        otherwise the field wins (focus never hidden)."""
        context: object = None
        holder: QWidget | None = field
        while holder is not None and holder is not content and context is None:
            context = holder.property(CONTEXT_PROPERTY)
            holder = holder.parentWidget()
        if not isinstance(context, QWidget) or not content.isAncestorOf(context):
            return
        bar, height = area.verticalScrollBar(), area.viewport().height()
        label_top = context.mapTo(content, context.rect().topLeft()).y()
        field_bottom = field.mapTo(content, field.rect().bottomLeft()).y()
        # With a gap above the label and below the field if there is room; without, if that
        # is what it takes for both to show.
        gap = margin if field_bottom - label_top + 2 * margin <= height else 0
        top, bottom = label_top - gap, field_bottom + gap
        lowest, highest = bottom - height, top  # scroll values showing both, if any
        if lowest > highest:
            field_top = field.mapTo(content, field.rect().topLeft()).y()
            needed = field_top - top + min(field.height(), start_px)
            bar.setValue(top if needed <= height else lowest)
        elif not lowest <= bar.value() <= highest:
            bar.setValue(max(lowest, min(highest, bar.value())))
