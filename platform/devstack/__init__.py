"""Embedded PostgreSQL and Redis for `make run` and `make test` (never used in production)."""
