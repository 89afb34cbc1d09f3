"""The payment-gateway connector: PaymentGateway port, Stripe-style client, webhook signing, local vault."""
