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
from organizations.models import Municipality

DIGEST_WEEKDAY = 0  # Monday


def unsubscribe_url(*, user_id: int, channel: str = "email") -> str:
    """The person's one-click address on the regional host (List-Unsubscribe and the letter)."""
    token = Preference.of(user_id).unsubscribe_token
    path = reverse("unsubscribe", args=[token, channel], urlconf="config.urls_public")
    return site_url(path)


def _late_waves(municipality_id: int) -> list[tuple[str, str]]:
    """Organisations with monitoring waves past their last day, as the dashboard shows them:
    from the region's latest publication of its newest year («…» where withheld)."""
    from regional_dashboard.models import PublishedOrganization, RegionPublication

    municipality = Municipality.objects.get(pk=municipality_id)
    publication = (
        RegionPublication.objects.filter(region_id=municipality.region_id).order_by("-academic_year").first()
    )  # fmt: skip
    if publication is None:
        return []
    rows = PublishedOrganization.objects.filter(
        region_id=municipality.region_id, academic_year=publication.academic_year, day=publication.day,
        organization__municipality_id=municipality_id, organization__is_active=True,
    ).values_list("organization__short_name", "figures")  # fmt: skip
    found = []
    for name, figures in rows:
        late = figures.get("waves_late", 0)
        if late is None:
            found.append((name, "…"))
        elif late:
            found.append((name, str(late)))
    return sorted(found, key=lambda item: item[0])


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
