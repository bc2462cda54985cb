"""The kiosk's call screen (docs/calls.md §4): a locked-down QtWebEngine view of our own call
page, one off-the-record web profile per call.

Nothing here is imported on the start-up path. QtWebEngine costs a second of start-up and
100 MB or more of memory, so the composition root imports `ui.call.view` only when a call
starts (tests/ui/test_call_lazy.py keeps it so). This package's own `__init__` imports nothing.
"""
