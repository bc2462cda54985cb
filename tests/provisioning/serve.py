"""A static server for the repository as its own process (`python -m tests.provisioning.serve
DIR`): prints its port, serves until terminated. The power-safety test forks the agent, and a
process with no server threads in it forks cleanly."""

from __future__ import annotations

import functools
import http.server
import sys
from typing import Any


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-download is what the power test does on purpose


def main() -> None:
    handler = functools.partial(_Quiet, directory=sys.argv[1])
    with _Server(("127.0.0.1", 0), handler) as httpd:
        print(httpd.server_address[1], flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
