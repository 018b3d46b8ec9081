"""Writes to the roadmap: creating from templates, editing, progress, import, rollover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from core import uploads
from organizations.models import Organization
from tenants.roadmap.catalogue import TEMPLATE_FOR_KIND, TEMPLATES, TemplateItem
from tenants.roadmap.deadlines import Occurrence, parse_deadline
from tenants.roadmap.importing import ParsedRoadmap, person_key, split_people
from tenants.roadmap.models import (
    OPEN_STATUSES,
    ChangeKind,
    Evidence,
    ItemChange,
    ItemOccurrence,
    ItemStatus,
    Roadmap,
    RoadmapItem,
)
from tenants.roadmap.stages import suggest_stage

# Evidence of an item done: приказы, протоколы, photos, tables, an archive of several.
EVIDENCE_UPLOAD = uploads.UploadPolicy(
    what="документ",
    kinds=frozenset({
        uploads.Kind.PDF, uploads.Kind.DOC, uploads.Kind.DOCX, uploads.Kind.ODT, uploads.Kind.XLS,
        uploads.Kind.XLSX, uploads.Kind.ODS, uploads.Kind.JPEG, uploads.Kind.PNG,
        uploads.Kind.TEXT, uploads.Kind.RTF, uploads.Kind.ZIP,
    }),
    max_bytes=20 * uploads.MB,
    # Evidence is stored, not unpacked; an archive of scans may unpack large.
    max_unpacked_bytes=200 * uploads.MB,
)  # fmt: skip

EDITABLE_FIELDS = (
    "number", "title", "stage", "content", "deadline_text", "responsible_text", "expected_result",
    "indicators", "recommended_acts", "comment",
)  # fmt: skip
FIELD_LABELS = {
    "number": "№",
    "title": "наименование",
    "stage": "этап целевой модели",
    "content": "содержание",
    "deadline_text": "сроки",
    "responsible_text": "ответственные",
    "expected_result": "ожидаемый результат",
    "indicators": "показатели",
    "recommended_acts": "ЛНА",
    "comment": "комментарий",
    "status": "статус",
    "completed_on": "дата выполнения",
    "order_number": "номер приказа",
    "order_date": "дата приказа",
    "protocol": "протокол",
}


def academic_year_title(year: int) -> str:
    return f"{year}/{year + 1}"


# Dates -----------------------------------------------------------------------------------------


def _schedule_fields(item: RoadmapItem, organization: Organization) -> list[Occurrence]:
    """Set the parsed deadline and its span on an (unsaved) item; return its dates."""
    deadline = parse_deadline(item.deadline_text)
    item.deadline = deadline.as_json()
    item.deadline_readable = deadline.readable or not item.deadline_text.strip()
    occurrences = deadline.occurrences(
        item.roadmap.academic_year,
        program_start=item.roadmap.program_start,
        year_start=organization.academic_year_start,
    )
    starts = [day for o in occurrences if (day := o.start or o.due) is not None]
    dues = [o.due for o in occurrences if o.due is not None]
    item.starts_on = min(starts) if starts else None
    item.due_on = max(dues) if dues else None
    return occurrences


def _occurrence_rows(item: RoadmapItem, occurrences: list[Occurrence]) -> list[ItemOccurrence]:
    return [
        ItemOccurrence(
            item=item, position=index, starts_on=o.start, due_on=o.due, label=o.label[:300]
        )
        for index, o in enumerate(occurrences)
        if o.due is not None
    ]


def item_schedule(*, item: RoadmapItem, organization: Organization) -> None:
    """Parse the deadline text and store its dates in the roadmap's academic year."""
    occurrences = _schedule_fields(item, organization)
    if item.pk:
        item.occurrences.all().delete()
    item.save()
    ItemOccurrence.objects.bulk_create(_occurrence_rows(item, occurrences))


def item_change_record(
    *,
    item: RoadmapItem,
    kind: ChangeKind,
    user: User | None,
    text: str,
    changes: dict[str, Any] | None = None,
) -> ItemChange:
    """One entry of the item's history: typed for code, worded for people."""
    return ItemChange.objects.create(
        item=item, roadmap_id=item.roadmap_id, item_label=item_label(item), kind=kind, user=user,
        summary=text[:500], changes=changes or {},
    )  # fmt: skip


def item_label(item: RoadmapItem) -> str:
    """How the history names the item once it is gone: «2.3. Анкетирование наставляемых»."""
    number = f"{item.number}. " if item.number else ""
    return (number + " ".join(item.title.split()))[:300]


