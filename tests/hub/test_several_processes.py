"""Two real hub processes behind one database: requests, idempotency, sessions and lock-out
are shared, whichever process a load balancer sends each request to."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from hub import account_cli
from hub.passwords import Passwords
from hub.sign_in_check import ACCOUNT_LIMIT
from tests.hub.helpers import PASSWORD
from tests.hub_server import HubProcess, running_hub

KEY = "demo-kiosk-key"


def _form(reference: str) -> list[tuple[str, str]]:
    return [("api_key", KEY), ("service_code", "FEEDBACK"), ("description", "Thanks"),
            ("address_string", "1 Library Square, Demo Town, DE99 1AA"),  # the kiosk's site
            ("attribute[feedback_type]", "compliment"), ("attribute[topics][]", "libraries"),
            ("attribute[kiosk_reference]", reference)]


def _post(hub: HubProcess, reference: str, key: str) -> str:
    answer = requests.post(f"{hub.open311_url}/requests.json", data=_form(reference),
                           headers={"Idempotency-Key": key}, timeout=30)
    assert answer.status_code == 200, answer.text
    request_id: str = answer.json()[0]["service_request_id"]
    return request_id


def _sign_in(hub: HubProcess, name: str, password: str) -> requests.Response:
    browser = requests.Session()
    page = browser.get(f"{hub.base_url}/sign-in", timeout=10)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return browser.post(f"{hub.base_url}/sign-in", allow_redirects=False, timeout=30, data={
        "csrf_token": match.group(1), "name": name, "password": password})


def test_two_processes_share_one_database(tmp_path: Path, database_url: str) -> None:
    args = ("--insecure-cookies",)
    with running_hub(tmp_path / "a", database_url=database_url, extra_args=args) as a, \
            running_hub(tmp_path / "b", database_url=database_url, extra_args=args) as b:
        hubs = (a, b)
        jobs = [(hubs[n % 2], f"MULT{n:04d}", f"sub-{n}") for n in range(20)]
        jobs += [(a, "TWIN0001", "twin"), (b, "TWIN0001", "twin")]  # one submission, twice
        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(lambda job: _post(*job), jobs))
        assert ids[-1] == ids[-2]  # the retry landed on the other process: same answer
        assert len(set(ids)) == 21
        for hub in hubs:
            listed = requests.get(f"{hub.open311_url}/requests.json", timeout=30).json()
            assert {r["service_request_id"] for r in listed} == set(ids)

        assert account_cli.main(["add", "ivy", "--role", "it", "--password-stdin",
                                 "--database", database_url], environ={},
                                stdin=io.StringIO(PASSWORD + "\n"),
                                passwords=Passwords.cheap_for_tests()) == 0
        signed_in = _sign_in(a, "ivy", PASSWORD)
        assert signed_in.status_code == 303
        cookie = {"hub_session": signed_in.cookies["hub_session"]}
        assert requests.get(f"{b.base_url}/", cookies=cookie, timeout=10).status_code == 200

        for n in range(ACCOUNT_LIMIT):  # failures counted together, wherever they land
            assert _sign_in(hubs[n % 2], "ivy", "not the password").status_code == 400
        assert _sign_in(a, "ivy", PASSWORD).status_code == 429
