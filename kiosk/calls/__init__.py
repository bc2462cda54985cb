"""Talk to an advisor: opening hours, the hub's call queue, and what the call screens show
(docs/calls.md). Qt-free: the video itself is `ui/call/`."""
