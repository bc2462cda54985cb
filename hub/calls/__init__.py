"""Talk to an advisor: the hub's side of video calls between a kiosk, an advisor and, by
invitation, an interpreter (docs/calls.md is the protocol; docs/hub.md, "Advisor calls").

A call is queued by a kiosk, answered by exactly one advisor (a conditional update decides),
and ended by whoever hangs up. The hub never carries media: it keeps the queue, relays the
peers' signalling over a WebSocket (`websocket.py`), and across hub processes passes those
messages through a bus (`bus.py`: in memory on SQLite, LISTEN/NOTIFY on PostgreSQL).
Nothing personal is stored: no names, no summaries, only what a call's statistics need.
"""