def _deletions_record(items: list[RoadmapItem], user: User | None, why: str) -> None:
    """The deletion as the last entry of each item's history, with what the item held."""
    ItemChange.objects.bulk_create(
        ItemChange(
            item=item, roadmap_id=item.roadmap_id, item_label=item_label(item), user=user,
            kind=ChangeKind.DELETED, summary=why,
            changes={"deleted": {key: str(getattr(item, key)) for key in DELETION_SNAPSHOT}},
        )
        for item in items
    )  # fmt: skip


DELETION_SNAPSHOT = ("number", "title", "deadline_text", "responsible_text", "status", "due_on")


def _log(
    item: RoadmapItem, user: User | None, kind: ChangeKind, text: str, changes: dict[str, Any]
) -> None:
    item_change_record(item=item, kind=kind, user=user, text=text, changes=changes)


# Responsible people ----------------------------------------------------------------------------


# Positions written in roadmaps → the membership role that holds them.
ROLE_WORDS = (
    ("куратор", Role.COORDINATOR),
    ("координатор", Role.COORDINATOR),
    ("директор", Role.DIRECTOR),
    ("заведующ", Role.DIRECTOR),
    ("руководител", Role.DIRECTOR),
    ("наставник", Role.MENTOR),
)


Members = list[tuple[User, str]]


def _members(organization: Organization) -> Members:
    return [
        (m.user, m.role)
        for m in Membership.objects.filter(organization_id=organization.pk).select_related("user")
    ]


def _match_people(text: str, members: Members) -> list[User]:
    people = split_people(text)
    keys = {key for name in people if (key := person_key(name))}
    roles = {
        role
        for name in people
        if person_key(name) is None and not name.lower().startswith("заместител")
        for word, role in ROLE_WORDS
        if name.lower().startswith(word)
    }
    matched: dict[int, User] = {}
    for user, role in members:
        initials = (user.first_name[:1] + user.patronymic[:1]).lower()
        if (user.last_name.lower(), initials) in keys or role in roles:
            matched[user.pk] = user
    return list(matched.values())


def responsible_users_for(*, text: str, organization: Organization) -> list[User]:
    """Members named in the text by surname and initials, or by position («куратор»)."""
    return _match_people(text, _members(organization)) if text.strip() else []


def roadmap_relink_responsible(*, roadmap: Roadmap, organization: Organization) -> None:
    """Match every item's responsible text to the members again (after roles changed)."""
    for item in roadmap.items.filter(is_stage=False):
        _link_responsible(item, organization)


def _link_responsible(item: RoadmapItem, organization: Organization) -> None:
    item.responsible_users.set(
        responsible_users_for(text=item.responsible_text, organization=organization)
    )


# Creating --------------------------------------------------------------------------------------


