"""A virtual contactless card for the vsmartcard-vpcd reader driver, in plain stdlib.

The vpcd driver (loaded by pcscd) listens on a TCP port per slot; a "card" is whatever
connects to it. Each message either way is a 2-byte big-endian length and a payload. From
the reader, a 1-byte payload is a control code (0 power off, 1 power on, 2 reset, 4 send
the ATR); anything longer is a command APDU, answered with a response APDU (data + SW1 SW2).
Power codes get no answer. Connecting is inserting the card; closing the socket removes it.

Debian's own emulator (vicc) is broken on bookworm, hence this one.
"""

from __future__ import annotations

import contextlib
import socket
import threading

GET_UID = bytes.fromhex("FFCA0000")
SW_OK = b"\x90\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_FUNCTION_NOT_SUPPORTED = b"\x6a\x81"

# A contactless storage card's ATR as PC/SC readers build it (PC/SC part 3, MIFARE 1K).
DEFAULT_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")

CTRL_POWER_OFF, CTRL_POWER_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


class VirtualCard:
    """One card that can be put on and taken off the vpcd slot listening on `port`.

    `answers_uid=False` makes a card that refuses GET UID (6A 81), like a contact card in a
    reader without the PC/SC pseudo-APDU. `apdus` records every command the reader sent.
    """

    def __init__(
        self,
        port: int,
        *,
        uid: bytes = bytes.fromhex("04A1B2C3"),
        atr: bytes = DEFAULT_ATR,
        answers_uid: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        self.port = port
        self.host = host
        self.uid = uid
        self.atr = atr
        self.answers_uid = answers_uid
        self.apdus: list[bytes] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.disconnected = threading.Event()

    @property
    def inserted(self) -> bool:
        return self._sock is not None and not self.disconnected.is_set()

    def insert(self, timeout: float = 5.0) -> None:
        """Connect to the reader (= put the card on it); the reader sees it on its next poll."""
        if self.inserted:
            raise RuntimeError("card already inserted")
        self.remove()
        self.disconnected = threading.Event()
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._thread = threading.Thread(
            target=self._serve, args=(sock, self.disconnected), name=f"vpcd-card-{self.port}", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        """Close the socket (= take the card off). Safe to call when not inserted."""
        sock, thread = self._sock, self._thread
        self._sock = self._thread = None
        if sock is not None:
            with contextlib.suppress(OSError):  # the reader side may have gone already
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if thread is not None:
            thread.join(timeout=2.0)

    def answer(self, apdu: bytes) -> bytes:
        """The response APDU for one command APDU."""
        self.apdus.append(apdu)
        if apdu[:4] == GET_UID:
            return self.uid + SW_OK if self.answers_uid else SW_FUNCTION_NOT_SUPPORTED
        return SW_INS_NOT_SUPPORTED

    def _serve(self, sock: socket.socket, gone: threading.Event) -> None:
        try:
            while True:
                header = _recv_exactly(sock, 2)
                if header is None:
                    return
                payload = _recv_exactly(sock, int.from_bytes(header, "big"))
                if payload is None:
                    return
                if len(payload) == 1:
                    if payload[0] == CTRL_ATR:
                        _send(sock, self.atr)
                    continue  # power on/off and reset need no answer
                _send(sock, self.answer(payload))
        except OSError:
            return
        finally:
            gone.set()


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(len(payload).to_bytes(2, "big") + payload)
