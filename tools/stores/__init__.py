"""Commerce state stores (carts, orders, profiles, idempotency, session index)."""
