"""Delivery channels, per-user preferences and municipal digests (public schema)."""
