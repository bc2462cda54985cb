"""The service catalogue: each council service is data (one YAML file per service)."""

from kiosk.catalogue.loader import Catalogue, load_catalogue
from kiosk.catalogue.model import (
    Condition,
    ExitPageSpec,
    Option,
    Page,
    Question,
    Route,
    Service,
    ServiceDestination,
)

__all__ = [
    "Catalogue",
    "Condition",
    "ExitPageSpec",
    "Option",
    "Page",
    "Question",
    "Route",
    "Service",
    "ServiceDestination",
    "load_catalogue",
]
