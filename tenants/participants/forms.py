"""Forms of the banks' pages."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import DateInput
from core.uploads import UploadField
from tenants.participants.importing import UPLOAD
from tenants.participants.models import (
    BankRole,
    Category,
    ConsentKind,
    MenteeReason,
    MentoringForm,
    Participant,
    ProfileField,
    Question,
    QuestionKind,
    Relation,
)
from tenants.participants.services import ParticipantData, split_tags


class TagsField(forms.CharField):
    """A list typed as «ИКТ; работа с родителями; ОГЭ»."""

    def prepare_value(self, value: Any) -> Any:
        return "; ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_tags(super().to_python(value) or "")


class ParticipantForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    birth_date = forms.DateField(label="Дата рождения", required=False, widget=DateInput())
    category = forms.ChoiceField(label="Категория", choices=Category.choices)
    bank_role = forms.ChoiceField(label="Роль в базе", choices=BankRole.choices)
    class_group = forms.CharField(label="Класс / группа", max_length=30, required=False)
    position = forms.CharField(label="Должность", max_length=150, required=False)
    subject = forms.CharField(label="Предмет", max_length=150, required=False)
    phone = forms.CharField(label="Телефон", max_length=40, required=False)
    email = forms.EmailField(label="Email", required=False)
    is_external = forms.BooleanField(
        label="Внешний участник (не работает и не учится в организации)", required=False
    )
    workplace = forms.CharField(label="Место работы / учёбы", max_length=300, required=False)
    agreement_number = forms.CharField(
        label="Договор о сотрудничестве №", max_length=50, required=False
    )
    agreement_date = forms.DateField(label="Дата договора", required=False, widget=DateInput())
    agreement_scan = forms.FileField(
        label="Скан договора о сотрудничестве (PDF, JPG, PNG)", required=False
    )
    reasons = forms.MultipleChoiceField(
        label="Основания (для наставляемых)", choices=MenteeReason.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="«ОВЗ» — только при письменном согласии на обработку сведений о здоровье.",
    )  # fmt: skip
    requests = TagsField(label="Запросы", required=False, help_text="Через точку с запятой.")
    requests_text = forms.CharField(
        label="Запросы подробно", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    difficulties = TagsField(label="Профессиональные затруднения", required=False)
    difficulties_text = forms.CharField(
        label="Затруднения подробно", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    competencies = TagsField(label="Компетенции (для наставников)", required=False)
    experience = forms.CharField(
        label="Опыт", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    offer = forms.CharField(
        label="Чем может быть полезен", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    capacity = forms.IntegerField(
        label="Наставляемых не более", min_value=0, max_value=30, initial=1
    )
    availability = forms.CharField(label="Когда может встречаться", max_length=300, required=False)
    forms = forms.MultipleChoiceField(
        label="Формы наставничества", choices=MentoringForm.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def data_object(self) -> ParticipantData:
        values = dict(self.cleaned_data)
        values.pop("agreement_scan", None)
        values["capacity"] = values.get("capacity") or 0
        return ParticipantData(**values)

    @classmethod
    def initial_of(cls, participant: Participant) -> dict[str, Any]:
        return {
            name: getattr(participant, name) for name in cls.base_fields if name != "agreement_scan"
        }


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label="Вид согласия", choices=ConsentKind.choices)
    signed_on = forms.DateField(label="Дата подписания", widget=DateInput())
    valid_until = forms.DateField(label="Действует до", required=False, widget=DateInput())
    representative_name = forms.CharField(
        label="ФИО родителя (законного представителя)", required=False, max_length=300,
        help_text="Обязательно, если участник несовершеннолетний.",
    )  # fmt: skip
    representative_relation = forms.ChoiceField(
        label="Кем приходится", choices=[("", "—"), *Relation.choices], required=False
    )
    form_version = forms.CharField(label="Версия формы", max_length=30, initial="2025-1")
    scan = forms.FileField(label="Скан подписанного согласия (PDF, JPG, PNG)", required=False)


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label="Дата отзыва", widget=DateInput())
    reason = forms.CharField(
        label="Основание", max_length=300, initial="заявление об отзыве согласия"
    )


class ImportForm(forms.Form):
    file = UploadField(policy=UPLOAD, label="Файл XLSX или CSV (до 5 МБ, до 5 000 строк)")


class QuestionForm(forms.ModelForm):
    choices = TagsField(label="Варианты ответа", required=False, help_text="Через точку с запятой.")

    class Meta:
        model = Question
        fields = ["text", "kind", "choices", "profile_field", "required"]
        widgets = {
            "kind": forms.Select(choices=QuestionKind.choices),
            "profile_field": forms.Select(choices=ProfileField.choices),
        }
