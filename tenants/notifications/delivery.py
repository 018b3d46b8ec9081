"""The outbox of one organisation: drafts written once by their key, then drained per channel.

Inbox messages are rows in the same database: written in the transaction that marks the
outbox row sent, so exactly once. Email goes as one digest per person per day, leased before
it is sent (the lease counted from the moment it is taken, and longer than a send may wait);
a lease that expired (the worker died) or a send that failed is settled by reconciliation with
the mail store where it can tell, never by a blind resend. A messenger message is leased the
same way; as a bot API cannot be asked what it delivered, one whose worker died or whose answer
did not come in time is never resent (at most once, and the operator sees it among the
undelivered). Failures retry with exponential backoff; after MAX_ATTEMPTS the message is dead
and listed for the operator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from core.db import insert_rows, recomputable_transaction
from core.links import site_url
from organizations.models import Organization
from tenants.notifications.models import Channel, Digest, InboxMessage, Outbox, OutboxStatus
from tenants.notifications.planner import Draft

MAX_ATTEMPTS = 5


def lease_time() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)


def send_timeout() -> float:
    """Seconds an SMTP or bot API exchange may wait on each step: a sixth of the lease, so a send
    in progress ends (sent or failed) before its lease can expire and another worker takes it."""
    return min(20.0, settings.REMINDER_LEASE_SECONDS / 6)


def _clock(now: dt.datetime) -> Callable[[], dt.datetime]:
    """The drain's moment moving on with the wall clock. A drain of a big school sends for
    longer than a lease: a lease measured from the drain's start would be over when taken, and
    another worker would take the email while it is being sent."""
    started = monotonic()
    return lambda: now + dt.timedelta(seconds=monotonic() - started)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


# Reminders about one thing (a roadmap item, a meeting): a newer one supersedes the earlier, so
# «Через 3 дня срок» does not stay in the inbox once «Просрочено на 1 день» came.
SUPERSEDING_KINDS = ("reminder", "overdue", "escalation", "program", "meeting")


def _inbox_write(rows: list[tuple[int, Draft | Outbox]]) -> None:
    """The in-app messages of these outbox rows (id, the row or its draft); one per row,
    whoever writes it first. Earlier unread reminders about the same page are marked read (the
    inbox lists the latest)."""
    now = timezone.now()
    messages = [
        {"user_id": d.recipient_id, "outbox_id": pk, "title": d.subject, "body": d.body,
         "url": d.url, "created_at": now}
        for pk, d in rows
    ]  # fmt: skip
    written = insert_rows(InboxMessage, messages, on_conflict="ON CONFLICT DO NOTHING", returning=["id"])  # fmt: skip
    newest: dict[tuple[int, str], dt.datetime] = {}
    for _, d in rows:
        if d.kind in SUPERSEDING_KINDS and d.url:
            key = (d.recipient_id, d.url)
            newest[key] = max(newest.get(key, d.send_after), d.send_after)
    if not newest or not written:
        return
    for (user_id, url), moment in newest.items():
        InboxMessage.objects.filter(
            user_id=user_id, url=url, read_at__isnull=True, outbox__send_after__lt=moment,
            outbox__kind__in=SUPERSEDING_KINDS,
        ).update(read_at=now)  # fmt: skip


def outbox_write(drafts: list[Draft], *, deliver_inbox_at: dt.datetime | None = None) -> int:
    """Insert what is new; a key already there (planned before) is left alone.

    A sweep re-plans every few minutes, so most drafts already exist: one indexed look-up of
    their keys usually ends it. Conflicts are still handled (another worker may write the same
    keys in between), so the count is of rows this call meant to add. With `deliver_inbox_at`,
    in-app drafts due by then are delivered in the same transaction: their inbox message and
    their outbox row (sent) commit together, so exactly once. Written as plain rows (a morning
    of monitoring puts thousands of them in one school's outbox).
    """
    by_key = {d.key[:300]: d for d in drafts}
    if not by_key:
        return 0
    existing = set(Outbox.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    new = {key: d for key, d in by_key.items() if key not in existing}
    if not new:
        return 0
    now = deliver_inbox_at

    def delivered(d: Draft) -> bool:
        return now is not None and d.channel == Channel.INBOX and d.send_after <= now

    rows = [
        {"key": key, "kind": d.kind, "recipient_id": d.recipient_id, "channel": d.channel,
         "subject": d.subject, "body": d.body, "url": d.url, "send_after": d.send_after,
         "status": OutboxStatus.SENT if delivered(d) else OutboxStatus.PENDING,
         "sent_at": now if delivered(d) else None}
        for key, d in new.items()
    ]  # fmt: skip
    with recomputable_transaction():  # lost in a crash, it is planned again under the same keys
        # A row another worker just wrote stays as it is; its id still comes back (for the
        # inbox messages below), with the status it has.
        written = insert_rows(Outbox, rows, returning=["id", "key", "status"],
                              on_conflict='ON CONFLICT ("key") DO UPDATE SET "key" = EXCLUDED."key"')  # fmt: skip
        inbox: list[tuple[int, Draft | Outbox]] = [
            (pk, new[key])
            for pk, key, status in written
            if status == OutboxStatus.SENT and new[key].channel == Channel.INBOX
        ]
        if inbox:
            _inbox_write(inbox)
    return len(new)


@dataclass
class DrainResult:
    inbox: int = 0
    emails: int = 0
    messenger: int = 0
    failed: int = 0
    reconciled: int = 0
    errors: list[str] = field(default_factory=list)


def _due(now: dt.datetime) -> Q:
    return Q(send_after__lte=now) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def drain(
    *, organization: Organization, now: dt.datetime | None = None, batch: int = 1000
) -> DrainResult:
    now = now or timezone.now()
    clock = _clock(now)
    result = DrainResult()
    # One look at what is waiting; most sweeps find nothing for most channels.
    waiting = set(
        Outbox.objects.filter(_due(now), status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
        .order_by()
        .values_list("channel", flat=True)
        .distinct()
    )
    if Channel.INBOX in waiting:
        _drain_inbox(now, batch, result)
    if Channel.EMAIL in waiting:
        _collect_digests(organization, now, batch)
    _send_digests(organization, now, clock, result)  # also digests left by a dead worker or a retry
    if Channel.MESSENGER in waiting:
        _send_messenger(organization, now, clock, batch, result)
    _settle_interrupted_messages(clock())  # left «sending» by a worker that died
    return result


def _drain_inbox(now: dt.datetime, batch: int, result: DrainResult) -> None:
    while True:
        with transaction.atomic():
            rows = list(
                Outbox.objects.select_for_update(skip_locked=True)
                .filter(_due(now), channel=Channel.INBOX, status=OutboxStatus.PENDING)
                .order_by("pk")[:batch]
            )
            if not rows:
                return
            _inbox_write([(r.pk, r) for r in rows])
            Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(
                status=OutboxStatus.SENT, sent_at=now
            )
            result.inbox += len(rows)
        if len(rows) < batch:
            return


def _collect_digests(organization: Organization, now: dt.datetime, batch: int) -> None:
    """Pending email reminders join today's digest of their recipient (one email a day)."""
    day = now.astimezone(organization.zone).date()
    with recomputable_transaction():  # a lost link is made again by the next drain
        rows = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(
                _due(now), channel=Channel.EMAIL, status=OutboxStatus.PENDING, digest__isnull=True
            )
            .order_by("pk")[: batch * 5]
        )
        by_user: dict[int, list[Outbox]] = {}
        for row in rows:
            by_user.setdefault(row.recipient_id, []).append(row)
        if not by_user:
            return
        # Today's digest of each recipient: created if missing, in two statements for all.
        Digest.objects.bulk_create(
            [Digest(recipient_id=user_id, day=day,
                    message_id=f"<digest-{organization.schema_name}-{user_id}-{day:%Y%m%d}@cmn>")
             for user_id in by_user],
            ignore_conflicts=True,
        )  # fmt: skip
        digests = {
            d.recipient_id: d
            for d in Digest.objects.filter(recipient_id__in=list(by_user), day=day)
        }
        for user_id, user_rows in by_user.items():
            digest = digests[user_id]
            if digest.status in (OutboxStatus.SENT, OutboxStatus.DEAD, OutboxStatus.SENDING):
                # Today's email is gone (or going): these wait for tomorrow's.
                tomorrow = dt.datetime.combine(
                    day + dt.timedelta(days=1), dt.time(0), tzinfo=organization.zone
                )
                Outbox.objects.filter(pk__in=[r.pk for r in user_rows]).update(send_after=tomorrow)
                continue
            Outbox.objects.filter(pk__in=[r.pk for r in user_rows]).update(digest=digest)


