"""The real server, started the way an installation starts it (`python -m hub`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import requests

from tests.hub_server import running_hub


def test_post_read_back_and_status_page(tmp_path: Path, database_url: str) -> None:
    with running_hub(tmp_path, database_url=database_url) as hub:
        assert hub.base_url.startswith("http://127.0.0.1:")
        services = requests.get(f"{hub.open311_url}/services.xml", timeout=5)
        assert services.headers["content-type"] == "text/xml; charset=utf-8"
        assert ET.fromstring(services.content).findtext("service/service_code") == "MISSED_BIN"

        form = [
            ("api_key", "demo-kiosk-key"), ("service_code", "FEEDBACK"),
            ("address_string", "1 Library Square, Demo Town, DE99 1AA"),
            ("description", "Thank you to the library staff"),
            ("attribute[feedback_type]", "compliment"), ("attribute[topics][]", "libraries"),
            ("attribute[topics][]", "other"), ("attribute[kiosk_reference]", "KTST2345"),
        ]
        posted = requests.post(f"{hub.open311_url}/requests.json", data=form,
                               headers={"Idempotency-Key": "sub-1"}, timeout=5)
        assert posted.status_code == 200, hub.output()
        request_id = posted.json()[0]["service_request_id"]
        again = requests.post(f"{hub.open311_url}/requests.json", data=form,
                              headers={"Idempotency-Key": "sub-1"}, timeout=5)
        assert again.json()[0]["service_request_id"] == request_id

        [doc] = requests.get(f"{hub.open311_url}/requests/{request_id}.json", timeout=5).json()
        assert doc["service_code"] == "FEEDBACK"
        assert doc["status"] == "open"
        listed = requests.get(f"{hub.open311_url}/requests.json", timeout=5).json()
        assert [r["service_request_id"] for r in listed] == [request_id]

        page = requests.get(hub.status_url("ktst 2345"), timeout=5)
        assert page.status_code == 200
        assert "Reference KTST2345" in page.text
        assert "We have received your report" in page.text
        assert requests.get(hub.status_url("NOPE2345"), timeout=5).status_code == 404

        refused = requests.post(f"{hub.open311_url}/requests.json",
                                data=[("api_key", "wrong"), ("service_code", "FEEDBACK")],
                                timeout=5)
        assert refused.status_code == 403
        process = hub.process
    assert process.poll() is not None  # stopped on exit
    assert (tmp_path / "hub.db").exists() == database_url.startswith("sqlite")


def test_data_survives_a_restart(tmp_path: Path, database_url: str) -> None:
    with running_hub(tmp_path, api_keys=("key-one", "key-two"), database_url=database_url) as hub:
        posted = requests.post(f"{hub.open311_url}/requests.json", timeout=5, data=[
            ("api_key", "key-two"), ("service_code", "FEEDBACK"), ("address_string", "Library"),
            ("attribute[feedback_type]", "suggestion"), ("attribute[topics][]", "bins")])
        assert posted.status_code == 200, hub.output()
        request_id = posted.json()[0]["service_request_id"]
    with running_hub(tmp_path, database_url=database_url) as hub:
        answer = requests.get(f"{hub.open311_url}/requests/{request_id}.xml", timeout=5)
        assert answer.status_code == 200
        assert ET.fromstring(answer.content).findtext("request/service_request_id") == request_id
