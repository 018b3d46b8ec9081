"""Reminders of an organisation: planner, outbox, inbox, digests (tenant schema)."""
