"""Account letters: the invitation to set a password (accounts.invitations)."""

from __future__ import annotations

from config.celery import app


@app.task(name="accounts.invitation_send")
def invitation_send_task(invitation_id: int) -> str:
    from accounts.invitations import invitation_send

    return invitation_send(invitation_id=invitation_id)


@app.task(name="accounts.invitations_retry")
def invitations_retry_task() -> int:
    from accounts.invitations import invitations_retry

    return invitations_retry()
