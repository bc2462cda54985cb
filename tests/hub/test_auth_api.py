"""The API later hub pages build on: `require_role`, `csrf_field`, the gate's CSRF check."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from hub.auth import SignedIn, csrf_field, require_role
from hub.gate import MAX_FORM_BYTES
from hub.pages import page_response, staff_page
from hub.state import hub_state
from tests.hub.helpers import add_account, csrf_token, sign_in

HTML = {"Accept": "text/html"}


def _probe_router() -> APIRouter:
    router = APIRouter()

    @router.get("/probe/it")
    def it_only(request: Request, account: Annotated[SignedIn, Depends(require_role("it"))]
                ) -> HTMLResponse:
        body = f'<form method="post" action="/probe/form">{csrf_field(account)}</form>'
        return page_response(staff_page(hub_state(request), "Probe", body, account))

    @router.post("/probe/form")
    def form(account: Annotated[SignedIn, Depends(require_role())],
             value: Annotated[str, Form()]) -> dict[str, str]:
        return {"name": account.name, "value": value}

    @router.post("/probe/upload")
    async def upload(account: Annotated[SignedIn, Depends(require_role())],
                     file: UploadFile) -> dict[str, int]:
        return {"size": len(await file.read())}

    @router.post("/probe/json")
    async def json_api(request: Request, account: Annotated[SignedIn, Depends(require_role())]
                       ) -> dict[str, object]:
        return {"name": account.name, "got": await request.json()}

    @router.get("/static/probe")  # on a public prefix, yet asking for a role
    def public_but_guarded(account: Annotated[SignedIn, Depends(require_role())]) -> str:
        return account.name

    return router


@pytest.fixture
def probed(app: FastAPI) -> FastAPI:
    app.include_router(_probe_router())
    add_account(app, "ivy", "it")
    add_account(app, "sam", "staff")
    return app


def test_role_admits_and_refuses(probed: FastAPI, browser: TestClient) -> None:
    sign_in(browser, "ivy")
    page = browser.get("/probe/it")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text
    browser.cookies.clear()
    sign_in(browser, "sam")
    refused = browser.get("/probe/it", headers=HTML)
    assert refused.status_code == 403
    assert "You cannot use this page" in refused.text
    assert "sam (staff)" in refused.text
    as_json = browser.get("/probe/it")
    assert as_json.status_code == 403
    assert as_json.json()["error"]["code"] == "not_permitted"


def test_form_post_with_token_reaches_the_route(probed: FastAPI, browser: TestClient) -> None:
    sign_in(browser, "sam")
    token = csrf_token(browser)
    response = browser.post("/probe/form", data={"csrf_token": token, "value": "ŵ & ?"})
    assert response.status_code == 200
    assert response.json() == {"name": "sam", "value": "ŵ & ?"}


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_form_post_without_the_token_is_refused(probed: FastAPI, browser: TestClient,
                                                token: str | None) -> None:
    sign_in(browser, "sam")
    data = {"value": "x"} if token is None else {"value": "x", "csrf_token": token}
    response = browser.post("/probe/form", data=data)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_multipart_form_keeps_its_file(probed: FastAPI, browser: TestClient) -> None:
    sign_in(browser, "sam")
    token = csrf_token(browser)
    response = browser.post("/probe/upload", data={"csrf_token": token},
                            files={"file": ("a.bin", b"\x00" * 5000)})
    assert response.status_code == 200
    assert response.json() == {"size": 5000}
    refused = browser.post("/probe/upload", files={"file": ("a.bin", b"\x00")})
    assert refused.status_code == 403


def test_json_api_sends_the_token_in_a_header(probed: FastAPI, browser: TestClient) -> None:
    sign_in(browser, "sam")
    token = csrf_token(browser)
    response = browser.post("/probe/json", json={"a": 1}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.json() == {"name": "sam", "got": {"a": 1}}
    assert browser.post("/probe/json", json={"a": 1}).status_code == 403


def test_oversized_form_is_refused(probed: FastAPI, browser: TestClient) -> None:
    sign_in(browser, "sam")
    response = browser.post("/probe/form", data={"value": "x" * (MAX_FORM_BYTES + 1)})
    assert response.status_code == 413


def test_require_role_guards_even_a_public_path(probed: FastAPI, browser: TestClient) -> None:
    assert browser.get("/static/probe").status_code == 401
    redirected = browser.get("/static/probe", headers=HTML, follow_redirects=False)
    assert redirected.status_code == 303


def test_unknown_role_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        require_role("admin")  # type: ignore[arg-type]


def test_signed_in_repr_holds_no_token(probed: FastAPI, browser: TestClient) -> None:
    account = SignedIn(1, "sam", "staff", "csrf-secret", "digest-secret")
    assert "secret" not in repr(account)
