"""Logs and error reports that reach someone, without personal data.

- `SchemaFilter` puts the organisation's schema on every log record (`%(schema)s`; JSON lines
  with LOG_FORMAT=json), so an operator can tell which school an error came from.
- `init_error_reports` (core's AppConfig.ready: web, worker and beat) sends errors to a
  Sentry-compatible server when SENTRY_DSN is set: a self-hosted Sentry or GlitchTip inside
  the network; without it nothing is sent anywhere. Reports carry no personal data: no
  request bodies, cookies, user or address (send_default_pii off), no local variables of the
  failing frames (they hold people's names).
"""

from __future__ import annotations

import logging

from django.conf import settings


class SchemaFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from django.db import connection

        record.schema = getattr(connection, "schema_name", "") or "-"
        return True


def init_error_reports() -> bool:
    """Start the Sentry SDK if SENTRY_DSN is set; whether it was started."""
    if not settings.SENTRY_DSN:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0,
    )
    return True
