"""Signing in and out of the hub's staff pages: cookies, sessions, expiry, the audit."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

import pytest
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hub.accounts import recent_events, reset_password, set_disabled
from hub.app import create_app
from hub.auth import SignedIn, require_role
from hub.db import StaffAccount, StaffSession, utcnow
from hub.passwords import Passwords
from hub.settings import HubSettings, load_settings
from hub.sign_in import safe_next
from hub.staff_sessions import IDLE, LIFETIME, token_digest
from hub.state import HubState
from tests.hub.helpers import PASSWORD, add_account, csrf_token, sign_in, sign_in_token


def _cookie_header(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    [header] = [h for h in headers if h.startswith(name + "=")]
    return str(header)


def test_sign_in_lands_on_the_start_page(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    response = sign_in(browser, "Alice ")  # names ignore case and surrounding spaces
    assert response.headers["location"] == "/"
    page = browser.get("/")
    assert page.status_code == 200
    assert "Hello, alice" in page.text
    assert "alice (it)" in page.text
    assert 'action="/sign-out"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text.lower()


def test_session_cookie_is_secure_httponly_strict(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    form_cookie = _cookie_header(browser.get("/sign-in"), "__Host-hub_sign_in").lower()
    for attribute in ("secure", "httponly", "samesite=strict"):
        assert attribute in form_cookie
    cookie = _cookie_header(sign_in(browser, "alice"), "__Host-hub_session").lower()
    for attribute in ("secure", "httponly", "samesite=strict", "path=/",
                      f"max-age={int(LIFETIME.total_seconds())}"):
        assert attribute in cookie
    assert "domain=" not in cookie


def test_only_a_digest_of_the_token_is_stored(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    token = browser.cookies["__Host-hub_session"]
    hub: HubState = app.state.hub
    with hub.sessions() as session:
        stored = session.scalars(select(StaffSession.token_digest)).all()
    assert stored == [token_digest(token)]
    assert token not in stored[0]


def test_wrong_password_and_unknown_name_look_the_same(app: FastAPI, browser: TestClient
                                                       ) -> None:
    add_account(app, "alice", "it")
    wrong = sign_in(browser, "alice", "not the password at all", expect=400)
    unknown = sign_in(browser, "nobody", "not the password at all", expect=400)
    assert "Enter a correct account name and password" in wrong.text
    assert _without_tokens(wrong.text, "alice") == _without_tokens(unknown.text, "nobody")
    assert "__Host-hub_session" not in browser.cookies


def _without_tokens(page: str, name: str) -> str:
    return re.sub(r'value="[A-Za-z0-9_-]{40,}"', 'value="TOKEN"', page).replace(name, "NAME")


def test_empty_fields_are_asked_for(app: FastAPI, browser: TestClient) -> None:
    token = sign_in_token(browser)
    response = browser.post("/sign-in", data={"csrf_token": token, "name": "", "password": ""})
    assert response.status_code == 400
    assert "Enter your account name" in response.text
    assert "Enter your password" in response.text
    assert 'href="#password"' in response.text
    hub: HubState = app.state.hub
    assert recent_events(hub.sessions, 10) == []  # not a failed attempt: nothing was tried


def test_sign_in_form_needs_its_own_token(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    sign_in_token(browser)
    forged = browser.post("/sign-in", data={"csrf_token": "guessed", "name": "alice",
                                            "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 400
    assert "had expired" in forged.text
    browser.cookies.clear()  # another site's form: no cookie comes with it
    token = "x" * 43
    cross_site = browser.post("/sign-in", data={"csrf_token": token, "name": "alice",
                                                "password": PASSWORD}, follow_redirects=False)
    assert cross_site.status_code == 400
    assert "__Host-hub_session" not in browser.cookies


def test_next_returns_to_the_page_asked_for(app: FastAPI, browser: TestClient) -> None:
    def somewhere(account: Annotated[SignedIn, Depends(require_role())]) -> str:
        return account.name

    app.add_api_route("/somewhere", somewhere, methods=["GET"])
    add_account(app, "alice", "it")
    asked = browser.get("/somewhere?x=1", headers={"Accept": "text/html"},
                        follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/sign-in?next=%2Fsomewhere%3Fx%3D1"
    response = sign_in(browser, "alice", next_path="/somewhere?x=1")
    assert response.headers["location"] == "/somewhere?x=1"
    assert browser.get("/somewhere?x=1").json() == "alice"


@pytest.mark.parametrize(("given", "expected"), [
    ("/fleet", "/fleet"), ("/fleet?site=2", "/fleet?site=2"), ("", "/"),
    ("https://evil.example/", "/"), ("//evil.example/", "/"), ("/\\evil.example", "/"),
    ("/sign-in", "/"), ("/sign-out", "/"), ("javascript:alert(1)", "/"), ("/a\nb", "/"),
])
def test_next_stays_on_this_hub(given: str, expected: str) -> None:
    assert safe_next(given) == expected


def test_already_signed_in_skips_the_form(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    again = browser.get("/sign-in?next=/x", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/x"


def test_each_sign_in_starts_a_new_session(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    first = browser.cookies["__Host-hub_session"]
    browser.cookies.clear()
    sign_in(browser, "alice")
    assert browser.cookies["__Host-hub_session"] != first


def test_sign_out_ends_the_session(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    old = browser.cookies["__Host-hub_session"]
    out = browser.post("/sign-out", data={"csrf_token": csrf_token(browser)},
                       follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/sign-in"
    assert "__Host-hub_session" not in browser.cookies
    browser.cookies.set("__Host-hub_session", old)  # a copy of the cookie is worth nothing
    assert browser.get("/", follow_redirects=False).status_code == 401
    hub: HubState = app.state.hub
    assert [e.event for e in recent_events(hub.sessions, 5)] == ["signed_out", "signed_in",
                                                                  "account_added"]


def test_sign_out_needs_the_csrf_token(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    refused = browser.post("/sign-out", headers={"Accept": "text/html"},
                           data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    assert browser.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize("age", ["idle", "lifetime"])
def test_sessions_expire(app: FastAPI, browser: TestClient, age: str) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    hub: HubState = app.state.hub
    now = utcnow()
    if age == "idle":
        values = {"last_seen_at": now - IDLE - timedelta(seconds=1)}
    else:
        values = {"created_at": now - LIFETIME, "expires_at": now - timedelta(seconds=1)}
    with hub.sessions.begin() as session:
        session.execute(update(StaffSession).values(**values))
    assert browser.get("/", follow_redirects=False).status_code == 401
    with hub.sessions() as session:
        assert session.scalars(select(StaffSession)).all() == []


def test_use_keeps_a_session_alive(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    hub: HubState = app.state.hub
    earlier = utcnow() - IDLE + timedelta(minutes=2)
    with hub.sessions.begin() as session:
        session.execute(update(StaffSession).values(last_seen_at=earlier))
    assert browser.get("/").status_code == 200
    with hub.sessions() as session:
        [row] = session.scalars(select(StaffSession)).all()
    assert row.last_seen_at > earlier + timedelta(minutes=1)


@pytest.mark.parametrize("change", ["disable", "reset"])
def test_disabling_or_resetting_signs_out_everywhere(app: FastAPI, browser: TestClient,
                                                     change: str) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    hub: HubState = app.state.hub
    if change == "disable":
        set_disabled(hub.sessions, "alice", True, by="test")
    else:
        reset_password(hub.sessions, hub.passwords, "alice", "a whole new password", by="test")
    assert browser.get("/", follow_redirects=False).status_code == 401
    if change == "disable":
        sign_in(browser, "alice", expect=400)  # the right password, but disabled
        assert recent_events(hub.sessions, 1)[0].detail == "account disabled"
    else:
        sign_in(browser, "alice", expect=400)
        sign_in(browser, "alice", "a whole new password")


def test_audit_never_holds_a_password_or_an_unknown_name(app: FastAPI, browser: TestClient
                                                         ) -> None:
    add_account(app, "alice", "it")
    sign_in(browser, "alice")
    browser.cookies.clear()
    sign_in(browser, "alice", "wrong password typed", expect=400)
    sign_in(browser, "correct horse battery", "oops", expect=400)  # password in the name box
    hub: HubState = app.state.hub
    events = recent_events(hub.sessions, 10)
    assert [(e.event, e.account_name) for e in events] == [
        ("sign_in_failed", ""), ("sign_in_failed", "alice"), ("signed_in", "alice"),
        ("account_added", "alice")]
    assert all(e.client == "testclient" for e in events[:3])
    text = repr(events)
    for secret in (PASSWORD, "wrong password typed", "oops"):
        assert secret not in text


def test_an_old_hash_is_upgraded_at_sign_in(settings: HubSettings) -> None:
    old = Passwords.cheap_for_tests()
    app = create_app(settings, passwords=old)
    add_account(app, "alice", "it")
    with app.state.hub.sessions() as session:
        before = session.execute(select(StaffSession)).all()
    assert before == []
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    app.state.hub.engine.dispose()
    app = create_app(settings, passwords=stronger)
    with TestClient(app, base_url="https://testserver") as browser:
        sign_in(browser, "alice")
    with app.state.hub.sessions() as session:
        [account] = session.scalars(select(StaffAccount)).all()
    assert "t=2" in account.password_hash
    app.state.hub.engine.dispose()


def test_insecure_cookies_for_loopback_http(settings: HubSettings) -> None:
    app = create_app(replace(settings, secure_cookies=False), passwords=Passwords.cheap_for_tests())
    add_account(app, "alice", "it")
    with TestClient(app) as plain:  # http://testserver
        response = sign_in(plain, "alice")
        cookie = _cookie_header(response, "hub_session").lower()
        assert "secure" not in cookie
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert plain.get("/").status_code == 200
    app.state.hub.engine.dispose()


def test_insecure_cookies_refused_off_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        HubSettings(database_url="sqlite://", host="0.0.0.0", secure_cookies=False)


def test_insecure_cookies_flag() -> None:
    assert not load_settings(["--insecure-cookies"], {}).secure_cookies
    assert not load_settings([], {"KIOSK_HUB_INSECURE_COOKIES": "1"}).secure_cookies
    assert load_settings([], {}).secure_cookies


def test_insecure_cookies_flag_refused_off_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        load_settings(["--insecure-cookies", "--host", "0.0.0.0"], {})
    assert exited.value.code == 2
    assert "loopback" in capsys.readouterr().err
