"""Channel simulators: small real HTTP servers standing in for OTA channels in the demo and the tests.

`PushChannel` takes the hub's availability, rate and restriction notifications and folds them into
the state it would show; `PullChannel` holds reservations for the hub to fetch and acknowledge.
Both can be told to fail (`behave`, or `POST /_control`), count what they receive, and run
in-process (`serving`) or as their own process (`python -m connectors.ota.simulator`). They read
what they receive with their own parser, as an independent check of what the hub sends.
"""

from connectors.ota.simulator.behaviour import Answer, AuthFailure, Behaviour, ItemSelector
from connectors.ota.simulator.channel import Call, SimulatedChannel
from connectors.ota.simulator.control import ChannelControl
from connectors.ota.simulator.pull import Ack, PullChannel
from connectors.ota.simulator.push import PushChannel
from connectors.ota.simulator.runner import serving
from connectors.ota.simulator.schemas import SchemaFolder

__all__ = [
    "Ack",
    "Answer",
    "AuthFailure",
    "Behaviour",
    "Call",
    "ChannelControl",
    "ItemSelector",
    "PullChannel",
    "PushChannel",
    "SchemaFolder",
    "SimulatedChannel",
    "serving",
]
