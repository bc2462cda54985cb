"""An in-memory diary for tests and the demo, keeping the contract the hub keeps (holds that
expire, one booking per place, references by postcode, too many tries), with faults that can
be switched on at run time: unreachable, timeout, a slot taken by someone else, holds expired.

It also answers the four appointment lookup sources from the same diary (`answering`), so a
journey that asks for days and times sees exactly the places it can hold. It keeps no input
in anything it logs or exposes: `calls` lists operation names only.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from kiosk.bookings.base import (
    Booked,
    Booking,
    CancelOutcome,
    ChangeOutcome,
    ConfirmOutcome,
    Contact,
    FindOutcome,
    Held,
    HoldExpired,
    HoldOutcome,
    NotFound,
    Slot,
    SlotTaken,
    Status,
    Today,
    TodayOutcome,
    TodaysBooking,
    TooManyTries,
    Unavailable,
)
from kiosk.bookings.reference import REFERENCE_ALPHABET, normalise_reference
from kiosk.clock import UK, Clock
from kiosk.lookups.base import (
    Lookup,
    LookupItem,
    LookupRequest,
    LookupResult,
    LookupUnavailable,
    UnavailableReason,
)

SOURCES = ("appointment-types", "appointment-sites", "appointment-days", "appointment-times")
HOLD_LIMITS = (60, 900)
MAX_WRONG_POSTCODES = 5
Text = Mapping[str, str]


@dataclass(frozen=True)
class AppointmentType:
    id: str
    name: Text
    description: Text
    minutes: int
    bring: Text
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    id: str
    name: Text
    address: str
    saturday: bool = False


# The demo council's diary (the ids the hub's demo shares: docs/lookups.md).
DEMO_SITES = (
    Site("central-library", {"en": "Central Library", "cy": "Llyfrgell Ganolog",
                             "pl": "Biblioteka Centralna", "ur": "سینٹرل لائبریری",
                             "ro": "Biblioteca Centrală"},
         "1 Library Square, Demo Town, DE99 1AA", saturday=True),
    Site("northfield-library", {"en": "Northfield Library", "cy": "Llyfrgell Northfield",
                                "pl": "Biblioteka Northfield", "ur": "نارتھ فیلڈ لائبریری",
                                "ro": "Biblioteca Northfield"},
         "2 Orchard Rise, Little Demo, DE99 2DE"),
    Site("demo-community-hub", {"en": "Demo Community Hub", "cy": "Hwb Cymunedol Demo",
                                "pl": "Centrum Społeczne Demo", "ur": "ڈیمو کمیونٹی ہب",
                                "ro": "Centrul Comunitar Demo"},
         "10 Market Street, Demo Town, DE99 1AB"),
)
DEMO_TYPES = (
    AppointmentType(
        "housing-advice",
        {"en": "Housing advice", "cy": "Cyngor ar dai", "pl": "Porady mieszkaniowe",
         "ur": "رہائش کے بارے میں مشورہ", "ro": "Consiliere privind locuința"},
        {"en": "Talk to an adviser about renting, repairs or being at risk of losing your home.",
         "cy": "Siaradwch ag ymgynghorydd am rentu, atgyweiriadau neu fod mewn perygl o golli "
               "eich cartref.",
         "pl": "Rozmowa z doradcą o wynajmie, naprawach lub ryzyku utraty mieszkania.",
         "ur": "کرائے، مرمت یا گھر چھن جانے کے خطرے کے بارے میں کسی مشیر سے بات کریں۔",
         "ro": "Discutați cu un consilier despre chirie, reparații sau riscul de a vă pierde "
               "locuința."},
        30,
        {"en": "Your tenancy agreement and any letters about your home.",
         "cy": "Eich cytundeb tenantiaeth ac unrhyw lythyrau am eich cartref.",
         "pl": "Umowę najmu i wszelkie pisma dotyczące mieszkania.",
         "ur": "اپنا کرایہ نامہ اور اپنے گھر کے بارے میں کوئی بھی خط۔",
         "ro": "Contractul de închiriere și orice scrisori despre locuința dumneavoastră."},
        ("central-library", "northfield-library", "demo-community-hub")),
    AppointmentType(
        "register-birth",
        {"en": "Register a birth", "cy": "Cofrestru genedigaeth", "pl": "Rejestracja urodzenia",
         "ur": "پیدائش کا اندراج", "ro": "Înregistrarea unei nașteri"},
        {"en": "Register a baby born in the borough, within 42 days of the birth.",
         "cy": "Cofrestru babi a anwyd yn y fwrdeistref, o fewn 42 diwrnod i'r enedigaeth.",
         "pl": "Rejestracja dziecka urodzonego w gminie, w ciągu 42 dni od urodzenia.",
         "ur": "بورو میں پیدا ہونے والے بچے کا اندراج، پیدائش کے 42 دن کے اندر۔",
         "ro": "Înregistrarea unui copil născut în localitate, în 42 de zile de la naștere."},
        45,
        {"en": "Proof of your identity and address, and the baby's red book.",
         "cy": "Prawf o bwy ydych chi a'ch cyfeiriad, a llyfr coch y babi.",
         "pl": "Dokument tożsamości, potwierdzenie adresu i czerwoną książeczkę dziecka.",
         "ur": "اپنی شناخت اور پتے کا ثبوت، اور بچے کی سرخ کتاب۔",
         "ro": "Dovada identității și a adresei, și carnetul roșu al copilului."},
        ("central-library", "demo-community-hub")),
)
# Opening for appointments: weekdays, mornings and afternoons; Saturday mornings where open.
_SESSIONS = ((time(9, 30), time(12, 0)), (time(13, 30), time(16, 0)))
_SATURDAY = ((time(9, 30), time(12, 0)),)


def _locale(language: str) -> Locale:
    """British English for `en` (a 24-hour "09:30", not "9:30 AM")."""
    try:
        return Locale.parse("en_GB" if language == "en" else language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def day_label(day: date, language: str) -> str:
    """The day as the contract words it: babel's `EEEE d MMMM` ("Tuesday 8 December")."""
    return format_date(day, "EEEE d MMMM", locale=_locale(language))


