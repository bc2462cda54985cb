"""`kiosk catalogue import-open311 URL`: write a council's Open311 services as service files.

The arguments are declared in `kiosk.cli` (so `kiosk run` never imports this).

Prints what it did for IT: each service written, each service left out and why, every
problem in the server's documents (URL, service code, attribute code, expected, found) and
what a human must do next. Exit status: 0 all imported, 1 some services not imported (the
rest are written), 2 nothing written (no service could be imported, or files would be
replaced).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from kiosk.catalogue.open311_fetch import FetchProblem, Open311Client
from kiosk.catalogue.open311_import import (
    ImportOptions,
    ImportReport,
    import_open311,
    write_catalogue,
)
from kiosk.config_errors import ConfigError


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def run_import(args: argparse.Namespace) -> int:
    try:
        client = Open311Client(args.url, jurisdiction_id=args.jurisdiction_id,
                               api_key=args.api_key, read_timeout=args.timeout)
    except FetchProblem as exc:
        _err(f"Nothing imported. {exc}")
        return 2
    try:
        report = import_open311(client, ImportOptions(args.destination, args.language))
    except FetchProblem as exc:
        _err(f"Nothing imported: the list of services could not be read.\n  - {exc}")
        return 2
    finally:
        client.close()
    out = Path(args.out)
    command = f"kiosk catalogue import-open311 {client.base_url}"
    try:
        paths = write_catalogue(report, out, command, datetime.now(UTC).date(), force=args.force)
    except FileExistsError as exc:
        _err(f"Nothing written: these files are already there (a council's edits and "
             f"translations may be in them): {exc}. Import into a new folder and compare, "
             "or give --force to replace them.")
        return 2
    except OSError as exc:
        _err(f"Nothing written to {out}: {exc.strerror or exc}")
        return 2
    _summary(report, out, paths)
    if not paths:
        return 2
    loads = _check_loads(out)
    return 1 if report.failed or not loads else 0


def _summary(report: ImportReport, out: Path, paths: list[Path]) -> None:
    _out(f"Imported {len(report.services)} service(s) into {out} (read as {report.format}).")
    for service, path in zip(report.services, paths, strict=True):
        pages = service.document["pages"]
        asked = len(service.document["destination"].get("attributes", {}))
        info = sum(1 for p in pages if "info" in p)
        _out(f"  {path.name}: {service.entry.code!r} {service.entry.name!r} "
             f"({asked} question(s) from the server, {info} information page(s))")
    if report.skipped:
        _out("Left out on purpose:")
        for code, why in report.skipped:
            _out(f"  {code!r}: {why}")
    stopping = [i for i in report.issues if i.stops]
    if stopping:
        _out(f"Not imported ({len(report.failed)}): problems in the server's documents:")
        for issue in stopping:
            _out(f"  - {issue}")
    read_anyway = [i for i in report.issues if not i.stops]
    if read_anyway:
        _out("Read anyway (tell the server's supplier):")
        for issue in read_anyway:
            _out(f"  - {issue}")
    notes = [(s, n) for s in report.services for n in s.notes]
    if notes:
        _out("For a human to check (also at the top of each file):")
        for service, note in notes:
            _out(f"  - {service.service_id}: {note}")
    _out("Next: reword the questions in plain English, translate them (script/translations "
         "check PROFILE lists what is missing), check the location questions, then point the "
         f"profile's catalogue.path at {out} and check it with kiosk validate PROFILE. See "
         "docs/catalogue.md, \"Importing from an Open311 server\".")


def _check_loads(out: Path) -> bool:
    from kiosk.catalogue.loader import load_catalogue

    try:
        catalogue = load_catalogue(out)
    except ConfigError as exc:
        _out(f"The folder {out} does not load as a catalogue yet. {exc.describe()}")
        return False
    _out(f"Checked: {out} loads as a catalogue ({len(catalogue)} services).")
    return True
