"""The payment-gateway connector will live here; the local card vault stands in until then."""