def time_label(moment: datetime, language: str) -> str:
    return format_time(moment, "short", locale=_locale(language))


def _text(text: Text, language: str) -> str:
    return text.get(language) or text["en"]


def _postcode_key(text: str) -> str:
    return re.sub(r"[\s.,\-]", "", text).upper()


@dataclass
class _Hold:
    type: str
    site: str
    start: str
    holder: str
    expires: datetime
    reference: str | None = None


@dataclass
class _Record:
    type: str
    site: str
    start: str
    postcode: str
    name: str
    email: str | None
    phone: str | None
    assisted: bool
    status: Status
    holder: str
    hold: str


@dataclass
class _Faults:
    failure: UnavailableReason | None = None
    sources: frozenset[str] = frozenset()
    take_at: set[str] = field(default_factory=set)


class FakeBookings:
    def __init__(self, clock: Clock, *, types: tuple[AppointmentType, ...] = DEMO_TYPES,
                 sites: tuple[Site, ...] = DEMO_SITES, weeks: int = 8,
                 capacity: int = 1, timeout_seconds: float = 5.0) -> None:
        self._clock = clock
        self._types = {t.id: t for t in types}
        self._sites = {s.id: s for s in sites}
        self._weeks = weeks
        self._capacity = capacity
        self.timeout_seconds = timeout_seconds
        self._lock = threading.RLock()
        self._holds: dict[str, _Hold] = {}
        self._bookings: dict[str, _Record] = {}
        # Places taken by "someone else" (a fault, or a test filling a day).
        self._taken: dict[tuple[str, str, str], int] = {}
        self._tries: dict[str, list[datetime]] = {}
        self._faults = _Faults()
        self.calls: list[str] = []

    def __repr__(self) -> str:
        return f"FakeBookings({len(self._bookings)} bookings)"

    # ----- faults --------------------------------------------------------------------------

    def fail_with(self, reason: UnavailableReason | None) -> None:
        """Every call (and every appointment lookup) from now on is `reason` (None: answer)."""
        with self._lock:
            self._faults.failure = reason

    def fail_sources(self, *sources: str) -> None:
        """These lookup sources cannot be asked (none: all answer again)."""
        with self._lock:
            self._faults.sources = frozenset(sources)

    def take_next(self, at: Literal["hold", "confirm", "change"]) -> None:
        """The next `at` call finds that someone else has just taken its slot."""
        with self._lock:
            self._faults.take_at.add(at)

    def expire_holds(self) -> None:
        """Every hold held now runs out, as if the resident had taken too long."""
        with self._lock:
            past = self._now() - timedelta(seconds=1)
            for hold in self._holds.values():
                if hold.reference is None:
                    hold.expires = past

    def take(self, type_id: str, site: str, start: str) -> None:
        """Someone else books every place in a slot."""
        with self._lock:
            self._taken[(type_id, site, start)] = self._capacity

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = _Faults()

    # ----- what tests read -----------------------------------------------------------------

    def active_holds(self) -> int:
        with self._lock:
            now = self._now()
            return sum(1 for h in self._holds.values() if h.reference is None and h.expires > now)

    def booking_count(self, status: Status = "confirmed") -> int:
        with self._lock:
            return sum(1 for r in self._bookings.values() if r.status == status)

    def references(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._bookings)

    def record(self, reference: str) -> tuple[str, str, str | None, str | None, bool] | None:
        """(name, postcode, email, phone, assisted) of a booking, for tests only."""
        with self._lock:
            found = self._bookings.get(normalise_reference(reference) or "")
            if found is None:
                return None
            return found.name, found.postcode, found.email, found.phone, found.assisted

    def free_slots(self, type_id: str, site: str, day: date) -> list[str]:
        with self._lock:
            return [s for s in self._slots(type_id, site, day) if self._free(type_id, site, s) > 0]

    # ----- the contract's calls ------------------------------------------------------------

    def hold(self, type_id: str, site: str, start: str, holder: str, hold_seconds: int,
             language: str) -> HoldOutcome:
        with self._lock:
            failed = self._begin("hold")
            if failed is not None:
                return failed
            if type_id not in self._types:
                return Unavailable("refused", "HTTP 404 unknown_type")
            if site not in self._types[type_id].sites or site not in self._sites:
                return Unavailable("refused", "HTTP 404 unknown_site")
            if start not in self._slots(type_id, site, _day_of(start)):
                return Unavailable("refused", "HTTP 422 invalid_input")
            now = self._now()
            for hold_id, hold in list(self._holds.items()):
                if hold.holder != holder or hold.reference is not None:
                    continue
                if (hold.type, hold.site, hold.start) == (type_id, site, start) and hold.expires > now:
                    return Held(hold_id, hold.expires.isoformat(), self._preview(hold, language))
                del self._holds[hold_id]  # a new slot for the same holder releases the old
            if self._consume("hold"):
                self._taken[(type_id, site, start)] = self._capacity
            if self._free(type_id, site, start) <= 0:
                return SlotTaken(self._nearest(type_id, site, start, language))
            seconds = min(max(hold_seconds, HOLD_LIMITS[0]), HOLD_LIMITS[1])
            hold = _Hold(type_id, site, start, holder, now + timedelta(seconds=seconds))
            hold_id = secrets.token_hex(12)
            self._holds[hold_id] = hold
            return Held(hold_id, hold.expires.isoformat(), self._preview(hold, language))

    def release(self, hold: str, holder: str) -> bool:
        with self._lock:
            if self._begin("release") is not None:
                return False
            found = self._holds.get(hold)
            if found is not None and found.holder == holder and found.reference is None:
                del self._holds[hold]
            return True

    def confirm(self, hold: str, holder: str, contact: Contact, assisted: bool,
                language: str) -> ConfirmOutcome:
        with self._lock:
            failed = self._begin("confirm")
            if failed is not None:
                return failed
            found = self._holds.get(hold)
            if found is None or found.holder != holder:
                return HoldExpired()
            if found.reference is not None:  # a retry after a lost answer: the same booking
                return Booked(self._document(found.reference, language))
            if found.expires <= self._now():
                del self._holds[hold]
                return HoldExpired(self._nearest(found.type, found.site, found.start, language))
            if self._consume("confirm"):
                del self._holds[hold]
                self._taken[(found.type, found.site, found.start)] = self._capacity
                return SlotTaken(self._nearest(found.type, found.site, found.start, language))
            postcode = _postcode_key(contact.postcode)
            if not contact.name.strip() or not postcode:
                return Unavailable("refused", "HTTP 422 invalid_input")
            reference = self._new_reference()
            self._bookings[reference] = _Record(
                found.type, found.site, found.start, postcode, contact.name, contact.email,
                contact.phone, assisted, "confirmed", holder, hold)
            found.reference = reference
            return Booked(self._document(reference, language))

    def find(self, reference: str, postcode: str, language: str) -> FindOutcome:
        with self._lock:
            failed = self._begin("find")
            if failed is not None:
                return failed
            checked = self._check(reference, postcode)
            if not isinstance(checked, str):
                return checked
            return Booked(self._document(checked, language))

    def cancel(self, reference: str, postcode: str, language: str) -> CancelOutcome:
        with self._lock:
            failed = self._begin("cancel")
            if failed is not None:
                return failed
            checked = self._check(reference, postcode)
            if not isinstance(checked, str):
                return checked
            self._bookings[checked].status = "cancelled"
            return Booked(self._document(checked, language))

    def change(self, reference: str, postcode: str, hold: str, holder: str,
               language: str) -> ChangeOutcome:
        with self._lock:
            failed = self._begin("change")
            if failed is not None:
                return failed
            checked = self._check(reference, postcode)
            if not isinstance(checked, str):
                return checked
            record = self._bookings[checked]
            found = self._holds.get(hold)
            if found is None or found.holder != holder or found.reference is not None:
                return HoldExpired()
            if found.expires <= self._now():
                del self._holds[hold]
                return HoldExpired(self._nearest(found.type, found.site, found.start, language))
            if (found.type, found.site) != (record.type, record.site):
                return Unavailable("refused", "HTTP 422 invalid_input")
            if self._consume("change"):
                del self._holds[hold]
                self._taken[(found.type, found.site, found.start)] = self._capacity
                return SlotTaken(self._nearest(found.type, found.site, found.start, language))
            del self._holds[hold]
            record.start, record.status, record.hold = found.start, "confirmed", hold
            return Booked(self._document(checked, language))

    def today(self, site: str, language: str) -> TodayOutcome:
        with self._lock:
            failed = self._begin("today")
            if failed is not None:
                return failed
            today = self._now().astimezone(UK).date()
            rows = []
            for reference, record in self._bookings.items():
                if record.site != site or _day_of(record.start) != today:
                    continue
                start = datetime.fromisoformat(record.start)
                end = start + timedelta(minutes=self._types[record.type].minutes)
                rows.append(TodaysBooking(reference, record.start, end.isoformat(),
                                          _text(self._types[record.type].name, language),
                                          record.name, record.assisted, record.status))
            return Today(tuple(sorted(rows, key=lambda r: (r.start, r.reference))))

    # ----- the four lookup sources ---------------------------------------------------------

    def answering(self, inner: Lookup | None) -> Lookup:
        """A lookup backend answering the appointment sources from this diary, and every
        other source from `inner`."""
        return _AppointmentLookup(self, inner)

    def items(self, request: LookupRequest) -> tuple[LookupItem, ...]:
        """The items of one of `SOURCES` (raises LookupUnavailable for a fault)."""
        with self._lock:
            self.calls.append(request.source)
            if self._faults.failure is not None:
                raise LookupUnavailable(self._faults.failure, "injected by the fake")
            if request.source in self._faults.sources:
                raise LookupUnavailable("unreachable", "injected by the fake")
            inputs, language = request.inputs, request.language
            if request.source == "appointment-types":
                return tuple(LookupItem(t.id, _text(t.name, language), _text(t.description, language),
                                        {"minutes": str(t.minutes), "bring": _text(t.bring, language)})
                             for t in self._types.values())
            kind = self._types.get(inputs.get("type", ""))
            if request.source == "appointment-sites":
                if kind is None:
                    return ()
                return tuple(LookupItem(s, _text(self._sites[s].name, language),
                                        self._sites[s].address, {"address": self._sites[s].address})
                             for s in kind.sites if s in self._sites)
            site = inputs.get("site", "")
            if kind is None or site not in kind.sites or site not in self._sites:
                return ()
            if request.source == "appointment-days":
                return self._days(kind.id, site, language)
            day = inputs.get("day", "")
            try:
                wanted = date.fromisoformat(day)
            except ValueError:
                raise LookupUnavailable("refused", "HTTP 422 invalid_input (day)") from None
            return tuple(self._slot_item(kind, site, start, language)
                         for start in self._slots(kind.id, site, wanted)
                         if self._free(kind.id, site, start) > 0)

    def _days(self, type_id: str, site: str, language: str) -> tuple[LookupItem, ...]:
        items = []
        today = self._now().astimezone(UK).date()
        for offset in range(self._weeks * 7 + 1):
            day = today + timedelta(days=offset)
            free = sum(1 for s in self._slots(type_id, site, day) if self._free(type_id, site, s) > 0)
            if free:
                items.append(LookupItem(day.isoformat(), day_label(day, language), None,
                                        {"date": day.isoformat(), "free": str(free),
                                         "weekday": str(day.weekday())}))
        return tuple(items)

    def _slot_item(self, kind: AppointmentType, site: str, start: str, language: str) -> LookupItem:
        begins = datetime.fromisoformat(start)
        end = (begins + timedelta(minutes=kind.minutes)).isoformat()
        return LookupItem(start, time_label(begins, language), None, {"start": start, "end": end})

    # ----- the diary -----------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock.now()

    def _begin(self, name: str) -> Unavailable | None:
        self.calls.append(name)
        failure = self._faults.failure
        return Unavailable(failure, "injected by the fake") if failure is not None else None

    def _consume(self, at: str) -> bool:
        if at in self._faults.take_at:
            self._faults.take_at.discard(at)
            return True
        return False

    def _slots(self, type_id: str, site: str, day: date) -> list[str]:
        """Slot starts on `day` (local time, BST or GMT as the day has it), past ones excluded."""
        kind, place = self._types.get(type_id), self._sites.get(site)
        if kind is None or place is None or site not in kind.sites:
            return []
        today = self._now().astimezone(UK).date()
        if day < today or day > today + timedelta(weeks=self._weeks):
            return []
        sessions = _SESSIONS if day.weekday() < 5 else _SATURDAY if (
            day.weekday() == 5 and place.saturday) else ()
        now = self._now()
        starts = []
        for opens, closes in sessions:
            moment = datetime.combine(day, opens, tzinfo=UK)
            last = datetime.combine(day, closes, tzinfo=UK) - timedelta(minutes=kind.minutes)
            while moment <= last:
                if moment > now:
                    starts.append(moment.isoformat())
                moment += timedelta(minutes=kind.minutes)
        return starts

    def _free(self, type_id: str, site: str, start: str) -> int:
        now = self._now()
        booked = sum(1 for r in self._bookings.values()
                     if (r.type, r.site, r.start) == (type_id, site, start) and r.status == "confirmed")
        held = sum(1 for h in self._holds.values()
                   if (h.type, h.site, h.start) == (type_id, site, start)
                   and h.reference is None and h.expires > now)
        return self._capacity - booked - held - self._taken.get((type_id, site, start), 0)

    def _nearest(self, type_id: str, site: str, start: str, language: str) -> tuple[Slot, ...]:
        """Up to 6 free slots of the same type and site nearest in time to `start`."""
        wanted = datetime.fromisoformat(start)
        today = self._now().astimezone(UK).date()
        free = [s for offset in range(self._weeks * 7 + 1)
                for s in self._slots(type_id, site, today + timedelta(days=offset))
                if s != start and self._free(type_id, site, s) > 0]
        near = sorted(free, key=lambda s: (abs(datetime.fromisoformat(s) - wanted), s))[:6]
        minutes = self._types[type_id].minutes
        slots = []
        for slot in sorted(near):
            begins = datetime.fromisoformat(slot)
            slots.append(Slot(slot, (begins + timedelta(minutes=minutes)).isoformat(),
                              time_label(begins, language), day_label(begins.date(), language)))
        return tuple(slots)

    def _check(self, reference: str, postcode: str) -> str | NotFound | TooManyTries:
        """The booking's key if reference and postcode match; counts wrong postcodes."""
        key = normalise_reference(reference)
        record = self._bookings.get(key or "")
        if key is None or record is None:
            return NotFound()
        now = self._now()
        recent = [t for t in self._tries.get(key, []) if now - t < timedelta(hours=1)]
        self._tries[key] = recent
        if len(recent) >= MAX_WRONG_POSTCODES:
            return TooManyTries()
        if _postcode_key(postcode) != record.postcode:
            recent.append(now)
            return NotFound()
        return key

    def _new_reference(self) -> str:
        while True:
            code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
            reference = f"BK-{code[:4]}-{code[4:]}"
            if reference not in self._bookings:
                return reference

    def _preview(self, hold: _Hold, language: str) -> Booking:
        return replace(self._booking(hold.type, hold.site, hold.start, language),
                       status="held", reference="")

    def _document(self, reference: str, language: str) -> Booking:
        record = self._bookings[reference]
        return replace(self._booking(record.type, record.site, record.start, language),
                       reference=reference, status=record.status, assisted=record.assisted)

    def _booking(self, type_id: str, site: str, start: str, language: str) -> Booking:
        kind, place = self._types[type_id], self._sites[site]
        end = datetime.fromisoformat(start) + timedelta(minutes=kind.minutes)
        return Booking(reference="", status="held", type=type_id,
                       type_label=_text(kind.name, language), site=site,
                       site_label=_text(place.name, language), site_address=place.address,
                       start=start, end=end.isoformat(), bring=_text(kind.bring, language),
                       assisted=False, language=language)


def _day_of(start: str) -> date:
    """The local day a slot is on, as its own offset says (never converted to UTC)."""
    try:
        return datetime.fromisoformat(start).date()
    except ValueError:
        return date.min


class _AppointmentLookup:
    def __init__(self, diary: FakeBookings, inner: Lookup | None) -> None:
        self._diary = diary
        self._inner = inner

    @property
    def inner(self) -> Lookup | None:
        return self._inner

    def close(self) -> None:
        close: Callable[[], None] | None = getattr(self._inner, "close", None)
        if callable(close):
            close()

    def lookup(self, request: LookupRequest) -> LookupResult:
        if request.source in SOURCES:
            return LookupResult(request.source, self._diary.items(request))
        if self._inner is None:
            raise LookupUnavailable("not_configured")
        return self._inner.lookup(request)
