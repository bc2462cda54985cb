"""The hub's listening socket: connections it accepts answer without Nagle's delay."""

from __future__ import annotations

import socket

from hub.cli import _bind


def test_accepted_connections_have_no_nagle_delay() -> None:
    listener = _bind("127.0.0.1", 0)
    with listener:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            accepted, _ = listener.accept()
            with accepted:
                # Inherited from the listener (Linux): a kept-alive kiosk connection's answer
                # does not wait ~40 ms for the kiosk's delayed ACK.
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
