"""Shared presentation helpers (Russian plural forms, dates)."""
