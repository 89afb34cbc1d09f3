"""The RabbitMQ transport: topology derived from the routing table, consumers, outbox relay."""