def _lease(digest_id: int, now: dt.datetime) -> Digest | None:
    """Take a digest for sending, its lease counted from `now` (the moment it is taken); None if
    another worker holds it (one conditional UPDATE). `interrupted`: a worker died holding it."""
    take = {
        "status": OutboxStatus.SENDING,
        "leased_until": now + lease_time(),
        "attempts": F("attempts") + 1,
    }
    digests = Digest.objects.filter(pk=digest_id)
    interrupted = False
    if not digests.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED]).update(**take):
        # A lease that expired: the worker that took it died, maybe after the email went out.
        expired = Q(leased_until__lt=now) | Q(leased_until__isnull=True)
        if not digests.filter(expired, status=OutboxStatus.SENDING).update(**take):
            return None
        interrupted = True
    digest = digests.get()
    digest.interrupted = interrupted  # type: ignore[attr-defined]
    return digest


def _unsubscribe_url(user_id: int) -> str:
    from messaging.services import unsubscribe_url

    return unsubscribe_url(user_id=user_id)


def _digest_text(
    digest: Digest, rows: list[Outbox], organization: Organization, unsubscribe_url: str
) -> tuple[str, str]:
    base = site_url(slug=organization.slug)
    count = len(rows)
    from core.russian import plural_ru

    subject = f"{organization.short_name}: {count} {plural_ru(count, 'напоминание', 'напоминания', 'напоминаний')} на {digest.day:%d.%m.%Y}"
    lines = [f"Напоминания по наставничеству, {organization.short_name}:", ""]
    for row in rows:
        lines.append(f"• {row.subject}. {row.body}" if row.body else f"• {row.subject}")
        if row.url:  # a path on the school's host, or (for a tutor) a link to the regional one
            lines.append(f"  {row.url}" if row.url.startswith("http") else f"  {base}{row.url}")
    lines += [
        "",
        "Все напоминания — в разделе уведомлений на сайте.",
        f"Отписаться от писем: {unsubscribe_url}",
    ]
    return subject, "\n".join(lines)


