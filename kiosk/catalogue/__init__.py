"""The service catalogue: each council service is data (one YAML file per service)."""

from kiosk.catalogue.loader import Catalogue, load_catalogue
from kiosk.catalogue.model import (
    Condition,
    Destination,
    ExitPage,
    Option,
    Page,
    Question,
    QuestionType,
    Route,
    Service,
)

__all__ = [
    "Catalogue",
    "Condition",
    "Destination",
    "ExitPage",
    "Option",
    "Page",
    "Question",
    "QuestionType",
    "Route",
    "Service",
    "load_catalogue",
]
