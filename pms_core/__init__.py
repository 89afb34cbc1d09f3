"""The lean PMS core: inventory and bookings. Knows nothing of partners, XML, HTTP or RabbitMQ."""
