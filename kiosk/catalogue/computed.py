"""Values a service works out from the answers instead of asking (`computed:`), and the
documents a resident must bring or post (`evidence:`).

A computed value is "yes", "no" (or "unknown", for `inside_area`), decided by
`kiosk.journey.computed` from the answers, the chosen address's data and today's date; a
condition tests it as `{computed: <id>, equals: yes}`. Which page each one reads is checked
in `kiosk.catalogue.computed_checks`.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from kiosk.catalogue.condition import Condition
from kiosk.catalogue.question import Strict
from kiosk.config_errors import FieldProblems
from kiosk.identifiers import IDENTIFIER
from kiosk.localtext import LocalText

KINDS = ("state_pension_age_reached", "age_at_least", "inside_area")
YES_NO_VALUES = ("yes", "no")
AREA_VALUES = ("yes", "no", "unknown")


class AgeAtLeast(Strict):
    """`{date: <a date question's page>, years: 60}`: "yes" from that birthday on."""

    date: str = Field(pattern=IDENTIFIER)
    years: int = Field(ge=0, le=150)


class Computed(Strict):
    """One computed value: an id and exactly one way to work it out."""

    id: str = Field(pattern=IDENTIFIER)
    state_pension_age_reached: str | None = Field(default=None, pattern=IDENTIFIER)
    """A date question's page (the date of birth): "yes" once the UK state pension age is
    reached on today's date (`kiosk.journey.pension_age`)."""
    age_at_least: AgeAtLeast | None = None
    inside_area: str | None = Field(default=None, pattern=IDENTIFIER)
    """An address question's page: "yes" for an address chosen from the council's list whose
    data does not say `in_area: "no"`, "no" when it does, "unknown" for one typed by hand."""

    @model_validator(mode="after")
    def _one_kind(self) -> Computed:
        given = [n for n in KINDS if getattr(self, n) is not None]
        if len(given) != 1:
            raise FieldProblems([((), f"exactly one of {', '.join(KINDS)}",
                                  " and ".join(given) if given else "none of them")])
        return self

    @property
    def kind(self) -> str:
        return next(n for n in KINDS if getattr(self, n) is not None)

    @property
    def reads(self) -> str:
        """The page whose answer this value is worked out from."""
        if self.age_at_least is not None:
            return self.age_at_least.date
        page = self.state_pension_age_reached or self.inside_area
        assert page is not None  # the validator requires one kind
        return page

    def values(self) -> tuple[str, ...]:
        """The values it can take (what a condition on it may compare with)."""
        return AREA_VALUES if self.inside_area is not None else YES_NO_VALUES


class EvidenceItem(Strict):
    """A document to bring or post ("Proof of your address"), listed on check answers, the
    confirmation page and the receipt; `when` lists it only for the residents it applies to."""

    id: str = Field(pattern=IDENTIFIER)
    label: LocalText
    hint: LocalText | None = None
    when: Condition | None = None
