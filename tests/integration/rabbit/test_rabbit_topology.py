"""Topology derived from the routing table, and its AsyncAPI export (no broker needed)."""

from __future__ import annotations

from rabbit_harness import FAST_RETRY, record_effect, table_with

from canonical.booking import BOOKING_RECEIVED_V1
from routes.policy import DeliveryPolicy, RetryPolicy
from routes.rabbit.topology import Topology, asyncapi_document
from routes.table import Route, RoutingTable


def _two_consumers() -> RoutingTable:
    slow = DeliveryPolicy(retry=RetryPolicy(delays_s=(5.0, 5.0, 60.0)))
    return RoutingTable(
        [
            Route(BOOKING_RECEIVED_V1, "pms", record_effect, FAST_RETRY),
            Route(BOOKING_RECEIVED_V1, "audit", record_effect, slow),
        ]
    )


def test_given_routing_table_when_topology_derived_then_one_quorum_queue_per_consumer_bound_twice() -> None:
    topology = Topology.from_table(_two_consumers(), prefix="hh", delivery_limit=7)

    pms = topology.consumers["pms"].queue
    assert pms.name == "hh.q.pms"
    assert pms.durable
    assert pms.arguments == {
        "x-queue-type": "quorum",
        "x-single-active-consumer": True,
        "x-delivery-limit": 7,
        "x-dead-letter-exchange": "hh.dead-letter",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    bindings = {(b.queue, b.exchange, b.routing_key) for b in topology.bindings}
    assert ("hh.q.pms", "hh.events", BOOKING_RECEIVED_V1) in bindings
    assert ("hh.q.pms", "hh.direct", "pms") in bindings
    assert ("hh.q.audit", "hh.events", BOOKING_RECEIVED_V1) in bindings
    assert ("hh.dead-letters", "hh.dead-letter", "") in bindings


def test_given_retry_delays_when_topology_derived_then_one_ttl_queue_per_distinct_delay() -> None:
    topology = Topology.from_table(_two_consumers(), prefix="hh")

    audit = topology.consumers["audit"]
    assert sorted(q.name for q in audit.retry.values()) == [
        "hh.q.audit.retry.5000ms",
        "hh.q.audit.retry.60000ms",
    ]
    tier = audit.retry_queue(60.0)
    assert tier.arguments is not None
    assert tier.arguments["x-message-ttl"] == 60_000
    assert tier.arguments["x-dead-letter-exchange"] == "hh.direct"
    assert tier.arguments["x-dead-letter-routing-key"] == "audit"
    assert topology.consumer_of_queue("hh.q.audit.retry.5000ms") == "audit"
    assert topology.consumer_of_queue("elsewhere") is None


def test_given_routing_table_when_exported_then_asyncapi_document_lists_consumers_and_topology() -> None:
    document = asyncapi_document(table_with(record_effect))

    assert document["asyncapi"] == "3.0.0"
    assert {"pms:booking.received.v1", "publish:booking.received.v1", "direct:pms", "dead-letter"} <= set(
        document["channels"]
    )
    consume = document["operations"]["pms:booking.received.v1"]
    assert consume["action"] == "receive"
    assert consume["bindings"]["amqp"]["cc"] == [BOOKING_RECEIVED_V1]
    assert document["operations"]["publish:booking.received.v1"]["bindings"]["amqp"]["deliveryMode"] == 2
    assert "BookingReceived" in document["components"]["schemas"]
    queues = {q["name"]: q["arguments"] for q in document["x-hotelhub-topology"]["queues"]}
    assert queues["hotelhub.q.pms"]["x-queue-type"] == "quorum"
    assert queues["hotelhub.q.pms.retry.200ms"]["x-message-ttl"] == 200
    per_channel = document["x-hotelhub-topology"]["channel_queues"]  # declared per ARI channel by workers
    assert per_channel["name"] == "hotelhub.ari-send.{channel}"
    assert per_channel["arguments"]["x-single-active-consumer"] is True
