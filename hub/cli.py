"""`kiosk-hub` (and `python -m hub`): serve the hub with uvicorn.

The listening socket is bound here, before uvicorn starts, so "port already in use" is one
clear line for whoever is at the terminal rather than a log record and a traceback.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys
from collections.abc import Sequence

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from hub import account_cli, collections_cli, db_cli, device_cli, gazetteer_cli
from hub.app import create_app
from hub.appointments import cli as appointments_cli
from hub.calls.websocket import MAX_MESSAGE
from hub.db import database_error
from hub.migrate import SchemaNotReady
from hub.saved.keyfile import SavedKeyError
from hub.settings import HubSettings, load_settings
from hub.usage import demo_cli
from kiosk.config_errors import ConfigError


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this (Linux): without it a kept-alive connection's
        # answer waits ~40 ms for the client's delayed ACK (Nagle) — every kiosk lookup did.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _bind_error(settings: HubSettings, exc: OSError) -> str:
    where = f"{settings.host}:{settings.port}"
    if exc.errno == errno.EADDRINUSE:
        return f"kiosk-hub: cannot listen on {where}: the port is already in use " \
               f"(is another hub running? choose another with --port)"
    if exc.errno == errno.EACCES:
        return f"kiosk-hub: cannot listen on {where}: permission denied"
    reason = exc.strerror or str(exc)
    return f"kiosk-hub: cannot listen on {where}: {reason}"


def _log_to_stderr(level: str) -> None:
    """The hub's own records (one line per lookup) beside uvicorn's, at the same level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    logger = logging.getLogger("hub")
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the hub; or, with `account ...`, `device ...`, `db ...`, `gazetteer ...` or
    `collections ...` or `appointments ...` first, manage staff accounts, the register of
    terminals, the database's schema, the council's addresses, its bin collection calendar or
    its appointments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["account"]:
        return account_cli.main(args[1:])
    if args[:1] == ["device"]:
        return device_cli.main(args[1:])
    if args[:1] == ["db"]:
        return db_cli.main(args[1:])
    if args[:1] == ["gazetteer"]:
        return gazetteer_cli.main(args[1:])
    if args[:1] == ["collections"]:
        return collections_cli.main(args[1:])
    if args[:1] == ["appointments"]:
        return appointments_cli.main(args[1:])
    if args[:1] == ["demo-events"]:
        return demo_cli.main(args[1:])
    settings = load_settings(args, os.environ)
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        print(_bind_error(settings, exc), file=sys.stderr)
        return 1
    with sock:
        try:
            app = create_app(settings)
        except ConfigError as exc:
            print(f"kiosk-hub: the catalogue in {settings.catalogue_dir} cannot be used:",
                  file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return 2
        except (ValueError, SchemaNotReady, SavedKeyError) as exc:
            print(f"kiosk-hub: {exc}", file=sys.stderr)
            return 2
        except SQLAlchemyError as exc:
            print(f"kiosk-hub: {database_error(settings.database_url, exc)}", file=sys.stderr)
            return 1
        url = _url(settings.host, settings.port)
        print(f"kiosk-hub: {settings.council_name} hub on {url}", flush=True)
        print(f"kiosk-hub: Open311 GeoReport v2 at {url}/open311/v2/discovery.json, "
              f"receipt status pages at {url}/status/<reference>", flush=True)
        print(f"kiosk-hub: kiosk lookups at {url}/kiosk/v1/lookups/<source> "
              f"({', '.join(app.state.hub.lookups.names())})", flush=True)
        if settings.uses_demo_key and not settings.on_loopback:
            print("kiosk-hub: warning: the demo API key is accepted on a non-loopback "
                  "address; set KIOSK_HUB_API_KEYS or --api-key", file=sys.stderr, flush=True)
        _log_to_stderr(settings.log_level)
        config = uvicorn.Config(app, log_level=settings.log_level, server_header=False,
                                proxy_headers=True, ws_max_size=MAX_MESSAGE)
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
        return 0 if server.started else 1
