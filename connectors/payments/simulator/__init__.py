"""A simulated card gateway speaking the connector's API, with its own ledger, for the demo and the tests."""

from connectors.payments.simulator.app import GatewaySimulator
from connectors.payments.simulator.ledger import DECLINING_CARDS, Ledger

__all__ = ["DECLINING_CARDS", "GatewaySimulator", "Ledger"]