def _renumber(roadmap: Roadmap) -> None:
    """Positions follow the tree: a stage, then its items, then the next stage."""
    items = list(roadmap.items.order_by("position", "id"))
    children: dict[int | None, list[RoadmapItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    ordered: list[RoadmapItem] = []

    def walk(parent_id: int | None) -> None:
        for child in children.get(parent_id, []):
            ordered.append(child)
            walk(child.pk)

    walk(None)
    for position, item in enumerate(ordered):
        item.position = position
    RoadmapItem.objects.bulk_update(ordered, ["position"])


def _create_items(
    *, roadmap: Roadmap, organization: Organization, items: Iterable[TemplateItem]
) -> None:
    """Template items in a handful of queries: stages, their items, dates, responsible people."""
    plan: list[tuple[RoadmapItem, int | None]] = []  # (item, index of its stage in plan)
    for index, template in enumerate(items, start=1):
        section = _from_template(roadmap, template, str(index), len(plan), parent_stage="")
        plan.append((section, None))
        stage_index = len(plan) - 1
        for child_index, child in enumerate(template.children, start=1):
            item = _from_template(roadmap, child, f"{index}.{child_index}", len(plan),
                                  parent_stage=section.stage)  # fmt: skip
            plan.append((item, stage_index))
    dates = [_schedule_fields(item, organization) for item, _ in plan]
    RoadmapItem.objects.bulk_create([item for item, parent in plan if parent is None])
    for item, parent in plan:
        if parent is not None:
            item.parent = plan[parent][0]
    RoadmapItem.objects.bulk_create([item for item, parent in plan if parent is not None])
    ItemOccurrence.objects.bulk_create(
        [
            row
            for (item, _), found in zip(plan, dates, strict=True)
            for row in _occurrence_rows(item, found)
        ]
    )
    members = _members(organization)
    through = RoadmapItem.responsible_users.through
    through.objects.bulk_create(
        [
            through(roadmapitem_id=item.pk, user_id=user.pk)
            for item, _ in plan
            for user in (_match_people(item.responsible_text, members) if members else [])
        ]
    )


def _from_template(
    roadmap: Roadmap, template: TemplateItem, number: str, position: int, *, parent_stage: str
) -> RoadmapItem:
    return RoadmapItem(
        roadmap=roadmap,
        is_stage=bool(template.children),
        position=position,
        number=number,
        title=template.title,
        stage=suggest_stage(template.title, parent_stage=parent_stage),
        content=template.content,
        deadline_text=template.deadline,
        responsible_text=template.responsible,
        expected_result=template.expected_result,
        indicators=template.indicators,
        recommended_acts=template.recommended_acts,
    )


@transaction.atomic
def roadmap_create(
    *,
    organization: Organization,
    academic_year: int,
    template_code: str | None = None,
    title: str = "",
) -> Roadmap:
    """A roadmap for the year, filled from the template of the organisation's kind (or none)."""
    if Roadmap.objects.filter(academic_year=academic_year).exists():
        raise ValidationError(
            f"Дорожная карта на {academic_year_title(academic_year)} учебный год уже есть."
        )
    code = (
        TEMPLATE_FOR_KIND.get(organization.kind, "school")
        if template_code is None
        else template_code
    )
    template = TEMPLATES.get(code) if code else None
    if code and template is None:
        raise ValidationError(f"Нет шаблона «{code}».")
    roadmap = Roadmap.objects.create(
        academic_year=academic_year,
        title=title or (template.title if template else "Дорожная карта"),
        template_code=code or "",
    )
    if template is not None:
        _create_items(roadmap=roadmap, organization=organization, items=template.items)
    return roadmap


@transaction.atomic
def roadmap_item_create(
    *,
    roadmap: Roadmap,
    organization: Organization,
    user: User | None,
    title: str,
    parent: RoadmapItem | None = None,
    is_stage: bool = False,
    **fields: Any,
) -> RoadmapItem:
    if not title.strip():
        raise ValidationError({"title": "Укажите наименование."})
    last = roadmap.items.order_by("-position").first()
    item = RoadmapItem(
        roadmap=roadmap,
        parent=parent,
        is_stage=is_stage,
        position=(last.position + 1) if last else 0,
        title=title.strip(),
        **{key: value for key, value in fields.items() if key in EDITABLE_FIELDS},
    )
    if not fields.get("stage"):
        item.stage = suggest_stage(item.title, parent_stage=parent.stage if parent else "")
    if not item.number:
        item.number = str(roadmap.items.filter(parent=parent).count() + 1)
        if parent is not None:
            item.number = f"{parent.number}.{item.number}"
    item_schedule(item=item, organization=organization)
    _link_responsible(item, organization)
    _renumber(roadmap)
    _log(item, user, ChangeKind.ADDED, "Пункт добавлен", {})
    return item


@transaction.atomic
def roadmap_item_update(
    *, item: RoadmapItem, organization: Organization, user: User | None, **fields: Any
) -> RoadmapItem:
    changes: dict[str, list[Any]] = {}
    if "stage" in fields and not fields["stage"]:  # «подобрать по наименованию»
        parent_stage = item.parent.stage if item.parent else ""
        fields["stage"] = suggest_stage(
            fields.get("title") or item.title, parent_stage=parent_stage
        )
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValueError(f"{key} is not editable here")
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        if getattr(item, key) != value:
            changes[key] = [getattr(item, key), value]
            setattr(item, key, value)
    if "title" in changes and not item.title:
        raise ValidationError({"title": "Укажите наименование."})
    if not changes:
        return item
    if "deadline_text" in changes:
        item_schedule(item=item, organization=organization)
    else:
        item.save()
    if "responsible_text" in changes:
        _link_responsible(item, organization)
    _log(
        item,
        user,
        ChangeKind.EDITED,
        "Изменено: " + ", ".join(FIELD_LABELS[k] for k in changes),
        changes,
    )
    return item


def _validate_files(files: Sequence[UploadedFile]) -> None:
    for upload in files:
        try:
            uploads.validate(upload, EVIDENCE_UPLOAD)
        except uploads.UploadRefused as refusal:
            raise ValidationError({"files": refusal.messages}) from None


@transaction.atomic
def roadmap_item_set_status(
    *,
    item: RoadmapItem,
    user: User | None,
    status: str,
    completed_on: dt.date | None = None,
    order_number: str = "",
    order_date: dt.date | None = None,
    protocol: str = "",
    comment: str = "",
    files: Sequence[UploadedFile] = (),
    today: dt.date | None = None,
) -> RoadmapItem:
    """Change the status, with the evidence for it; the history records who and what."""
    if item.is_stage:
        raise ValidationError("Статус ставится пунктам, а не разделам.")
    if status not in ItemStatus.values:
        raise ValidationError({"status": "Неизвестный статус."})
    _validate_files(files)
    today = today or timezone.localdate()
    if status == ItemStatus.DONE:
        completed_on = completed_on or today
        if completed_on > today:
            raise ValidationError({"completed_on": "Дата выполнения не может быть в будущем."})
    else:
        completed_on = None
    if order_date and order_date > today:
        raise ValidationError({"order_date": "Дата приказа не может быть в будущем."})
    before = {
        "status": item.status,
        "completed_on": item.completed_on,
        "order_number": item.order_number,
        "order_date": item.order_date,
        "protocol": item.protocol,
    }
    item.status = status
    item.completed_on = completed_on
    item.order_number = order_number.strip() or item.order_number
    item.order_date = order_date or item.order_date
    item.protocol = protocol.strip() or item.protocol
    if comment.strip():
        item.comment = comment.strip()
    item.save()
    after = {key: getattr(item, key) for key in before}
    changes = {
        key: [_plain(before[key]), _plain(after[key])]
        for key in before
        if before[key] != after[key]
    }
    names = []
    for upload in files:
        Evidence.objects.create(
            item=item, file=upload, name=upload.name or "файл", uploaded_by=user
        )
        names.append(upload.name)
    summary = []
    if "status" in changes:
        summary.append(
            f"Статус: {ItemStatus(str(before['status'])).label} → {ItemStatus(status).label}"
        )
    if names:
        summary.append("Приложены документы: " + ", ".join(f"«{n}»" for n in names))
    if comment.strip():
        summary.append(f"Комментарий: {comment.strip()}")
    other = [FIELD_LABELS[k] for k in changes if k != "status"]
    if other:
        summary.append("Изменено: " + ", ".join(other))
    if summary:
        _log(item, user, ChangeKind.STATUS, "; ".join(summary), {**changes, "files": names})
    return item


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def roadmap_item_move(*, item: RoadmapItem, offset: int, user: User | None) -> None:
    """Move an item (a stage with its items) up or down among its siblings."""
    siblings = list(item.roadmap.items.filter(parent=item.parent).order_by("position", "id"))
    index = siblings.index(item)
    target = max(0, min(len(siblings) - 1, index + offset))
    if target == index:
        return
    siblings.insert(target, siblings.pop(index))
    # Give siblings spaced positions in their new order; _renumber then rebuilds the tree order.
    for rank, sibling in enumerate(siblings):
        sibling.position = rank * 1000
    RoadmapItem.objects.bulk_update(siblings, ["position"])
    for sibling in siblings:
        sibling.children.update(position=sibling.position + 1)
    _renumber(item.roadmap)
    _log(item, user, ChangeKind.MOVED, "Пункт перемещён " + ("выше" if offset < 0 else "ниже"), {})


@transaction.atomic
@transaction.atomic
def roadmap_item_delete(*, item: RoadmapItem, user: User | None = None) -> None:
    """Delete an item (a stage with its items); their history stays under the roadmap."""
    roadmap = item.roadmap
    doomed, parents = [item], [item.pk]
    while parents:  # a stage's items, and theirs
        below = list(RoadmapItem.objects.filter(parent__in=parents))
        doomed += below
        parents = [child.pk for child in below]
    _deletions_record(
        doomed, user, "Пункт удалён" if len(doomed) == 1 else "Удалён вместе с разделом"
    )
    item.delete()
    _renumber(roadmap)


@transaction.atomic
def roadmap_update(
    *,
    roadmap: Roadmap,
    organization: Organization,
    title: str,
    approval: str = "",
    program_start: dt.date | None = None,
) -> Roadmap:
    """Title, approval (приказ) and the program start; a new start moves relative deadlines."""
    if not title.strip():
        raise ValidationError({"title": "Укажите название дорожной карты."})
    start_changed = roadmap.program_start != program_start
    roadmap.title, roadmap.approval, roadmap.program_start = (
        title.strip(),
        approval.strip(),
        program_start,
    )
    roadmap.save()
    if start_changed:
        for item in roadmap.items.filter(is_stage=False):
            item.roadmap = roadmap
            item_schedule(item=item, organization=organization)
    return roadmap


# Import ----------------------------------------------------------------------------------------


@transaction.atomic
def roadmap_import(
    *,
    roadmap: Roadmap,
    parsed: ParsedRoadmap,
    organization: Organization,
    user: User | None,
    replace: bool = False,
) -> list[RoadmapItem]:
    """Create the parsed items (their stages too); with `replace`, the old items go first."""
    if replace:
        _deletions_record(
            list(roadmap.items.all()), user, "Удалён: дорожная карта заменена загруженным файлом"
        )
        roadmap.items.all().delete()
    last = roadmap.items.order_by("-position").first()
    position = (last.position + 1) if last else 0
    stages: dict[str, RoadmapItem] = {}
    created: list[RoadmapItem] = []
    for parsed_item in parsed.items:
        parent = None
        if parsed_item.stage:
            parent = stages.get(parsed_item.stage)
            if parent is None:
                parent = RoadmapItem.objects.create(
                    roadmap=roadmap,
                    is_stage=True,
                    position=position,
                    number="",
                    title=parsed_item.stage,
                    stage=suggest_stage(parsed_item.stage),
                )
                position += 1
                stages[parsed_item.stage] = parent
        item = RoadmapItem(
            roadmap=roadmap,
            parent=parent,
            position=position,
            number=parsed_item.number,
            title=parsed_item.title or "(без наименования)",
            stage=suggest_stage(parsed_item.title, parent_stage=parent.stage if parent else ""),
            content=parsed_item.content,
            deadline_text=parsed_item.deadline_text[:500],
            responsible_text=parsed_item.responsible_text,
            expected_result=parsed_item.expected_result,
            indicators=parsed_item.indicators,
            recommended_acts=parsed_item.recommended_acts,
        )
        position += 1
        item_schedule(item=item, organization=organization)
        _link_responsible(item, organization)
        _log(item, user, ChangeKind.IMPORTED, "Пункт загружен из файла", {"row": parsed_item.row})
        created.append(item)
    _renumber(roadmap)
    return created


# Rollover --------------------------------------------------------------------------------------


@transaction.atomic
def roadmap_rollover(
    *, roadmap: Roadmap, organization: Organization, user: User | None, carry_unfinished: bool
) -> Roadmap:
    """The next academic year's roadmap: recurring items anew, unfinished ones on request."""
    year = roadmap.academic_year + 1
    if Roadmap.objects.filter(academic_year=year).exists():
        raise ValidationError(f"Дорожная карта на {academic_year_title(year)} уже есть.")
    new = Roadmap.objects.create(
        academic_year=year,
        title=roadmap.title,
        template_code=roadmap.template_code,
        program_start=(
            roadmap.program_start.replace(year=roadmap.program_start.year + 1)
            if roadmap.program_start
            else None
        ),
    )
    copies: dict[int, RoadmapItem] = {}
    carried = 0
    for item in roadmap.items.order_by("position").prefetch_related("responsible_users"):
        recurring = parse_deadline(item.deadline_text).recurring
        unfinished = item.status in OPEN_STATUSES
        if not item.is_stage and not recurring and not (carry_unfinished and unfinished):
            continue
        copy = RoadmapItem(
            roadmap=new,
            parent=copies.get(item.parent_id) if item.parent_id else None,
            is_stage=item.is_stage,
            position=item.position,
            number=item.number,
            title=item.title,
            stage=item.stage,
            content=item.content,
            deadline_text=item.deadline_text,
            responsible_text=item.responsible_text,
            expected_result=item.expected_result,
            indicators=item.indicators,
            recommended_acts=item.recommended_acts,
            status=item.status if (unfinished and not recurring) else ItemStatus.PLANNED,
        )
        item_schedule(item=copy, organization=organization)
        copy.responsible_users.set(item.responsible_users.all())
        copies[item.pk] = copy
        if not item.is_stage:
            if recurring:
                _log(
                    copy,
                    user,
                    ChangeKind.RECURRED,
                    f"Повторяется ежегодно: из {roadmap.academic_year_label}",
                    {},
                )
            else:
                carried += 1
                _log(
                    copy,
                    user,
                    ChangeKind.CARRIED,
                    f"Перенесён невыполненным из {roadmap.academic_year_label}",
                    {},
                )
    # Stages left without items are not worth keeping.
    for stage in [c for c in copies.values() if c.is_stage]:
        if not stage.children.exists():
            stage.delete()
    _renumber(new)
    return new
