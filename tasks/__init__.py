"""Celery tasks only: thin, take ids, call a service; tenant tasks run in a known schema."""
