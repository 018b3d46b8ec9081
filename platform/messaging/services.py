"""The municipal weekly digest: overdue roadmap items per organisation, counts only; the
unsubscribe address every email carries."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from core.links import site_url
from messaging.channels import email_delivered, send_email
from messaging.models import MunicipalDigest, OverdueSnapshot, Preference

DIGEST_WEEKDAY = 0  # Monday


def unsubscribe_url(*, user_id: int, channel: str = "email") -> str:
    """The person's one-click address on the regional host (List-Unsubscribe and the letter)."""
    token = Preference.of(user_id).unsubscribe_token
    path = reverse("unsubscribe", args=[token, channel], urlconf="config.urls_public")
    return site_url(path)


def _late_waves(municipality_id: int) -> list[tuple[str, int]]:
    """Organisations with monitoring waves past their last day (events, no people), from
    each one's latest rollup of its newest year."""
    from regional_dashboard.models import OrganizationRollup

    found: dict[int, tuple[str, int]] = {}
    rows = (
        OrganizationRollup.objects.filter(is_latest=True, organization__municipality_id=municipality_id,
                                          organization__is_active=True)
        .order_by("organization_id", "-academic_year")
        .values_list("organization_id", "organization__short_name", "waves_late")
    )  # fmt: skip
    for organization_id, name, count in rows:
        found.setdefault(organization_id, (name, count))
    return sorted(((n, c) for n, c in found.values() if c), key=lambda item: (-item[1], item[0]))


def municipal_digests_send(*, now: dt.datetime) -> int:
    """On Mondays (Moscow time), each municipal specialist gets one email for the week."""
    moscow = now.astimezone(dt.timezone(dt.timedelta(hours=3)))
    if moscow.weekday() != DIGEST_WEEKDAY or moscow.hour < 9:
        return 0
    year, week, _ = moscow.isocalendar()
    sent = 0
    specialists = Membership.objects.filter(role=Role.MUNICIPAL_SPECIALIST).select_related(
        "user", "municipality"
    )
    for membership in specialists:
        user, municipality = membership.user, membership.municipality
        assert municipality is not None
        key = f"municipal:{year}-W{week:02d}:{user.pk}:{municipality.pk}"
        snapshots = (
            OverdueSnapshot.objects.filter(organization__municipality=municipality, day__gte=moscow.date() - dt.timedelta(days=1))
            .select_related("organization")
            .order_by("-overdue_items", "organization__short_name")
        )  # fmt: skip
        latest: dict[int, OverdueSnapshot] = {}
        for snapshot in snapshots:
            latest.setdefault(snapshot.organization_id, snapshot)
        lines = [f"Просроченные пункты дорожных карт, {municipality.name}, неделя {week}:", ""]
        for snapshot in latest.values():
            lines.append(f"• {snapshot.organization.short_name}: {snapshot.overdue_items}")
        if not latest:
            lines.append("Данных за неделю нет.")
        late = _late_waves(municipality.pk)
        if late:
            lines += [
                "",
                "Волны мониторинга программ наставничества с опозданием (ответили не все):",
                "",
            ]
            lines += [f"• {name}: {count}" for name, count in late]
        try:
            with transaction.atomic():
                digest = MunicipalDigest.objects.create(
                    key=key, recipient=user, subject=f"Наставничество: просрочки по организациям, неделя {week}",
                    body="\n".join(lines),
                )  # fmt: skip
        except IntegrityError:
            digest = MunicipalDigest.objects.get(key=key)
        if digest.status == "sent" or not user.email:
            continue
        if not Preference.of(user.pk).email_enabled:
            continue  # unsubscribed: the digest stays pending, as reminders do
        message_id = f"<{key.replace(':', '-')}@cmn>"
        if digest.attempts and email_delivered(message_id):
            MunicipalDigest.objects.filter(pk=digest.pk).update(
                status="sent", sent_at=timezone.now()
            )
            continue
        MunicipalDigest.objects.filter(pk=digest.pk).update(attempts=digest.attempts + 1)
        link = unsubscribe_url(user_id=user.pk)
        try:
            send_email(to=user.email, subject=digest.subject, message_id=message_id,
                       body=f"{digest.body}\n\nОтписаться от писем: {link}", unsubscribe_url=link)  # fmt: skip
        except Exception as error:
            MunicipalDigest.objects.filter(pk=digest.pk).update(
                status="failed", last_error=str(error)[:1000]
            )
            continue
        MunicipalDigest.objects.filter(pk=digest.pk).update(status="sent", sent_at=timezone.now())
        sent += 1
    return sent
