"""The OpenAPI document says what the hub answers (/ota as XML, the REST API's security), and /docs
and /redoc work without a way out of the network: the hub serves every asset the pages load."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from harness import RunningHub, running_hub
from ota_builders import OTAONE

from hub.demo.partners import parse_answer

# where browsers fetch scripts, styles and fonts from when a page is not self-contained
ASSET_HOSTS = re.compile(
    r"cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|fonts\.gstatic\.com"
)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")
_SPEC_URL = re.compile(r"""url: '([^']+)'|spec-url="([^"]+)\"""")
REST_OPERATIONS = (
    ("post", "/api/v1/properties/{code}/bookings"),
    ("get", "/api/v1/properties/{code}/bookings"),
    ("get", "/api/v1/properties/{code}/bookings/{booking_id}"),
    ("get", "/api/v1/properties/{code}/availability"),
)


class _References(HTMLParser):
    """Every URL a page loads: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[RunningHub]:
    """A running embedded hub with the demo configuration, failed logins limited to two."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    async with running_hub("embedded", database_url, None, tmp_path, auth_failures_max=2) as running:
        yield running


async def _document(hub: RunningHub) -> dict[str, Any]:
    response = await hub.http.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_given_the_docs_page_when_loaded_then_it_and_every_asset_come_from_the_hub(
    hub: RunningHub, page: str
) -> None:
    response = await hub.http.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert re.search(r"https?://", html) is None, html
    parser = _References()
    parser.feed(html)
    spec_urls = [a or b for a, b in _SPEC_URL.findall(html)]
    assert parser.urls and spec_urls == ["/openapi.json"]

    for url in [*parser.urls, *spec_urls]:
        assert not urlsplit(url).netloc, url
        asset = await hub.http.get(url)
        assert asset.status_code == 200, url
        if url.endswith((".js", ".css")):
            assert ASSET_HOSTS.search(asset.text) is None, url
        if url.endswith(".css"):
            loaded = [ref for ref in _CSS_URL.findall(asset.text) if not ref.startswith("data:")]
            assert all(not urlsplit(ref).netloc for ref in loaded), loaded
    if page == "/docs":
        # Swagger UI's one call out: the online validator of its badge
        assert '"validatorUrl": null' in html


async def test_given_the_openapi_document_when_read_then_ota_is_xml_with_an_example_and_every_status(
    hub: RunningHub,
) -> None:
    operation = (await _document(hub))["paths"]["/ota"]["post"]

    body = operation["requestBody"]["content"]
    assert {"application/xml", "text/xml"} <= set(body)
    assert all("<OTA_HotelResNotifRQ" in body[media]["example"] for media in body)
    assert set(operation["responses"]) == {"200", "401", "413", "415", "429", "503"}
    assert all("text/xml" in answer["content"] for answer in operation["responses"].values())
    assert operation["security"] == [{"partnerBasic": []}]
    assert "WS-Security" in operation["description"]


async def test_given_the_documented_ota_example_when_pushed_then_accepted(hub: RunningHub) -> None:
    body = (await _document(hub))["paths"]["/ota"]["post"]["requestBody"]["content"]
    example = body["application/xml"]["example"].encode()

    response = await hub.http.post(
        "/ota", content=example, auth=OTAONE, headers={"content-type": "application/xml"}
    )

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    answer = parse_answer(response.content)
    assert answer.success, answer


async def test_given_the_ota_door_when_refusing_then_it_answers_the_documented_statuses_in_xml(
    hub: RunningHub,
) -> None:
    documented = set((await _document(hub))["paths"]["/ota"]["post"]["responses"])
    example = (await _document(hub))["paths"]["/ota"]["post"]["requestBody"]["content"]["text/xml"]["example"]
    xml = {"content-type": "text/xml"}
    wrong = ("otaone", "wrong")

    answers = {
        401: await hub.http.post("/ota", content=example, headers=xml),
        413: await hub.http.post("/ota", content=b"<a>" + b" " * hub.settings.max_body_bytes, headers=xml),
        415: await hub.http.post("/ota", content=b"{}", headers={"content-type": "application/json"}),
    }
    for _ in range(2):
        await hub.http.post("/ota", content=example, auth=wrong, headers=xml)
    answers[429] = await hub.http.post("/ota", content=example, auth=wrong, headers=xml)

    for status, response in answers.items():
        assert str(status) in documented
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("text/xml")
        assert not parse_answer(response.content).success
    assert answers[401].headers["www-authenticate"].startswith("Basic")
    assert int(answers[429].headers["retry-after"]) > 0


async def test_given_the_openapi_document_when_read_then_rest_operations_declare_bearer_and_basic(
    hub: RunningHub,
) -> None:
    document = await _document(hub)

    schemes = document["components"]["securitySchemes"]
    assert schemes["operatorBearer"] == {**schemes["operatorBearer"], "type": "http", "scheme": "bearer"}
    assert schemes["partnerBasic"] == {**schemes["partnerBasic"], "type": "http", "scheme": "basic"}
    for method, path in REST_OPERATIONS:
        operation = document["paths"][path][method]
        assert operation["security"] == [{"operatorBearer": []}, {"partnerBasic": []}], path
        errors = {status: answer for status, answer in operation["responses"].items() if status >= "400"}
        assert {"401", "403", "404", "422"} <= set(errors), path
        assert all(set(answer["content"]) == {"application/problem+json"} for answer in errors.values())
