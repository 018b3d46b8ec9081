"""Login receivers: a successful login forgives that login's own failures from its address."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.services import login_failures_forgive


@receiver(user_logged_in, dispatch_uid="accounts.login_failures_forgive")
def _forgive_own_failures(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    # force_login in tests and the admin's "log in as" come without a request.
    if request is None:
        return
    login_failures_forgive(username=user.get_username(), ip_address=get_client_ip_address(request))