def _send_digests(
    organization: Organization,
    now: dt.datetime,
    clock: Callable[[], dt.datetime],
    result: DrainResult,
) -> None:
    from messaging.channels import email_delivered, send_email

    candidates = Digest.objects.filter(
        Q(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED], next_attempt_at__isnull=True)
        | Q(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED], next_attempt_at__lte=now)
        | Q(status=OutboxStatus.SENDING, leased_until__lt=now)
    ).values_list("pk", flat=True)
    for digest_id in list(candidates):
        digest = _lease(digest_id, clock())
        if digest is None:
            continue
        rows = list(digest.items.order_by("pk"))
        # An earlier attempt may have reached the mail server: a worker died holding it, or a
        # send failed (a timeout can come after the server stored the email).
        if digest.interrupted or digest.attempts > 1:  # type: ignore[attr-defined]
            delivered = email_delivered(digest.message_id)
            if delivered is True:
                _mark_digest(digest, rows, OutboxStatus.SENT, now)
                result.reconciled += 1
                continue
            if delivered is None and digest.interrupted:  # type: ignore[attr-defined]
                # A failed send is tried again; one whose worker died is left to a person.
                _mark_digest(digest, rows, OutboxStatus.DEAD, now,
                             error="Отправка прервана; неизвестно, дошло ли письмо. Проверьте и повторите вручную.")  # fmt: skip
                continue
        user = User.objects.filter(pk=digest.recipient_id).first()
        if user is None or not user.email or not rows:
            _mark_digest(
                digest,
                rows,
                OutboxStatus.DEAD if rows else OutboxStatus.SENT,
                now,
                error="нет адреса",
            )
            continue
        unsubscribe_url = _unsubscribe_url(user.pk)
        subject, body = _digest_text(digest, rows, organization, unsubscribe_url)
        try:
            send_email(to=user.email, subject=subject, body=body, message_id=digest.message_id,
                       unsubscribe_url=unsubscribe_url, timeout=send_timeout())  # fmt: skip
        except Exception as error:  # any transport failure: retry later
            status = OutboxStatus.DEAD if digest.attempts >= MAX_ATTEMPTS else OutboxStatus.FAILED
            Digest.objects.filter(pk=digest.pk).update(
                status=status, last_error=str(error)[:1000], next_attempt_at=now + backoff(digest.attempts),
                leased_until=None,
            )  # fmt: skip
            Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(
                attempts=digest.attempts, last_error=str(error)[:1000],
                status=OutboxStatus.DEAD if status == OutboxStatus.DEAD else OutboxStatus.PENDING,
            )  # fmt: skip
            result.failed += 1
            result.errors.append(str(error))
            continue
        _mark_digest(digest, rows, OutboxStatus.SENT, now)
        result.emails += 1


