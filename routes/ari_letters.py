"""Dead letters of the cells a channel refused: one per refused item, the channel's code and text kept.

The letter's body is an `ari.changed.v1` of the item's cells, so replaying it marks them pending
again (for every channel that receives them): the values sent are then the core's current ones.
"""

from __future__ import annotations

from uuid import uuid4

from canonical.ari import ARI_CHANGED_V1, AriChanged
from canonical.envelope import Envelope
from connectors.ota.ari_answers import AnswerNote
from connectors.ota.ari_shaping import OutboundMessage, SentItem
from routes.deadletters import NewDeadLetter

ARI_OUT_CONSUMER = "ari-distributor"


def refusal_letters(
    channel_id: str,
    property_code: str,
    message: OutboundMessage,
    notes: list[tuple[SentItem, AnswerNote]],
) -> list[NewDeadLetter]:
    """One dead letter per refused item: an `ari.changed.v1` of its cells (a replay marks them again)."""
    letters = []
    for item, note in notes:
        event = AriChanged(
            property=property_code,
            room_type=item.room_type,
            rate_plan=item.rate_plan,
            first_night=item.first,
            last_night=item.last,
            kinds=frozenset({item.kind}),
        )
        envelope = Envelope[AriChanged](
            message_type=ARI_CHANGED_V1,
            correlation_id=message.echo_token,
            property_code=event.property,
            payload=event,
        )
        codes = f"{item.target.room_type}/{item.target.rate_plan or '-'}"
        letters.append(
            NewDeadLetter(
                message_id=str(uuid4()),
                message_type=ARI_CHANGED_V1,
                consumer=ARI_OUT_CONSUMER,
                correlation_id=message.echo_token,
                body=envelope.model_dump_json(),
                error_class="PermanentError",
                error_text=(
                    f"channel {channel_id} refused {message.message_name} item {item.index} "
                    f"({codes} {item.first}..{item.last}): "
                    f"{note.ota_type or '-'}/{note.code or '-'}: {note.text}"
                ),
                partner_id=channel_id,
                property_code=event.property,
                ota_code=f"{note.ota_type or '-'}/{note.code or '-'}",
            )
        )
    return letters
