"""Forms of the route pages (teacher, curator, tutor)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from core.forms import DateInput
from core.uploads import UploadField
from tenants.routes.models import (
    ROUTE_YEARS,
    Activity,
    ChangeReason,
    CourseFormat,
    Deficit,
    ProductKind,
    Route,
    Section,
)
from tenants.routes.services import PRODUCT_UPLOAD, route_years_choices

YEARS_CHOICES = [(y, f"{y} года" if y < 5 else f"{y} лет") for y in ROUTE_YEARS]


class StartForm(forms.Form):
    started_on = forms.DateField(label="Начало маршрута", widget=DateInput())
    years = forms.TypedChoiceField(label="Срок", choices=YEARS_CHOICES, coerce=int, initial=5)
    position = forms.CharField(label="Должность", max_length=150, required=False)
    subject = forms.CharField(
        label="Предмет, направление деятельности", max_length=150, required=False
    )


class DescribeForm(forms.Form):
    desired_image = forms.CharField(
        label="Каким профессионалом я хочу стать",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Опишите идеальный, желаемый образ себя как состоявшегося профессионала: "
        "что вы умеете, чем известны коллегам, каких результатов добиваются ваши ученики.",
    )
    position = forms.CharField(label="Должность", max_length=150, required=False)
    subject = forms.CharField(
        label="Предмет, направление деятельности", max_length=150, required=False
    )
    years = forms.TypedChoiceField(label="Срок маршрута", choices=YEARS_CHOICES, coerce=int)


class DeficitForm(forms.Form):
    area = forms.ChoiceField(label="Направление")
    description = forms.CharField(
        label="В чём затруднение", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Конкретно: «не умею составлять задания функциональной грамотности», "
        "«затрудняюсь в общении с родителями конфликтных учеников».",
    )  # fmt: skip

    def __init__(
        self, *args: Any, areas: list[dict[str, Any]], initial_area: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            (a["code"], a["title"]) for a in areas
        ]
        if initial_area:
            self.fields["area"].initial = initial_area


class ReasonFields(forms.Form):
    """Why the roadmap changes (asked once it went to a reviewer)."""

    reason = forms.ChoiceField(
        label="Причина изменения", choices=[("", "—"), *ChangeReason.choices], required=False
    )
    reason_text = forms.CharField(label="Пояснение", max_length=1000, required=False)


class ActivityForm(forms.ModelForm):
    deficits = forms.ModelMultipleChoiceField(
        label="Против каких дефицитов", queryset=Deficit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    academic_year = forms.TypedChoiceField(label="Учебный год", coerce=int)
    reason = ReasonFields.base_fields["reason"]
    reason_text = ReasonFields.base_fields["reason_text"]

    class Meta:
        model = Activity
        fields = [
            "section", "title", "academic_year", "deadline_text", "expected_product", "deficits",
            "provider", "hours", "course_starts_on", "course_ends_on", "course_format", "certificate",
        ]  # fmt: skip
        labels = {"deadline_text": "Сроки"}
        help_texts = {
            "deadline_text": "Как в дорожной карте: «до 01.12.2026», «октябрь 2026», «в течение "
            "учебного года», «ежеквартально».",
            "provider": "Только для курсов ДПО: организация, объём, даты, форма, документ.",
        }
        widgets = {
            "course_starts_on": DateInput(),
            "course_ends_on": DateInput(),
            "title": forms.TextInput(),
        }

    def __init__(self, *args: Any, route: Route, ask_reason: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deficits = cast(forms.ModelMultipleChoiceField, self.fields["deficits"])
        deficits.queryset = route.deficits.filter(closed_on__isnull=True)
        cast(forms.ChoiceField, self.fields["academic_year"]).choices = route_years_choices(route)
        cast(forms.ChoiceField, self.fields["section"]).choices = Section.choices
        cast(forms.ChoiceField, self.fields["course_format"]).choices = [
            ("", "—"),
            *CourseFormat.choices,
        ]
        if not ask_reason:
            del self.fields["reason"], self.fields["reason_text"]


class ProductForm(forms.Form):
    product_kind = forms.ChoiceField(
        label="Вид продукта", choices=[("", "—"), *ProductKind.choices]
    )
    product_title = forms.CharField(label="Продукт (название)", max_length=500)
    product_file = UploadField(policy=PRODUCT_UPLOAD, label="Файл", required=False)
    product_link = forms.URLField(
        label="или ссылка", max_length=500, required=False, assume_scheme="https"
    )
    done_on = forms.DateField(label="Дата выполнения", widget=DateInput())
    attitude = forms.CharField(
        label="Моё отношение к достигнутому результату", widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Что получилось, что нет, что возьмёте в работу дальше.",
    )  # fmt: skip


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Решение",
        choices=[("comment", "Комментарий"), ("returned", "На доработку"), ("approved", "Согласовано")],
        widget=forms.RadioSelect, initial="comment",
    )  # fmt: skip
    text = forms.CharField(
        label="Текст", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )


class RecommendForm(forms.Form):
    title = forms.CharField(label="Программа ДПО", max_length=500)
    provider = forms.CharField(label="Организация ДПО", max_length=300)
    hours = forms.IntegerField(label="Объём, часов", min_value=1, max_value=3000)
    deadline_text = forms.CharField(
        label="Сроки", max_length=300, help_text="«октябрь 2026», «до 01.03.2027»"
    )
    academic_year = forms.TypedChoiceField(label="Учебный год", coerce=int)
    deficits = forms.MultipleChoiceField(
        label="Против каких дефицитов", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, route: Route, deficits: list[Deficit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["academic_year"]).choices = route_years_choices(route)
        cast(forms.ChoiceField, self.fields["deficits"]).choices = [
            (str(d.pk), f"{d.area_title}: {d.description}") for d in deficits
        ]
