"""POST /ota: the OpenTravel door for distribution partners (plain XML or SOAP 1.1/1.2).

Every push goes through `OtaDoor`, a plain ASGI middleware that answers POST /ota before FastAPI's
routing, dependency solving and request objects: at a thousand pushes a second those cost as much
CPU as translating the booking. The FastAPI route below documents /ota in the OpenAPI schema and
answers through the same code when the app is mounted without the middleware.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.logs import correlation_id
from hub.openapi import OTA_OPERATION, OTA_RESPONSES
from routes.door_answers import Answer
from routes.ingress import OtaIngress

router = APIRouter()

PATH = "/ota"
_SOAP12 = b"http://www.w3.org/2003/05/soap-envelope"
_SNIFF_BYTES = 4096
# the media types an OTA push may come as (plain OTA XML, or a SOAP 1.1 / 1.2 envelope); none: taken
_XML_TYPES = frozenset({"text/xml", "application/xml", "application/soap+xml"})


def is_xml_media_type(content_type: str | None) -> bool:
    """True for no Content-Type or an XML one (parameters such as charset are ignored)."""
    if content_type is None:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return not media or media in _XML_TYPES or media.endswith("+xml")


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(username, password) from an HTTP Basic Authorization header, or None."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


@dataclass(frozen=True)
class OtaReply:
    """The HTTP answer to one push: status, raw headers and body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ClientGone(Exception):
    """The partner disconnected before its body was read: there is no one to answer."""


async def read_capped(receive: Receive, cap: int, declared: str | None) -> tuple[bytes, bool]:
    """(body, True), or (its first bytes, False) as soon as it grows past `cap` (never read it all)."""
    if declared is not None and declared.isdigit() and int(declared) > cap:
        # over the cap by its own account: read one chunk, to name the message in the answer
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        return message.get("body", b"")[:_SNIFF_BYTES], False
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            chunks.append(chunk)
            if size > cap:
                return chunks[0][:_SNIFF_BYTES], False
        if not message.get("more_body", False):
            return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), True


async def answer(
    ingress: OtaIngress,
    cap: int,
    headers: Iterable[tuple[bytes, bytes]],
    receive: Receive,
    client: str | None = None,
) -> OtaReply:
    """Read one push (never past the size cap), let the ingress judge it, and shape the HTTP answer.

    `client` is the sender's address (after uvicorn's proxy-header handling).
    """
    authorization = declared = cid = content_type = None
    for name, value in headers:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"content-length":
            declared = value.decode("latin-1")
        elif name == b"x-correlation-id":
            cid = value.decode("latin-1") or None
        elif name == b"content-type":
            content_type = value.decode("latin-1")
    token = correlation_id.set(cid)
    result: Answer | None
    try:
        if not is_xml_media_type(content_type):
            # JSON, a form, ...: refused as sent, before a byte of it is read
            result = ingress.not_xml(content_type or "", cid)
        else:
            body, complete = await read_capped(receive, cap, declared)
            # Too big to read: answer with the OTA error without parsing a byte of it.
            result = ingress.too_large(body, cid) if not complete else None
        if result is None:
            result = await ingress.handle(
                body, basic_auth=basic_credentials(authorization), correlation_id=cid, client=client
            )
    finally:
        correlation_id.reset(token)
    soap12 = _SOAP12 in result.body[:400]
    # what Starlette's Response(media_type=...) would send, in its order
    raw = [(b"www-authenticate", b'Basic realm="hotelhub"')] if result.status_code == 401 else []
    if result.retry_after_s is not None:
        raw.append((b"retry-after", str(result.retry_after_s).encode()))
    raw.append((b"content-length", str(len(result.body)).encode()))
    raw.append((b"content-type", b"application/soap+xml" if soap12 else b"text/xml; charset=utf-8"))
    return OtaReply(result.status_code, raw, result.body)


class OtaDoor:
    """ASGI middleware answering POST /ota directly; everything else goes on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a push, or hand the request to the wrapped app."""
        if scope["type"] != "http" or scope["method"] != "POST" or _route_path(scope) != PATH:
            await self.app(scope, receive, send)
            return
        hub = scope["app"].state.hub
        try:
            peer = scope.get("client")
            client = peer[0] if peer else None
            reply = await answer(hub.ingress, hub.settings.max_body_bytes, scope["headers"], receive, client)
        except ClientGone:
            return
        start: Message = {"type": "http.response.start", "status": reply.status, "headers": reply.headers}
        await send(start)
        await send({"type": "http.response.body", "body": reply.body})


def _route_path(scope: Scope) -> str:
    # the path below the app's root_path, as Starlette's router matches it
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root + "/") else path


@router.post(
    PATH,
    tags=["partners"],
    summary="Push an OpenTravel message",
    response_class=Response,
    responses=OTA_RESPONSES,
    openapi_extra=OTA_OPERATION,
)
async def post_ota(request: Request) -> Response:
    """Accept OTA_HotelResNotifRQ / OTA_CancelRQ (bookings), the ARI notifications of a revenue system
    or external PMS, and OTA_HotelAvailRQ; answer the matching RS with Success or Errors.

    Credentials: HTTP Basic, or a WS-Security UsernameToken with PasswordText in the SOAP header.
    Messages, answers and error codes: docs/ota.md.
    """
    hub = request.app.state.hub
    client = request.client.host if request.client else None
    reply = await answer(
        hub.ingress, hub.settings.max_body_bytes, request.scope["headers"], request.receive, client
    )
    response = Response(reply.body, status_code=reply.status)
    response.raw_headers = reply.headers
    return response
