"""POST /ota: the OpenTravel door for distribution partners (plain XML or SOAP 1.1/1.2)."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Request, Response

from hub.logs import correlation_id
from routes.ingress import OtaIngress

router = APIRouter()


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


async def read_capped(request: Request, cap: int) -> tuple[bytes, bool]:
    """(body, True), or (its first bytes, False) as soon as it grows past `cap` (never read it all)."""
    declared = request.headers.get("content-length")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        chunks.append(chunk)
        if size > cap or (declared is not None and declared.isdigit() and int(declared) > cap):
            return chunks[0][:4096], False
    return b"".join(chunks), True


@router.post("/ota", tags=["partners"], summary="Push an OpenTravel message")
async def post_ota(request: Request) -> Response:
    """Accept OTA_HotelResNotifRQ / OTA_CancelRQ; answer the matching RS with Success or Errors."""
    ingress: OtaIngress = request.app.state.hub.ingress
    cap = request.app.state.hub.settings.max_body_bytes
    cid = request.headers.get("x-correlation-id") or None
    token = correlation_id.set(cid)
    try:
        body, complete = await read_capped(request, cap)
        if not complete:
            # Too big to read: answer with the OTA error without parsing a byte of it.
            answer = ingress.too_large(body)
        else:
            answer = await ingress.handle(
                body,
                basic_auth=basic_credentials(request.headers.get("authorization")),
                correlation_id=cid,
            )
    finally:
        correlation_id.reset(token)
    soap12 = b"http://www.w3.org/2003/05/soap-envelope" in answer.body[:400]
    media = "application/soap+xml" if soap12 else "text/xml"
    headers = {"WWW-Authenticate": 'Basic realm="hotelhub"'} if answer.status_code == 401 else {}
    return Response(answer.body, status_code=answer.status_code, media_type=media, headers=headers)
