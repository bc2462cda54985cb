"""Import from a server the importer was not written against: the real hub (`python -m hub`),
which publishes the demo catalogue as Open311 services. The imported missed-bin journey is
driven headless and delivered back to the same hub by the relay's Open311 sender, and the
hub, which checks each request against its own definitions, accepts it."""

from __future__ import annotations

import contextlib
import io
from datetime import date
from pathlib import Path

import requests

from accessibility.languages import Translator
from kiosk.cli import main
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import QuestionPage
from kiosk.journey.validation import DateParts
from kiosk.outbox import senders_from_profile
from kiosk.profile import load_profile
from kiosk.submission import Submission, open311_parameters
from tests.hub_server import running_hub
from tests.kiosk_fixtures import demo_profile_copy

TODAY = date(2026, 11, 23)


def test_the_hubs_own_services_import_and_a_report_goes_back_to_it(tmp_path: Path) -> None:
    folder = tmp_path / "imported"
    with running_hub(tmp_path / "hub") as hub:
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            code = main(["catalogue", "import-open311", hub.open311_url, "--out", str(folder)])
        assert code == 0, output.getvalue()
        assert "'kiosk_reference' (automated: hidden_field) is not asked: the relay sends the " \
               "report's reference in it" in output.getvalue()
        profile = demo_profile_copy(tmp_path, base_url=hub.base_url,
                                    catalogue={"path": str(folder)})
        loaded = load_profile(profile)
        service = loaded.catalogue.service("missed-bin")
        assert service.destination.service_code == "MISSED_BIN"
        engine = JourneyEngine(service, Translator(strict=True), lambda: TODAY)
        engine.start()
        for page_id, raw in [("bin_type", "recycling"), ("garden_subscription", ""),
                             ("collection_date", DateParts("20", "11", "2026")),
                             ("contact_method_2", "none"),
                             ("location", "Outside 14 Acacia Avenue"),
                             ("nearby_postcode", ""), ("description", ""),
                             ("contact_method", "none")]:
            assert engine.where == Where("page", page_id), engine.where
            page = engine.answer(page_id, raw)
            assert not (isinstance(page, QuestionPage) and page.errors), page
        assert engine.where == CHECK
        attributes, fields = open311_parameters(service, engine.answers(), engine.answer_data(),
                                                engine.types)
        submission = Submission(engine.submission_id, "KSK-HUB1", service.id, service.version,
                                "2026-11-23T10:00:00+00:00", service.destination.to,
                                service.destination.service_code, attributes, fields)
        with requests.Session() as session:
            sender = senders_from_profile(loaded.profile.destinations, session=session)["council"]
            result = sender.send(submission)
            assert result.kind == "delivered", (result, hub.output())
            assert result.remote_id
            published = session.get(f"{hub.open311_url}/requests/{result.remote_id}.json",
                                    timeout=5).json()
    assert published[0]["service_code"] == "MISSED_BIN"