def _mark_digest(
    digest: Digest, rows: list[Outbox], status: str, now: dt.datetime, error: str = ""
) -> None:
    # Lost in a crash, the digest stays «sending» under its lease, and reconciliation with the
    # mail store settles it: the outcome never depends on this commit reaching the disk.
    with recomputable_transaction():
        Digest.objects.filter(pk=digest.pk).update(
            status=status, sent_at=now if status == OutboxStatus.SENT else None, leased_until=None,
            last_error=error,
        )  # fmt: skip
        Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=status, sent_at=now if status == OutboxStatus.SENT else None, last_error=error
        )


def _send_messenger(
    organization: Organization,
    now: dt.datetime,
    clock: Callable[[], dt.datetime],
    batch: int,
    result: DrainResult,
) -> None:
    """One short message per person per drain, with no personal data: a count and a link."""
    from messaging.channels import messenger, messenger_text
    from messaging.models import Preference

    adapter = messenger(timeout=send_timeout())
    rows = list(
        Outbox.objects.filter(_due(now), channel=Channel.MESSENGER, status__in=[OutboxStatus.PENDING,
                                                                                  OutboxStatus.FAILED])[:batch]
    )  # fmt: skip
    if not rows:
        return
    if adapter is None:
        Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(status=OutboxStatus.DEAD,
                                                                  last_error="мессенджер не настроен")  # fmt: skip
        return
    by_user: dict[int, list[Outbox]] = {}
    for row in rows:
        by_user.setdefault(row.recipient_id, []).append(row)
    base = site_url(slug=organization.slug)
    for user_id, user_rows in by_user.items():
        ids = _lease_messages([r.pk for r in user_rows], clock())
        if not ids:
            continue  # another worker holds them
        chat = Preference.of(user_id).messenger_chat
        try:
            adapter.send(chat=chat, text=messenger_text(len(ids), f"{base}/notifications/"))
        except Exception as error:
            attempts = max(r.attempts for r in user_rows) + 1
            if _timed_out(error):  # asked and never answered: it may have arrived
                Outbox.objects.filter(pk__in=ids).update(
                    status=OutboxStatus.DEAD, attempts=attempts, leased_until=None,
                    last_error=INTERRUPTED_MESSAGE,
                )  # fmt: skip
                result.failed += 1
                continue
            Outbox.objects.filter(pk__in=ids).update(
                status=OutboxStatus.DEAD if attempts >= MAX_ATTEMPTS else OutboxStatus.FAILED, attempts=attempts,
                next_attempt_at=now + backoff(attempts), last_error=str(error)[:1000], leased_until=None,
            )  # fmt: skip
            result.failed += 1
            continue
        Outbox.objects.filter(pk__in=ids).update(
            status=OutboxStatus.SENT, sent_at=now, leased_until=None
        )
        result.messenger += 1


def _timed_out(error: BaseException) -> bool:
    """A bot API that did not answer in time: whether the message arrived is unknown. A timeout
    while connecting (urllib wraps it in URLError) counts too: it cannot be told apart safely."""
    return isinstance(error, TimeoutError) or isinstance(
        getattr(error, "reason", None), TimeoutError
    )


def _lease_messages(ids: list[int], now: dt.datetime) -> list[int]:
    """Take a person's waiting messages for sending: «sending» under a lease, committed (and on
    disk: an ordinary commit) before the message leaves. What another worker took is skipped."""
    with transaction.atomic():
        held = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
            .values_list("pk", flat=True)
        )
        Outbox.objects.filter(pk__in=held).update(
            status=OutboxStatus.SENDING, leased_until=now + lease_time()
        )
    return held


INTERRUPTED_MESSAGE = (
    "Отправка в мессенджер прервана: неизвестно, дошло ли сообщение. Повторно не отправляется, "
    "чтобы не прислать его дважды; напоминания есть в разделе уведомлений на сайте."
)


def _settle_interrupted_messages(now: dt.datetime) -> None:
    """A messenger message whose worker died while sending: the bot API cannot be asked whether
    it arrived, so it is never sent again (at most once) and the operator sees why."""
    Outbox.objects.filter(
        channel=Channel.MESSENGER, status=OutboxStatus.SENDING, leased_until__lt=now
    ).update(status=OutboxStatus.DEAD, leased_until=None, last_error=INTERRUPTED_MESSAGE)
