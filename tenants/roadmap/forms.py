"""Forms of the roadmap pages."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import DateInput
from core.uploads import UploadField
from tenants.roadmap.catalogue import TEMPLATES
from tenants.roadmap.importing import UPLOAD
from tenants.roadmap.models import ItemStatus, RoadmapItem
from tenants.roadmap.stages import Stage


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ItemForm(forms.ModelForm):
    stage = forms.ChoiceField(
        label="Этап целевой модели",
        required=False,
        choices=[("", "подобрать по наименованию"), *Stage.choices],
        help_text="Под этим этапом пункт учитывается в мониторинге муниципалитета и региона "
        "(наименование пункта туда не передаётся).",
    )

    class Meta:
        model = RoadmapItem
        fields = [
            "number", "title", "stage", "content", "deadline_text", "responsible_text",
            "expected_result", "indicators", "recommended_acts", "comment",
        ]  # fmt: skip
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "content": forms.Textarea(attrs={"rows": 3}),
            "responsible_text": forms.Textarea(attrs={"rows": 2}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "indicators": forms.Textarea(attrs={"rows": 2}),
            "recommended_acts": forms.Textarea(attrs={"rows": 2}),
            "comment": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "deadline_text": "Как в документе: «До 10.09. ежегодно», «Сентябрь-май», «В течение "
            "первого месяца», «по мере необходимости».",
            "responsible_text": "ФИО или должности: «Н.Г. Рогожникова, куратор».",
        }


class NewItemForm(ItemForm):
    parent = forms.ModelChoiceField(
        queryset=RoadmapItem.objects.none(), required=False, label="Раздел (этап)"
    )
    is_stage = forms.BooleanField(required=False, label="Это раздел, а не мероприятие")

    def __init__(self, *args: Any, roadmap: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if roadmap is not None:
            parent_field = self.fields["parent"]
            assert isinstance(parent_field, forms.ModelChoiceField)
            parent_field.queryset = roadmap.items.filter(is_stage=True).order_by("position")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Статус", choices=ItemStatus.choices)
    completed_on = forms.DateField(label="Дата выполнения", required=False, widget=DateInput())
    order_number = forms.CharField(label="Приказ №", required=False, max_length=50)
    order_date = forms.DateField(label="от", required=False, widget=DateInput())
    protocol = forms.CharField(
        label="Протокол",
        required=False,
        max_length=200,
        help_text="Например: протокол педсовета № 1 от 30.08.2025",
    )
    comment = forms.CharField(
        label="Комментарий", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Named like BaseForm.files (the uploads); the form field shadows it on purpose.
    files = MultipleFileField(label="Подтверждающие документы", required=False)  # type: ignore[assignment]


class ImportForm(forms.Form):
    file = UploadField(
        policy=UPLOAD, label="Файл DOCX или TXT (до 10 МБ, до 300 пунктов)", required=False
    )
    text = forms.CharField(
        label="…или вставьте таблицу из Word",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "№\tМероприятие\tСроки\tОтветственный"}
        ),
    )
    replace = forms.BooleanField(
        label="Заменить текущие пункты дорожной карты (иначе — добавить к ним)", required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "file" not in self.errors
            and not data.get("file")
            and not (data.get("text") or "").strip()
        ):
            raise forms.ValidationError("Выберите файл или вставьте текст таблицы.")
        return data


class CreateRoadmapForm(forms.Form):
    template = forms.ChoiceField(
        label="Шаблон",
        choices=[("", "пустая дорожная карта")]
        + [(t.code, f"{t.title} — {t.source}") for t in TEMPLATES.values()],
        required=False,
    )


class RoadmapSettingsForm(forms.Form):
    title = forms.CharField(label="Название", max_length=300)
    approval = forms.CharField(
        label="Утверждена",
        max_length=300,
        required=False,
        help_text="Например: приказ № 48 от 31.08.2025",
    )
    program_start = forms.DateField(
        label="Начало программы наставничества",
        required=False,
        widget=DateInput(),
        help_text="От этой даты считаются сроки «В течение первого месяца» и подобные; "
        "если не указано — с начала учебного года.",
    )


class RolloverForm(forms.Form):
    carry_unfinished = forms.BooleanField(
        label="Перенести невыполненные пункты этого года", required=False, initial=True
    )
