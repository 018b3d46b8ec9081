"""A real local SMTP server (aiosmtpd) writing to a Maildir, as in `make run`."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from devstack.services import _free_port


class MailSink:
    def __init__(self, path: Path) -> None:
        self.path = path

    def messages(self) -> list[mailbox.MaildirMessage]:
        return list(mailbox.Maildir(str(self.path), create=False))


@pytest.fixture
def mail_sink(tmp_path, settings):  # type: ignore[no-untyped-def]
    path = tmp_path / "mail"
    port = _free_port()
    controller = Controller(Mailbox(str(path)), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.LOCAL_MAILDIR = str(path)
    yield MailSink(path)
    controller.stop()
