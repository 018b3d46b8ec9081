"""Delivery channels: email (Django backend, SMTP in production) and messengers behind an adapter.

Email cannot be taken back once an SMTP server accepted it, so a crash between «accepted» and
«recorded as sent» is resolved by reconciliation: each email carries a Message-ID fixed in
advance, and `email_delivered()` asks the mail store whether it arrived. The local mail server
of `make run` and of the tests answers exactly; a plain SMTP provider cannot (None), and such a
message goes to the dead-letter list for the operator instead of being sent twice.
"""

from __future__ import annotations

import email
import json
import mailbox
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


def send_email(
    *,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    unsubscribe_url: str = "",
    timeout: float = 20,
) -> None:
    """One email; `timeout` is the SMTP connection's wait on each step, in seconds."""
    headers = {"Message-ID": message_id}
    if unsubscribe_url:
        # One-click unsubscribe (RFC 8058), understood by Russian and other mail clients.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMessage(subject=subject, body=body, to=[to], headers=headers,
                           from_email=settings.DEFAULT_FROM_EMAIL)  # fmt: skip
    with get_connection(timeout=timeout) as connection:
        connection.send_messages([message])


def email_delivered(message_id: str) -> bool | None:
    """True/False when the mail store can tell (local Maildir); None when it cannot."""
    maildir = getattr(settings, "LOCAL_MAILDIR", "")
    if not maildir or not Path(maildir).is_dir():
        return None
    return message_id in maildir_message_ids(Path(maildir))


def maildir_message_ids(path: Path) -> set[str]:
    box = mailbox.Maildir(str(path), create=False)
    return {str(message.get("Message-ID", "")).strip() for message in box}


@dataclass
class StoredMail:
    key: str
    subject: str
    to: str
    date: str
    body: str


def maildir_messages(path: Path, limit: int = 200) -> list[StoredMail]:
    """The local mail page of `make run`: what the platform has sent, newest first."""
    box = mailbox.Maildir(str(path), create=False)
    items = []
    for key, message in box.items():
        parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        body_part = parsed.get_body(preferencelist=("plain",))
        items.append(
            StoredMail(
                key=key,
                subject=str(parsed.get("Subject", "")),
                to=str(parsed.get("To", "")),
                date=str(parsed.get("Date", "")),
                body=body_part.get_content() if body_part else "",
            )
        )
    items.sort(key=_sent_timestamp, reverse=True)
    return items[:limit]


def _sent_timestamp(mail: StoredMail) -> float:
    return email.utils.parsedate_to_datetime(mail.date).timestamp() if mail.date else 0.0


class MessengerAdapter(Protocol):
    """MAX, VK, Telegram: the message never carries personal data, only a count and a link."""

    name: str

    def send(self, *, chat: str, text: str) -> None: ...


class BotApiMessenger:
    """A messenger speaking the common bot HTTP API: POST {base}/sendMessage {chat_id, text}."""

    def __init__(self, *, name: str, base_url: str, timeout: float = 10) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, *, chat: str, text: str) -> None:
        request = urllib.request.Request(
            f"{self.base_url}/sendMessage",
            data=json.dumps({"chat_id": chat, "text": text}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            answer = json.loads(response.read() or b"{}")
        if not answer.get("ok", False):
            raise RuntimeError(f"{self.name}: {answer.get('description', 'ошибка отправки')}")


def messenger(*, timeout: float = 10) -> MessengerAdapter | None:
    """The configured messenger (MESSENGER_NAME, MESSENGER_API_URL), or None; `timeout` is how
    long it waits for the bot API's answer, in seconds."""
    base_url = getattr(settings, "MESSENGER_API_URL", "")
    if not base_url:
        return None
    return BotApiMessenger(
        name=getattr(settings, "MESSENGER_NAME", "MAX"), base_url=base_url, timeout=timeout
    )


def messenger_text(count: int, url: str) -> str:
    """No names, no titles: the messenger's servers are outside our control."""
    from core.russian import plural_ru

    return f"У вас {count} {plural_ru(count, 'новое напоминание', 'новых напоминания', 'новых напоминаний')} в системе наставничества: {url}"
