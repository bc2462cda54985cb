"""Load a folder of service files, reporting every bad file at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kiosk.catalogue.model import Service
from kiosk.catalogue.offers import catalogue_offer_problems, without_missing_offers
from kiosk.config_errors import (
    ConfigError,
    LineIndex,
    Problem,
    dotted,
    problems_from_validation,
    read_yaml,
)
from kiosk.journey.types import QuestionTypes, builtin_types


@dataclass(frozen=True)
class Catalogue:
    """The services a kiosk offers, in menu order."""

    services: tuple[Service, ...]

    def service(self, service_id: str) -> Service:
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)

    def __iter__(self) -> Iterator[Service]:
        return iter(self.services)

    def __len__(self) -> int:
        return len(self.services)

    def only(self, service_ids: list[str] | None) -> Catalogue:
        """The services a profile chose, in the profile's order (all of them when None). A
        result page's offer of a service left out is dropped: no button leads nowhere."""
        if service_ids is None:
            return self
        chosen = set(service_ids)
        return Catalogue(tuple(without_missing_offers(self.service(sid), chosen)
                               for sid in service_ids))


def load_catalogue(folder: Path, types: QuestionTypes | None = None) -> Catalogue:
    """Read every `*.yaml` in `folder` as one service; the file name must be `<id>.yaml`.

    Questions may use the types in `types` (the built-in ones when None).
    """
    context = (types or builtin_types()).context()
    if not folder.is_dir():
        raise ConfigError([Problem(str(folder), "", "a folder of service files", "no such folder")])
    problems: list[Problem] = []
    services: list[Service] = []
    files: dict[str, tuple[Path, LineIndex]] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data, lines = read_yaml(path)
            service = Service.model_validate(data, context=context)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, str(path), lines))
            continue
        if service.id != path.stem:
            problems.append(Problem(str(path), "id", f"{path.stem!r} (the file name, {path.name})",
                                    repr(service.id), lines.line_of(("id",))))
            continue
        services.append(service)
        files[service.id] = (path, lines)
    for service, loc, expected, found in catalogue_offer_problems(services):
        path, lines = files[service.id]
        problems.append(Problem(str(path), dotted(loc), expected, found, lines.line_of(loc)))
    if not services and not problems:
        problems.append(Problem(str(folder), "", "at least one service file (*.yaml)", "none"))
    if problems:
        raise ConfigError(problems)
    return Catalogue(tuple(sorted(services, key=lambda s: (s.order, s.id))))
