"""OpenAPI as the API answers: every operation documents its refusals, not only its 200.

drf-spectacular documents the success of an operation; the refusals come from layers it does
not see (the membership and second-factor middleware, the upload limit, throttles, the
exception handler), so they are added here for every operation by what it can meet.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "что не так, по-русски"}},
    "required": ["detail"],
}
# Field → its messages (a list, or for a list field an object by position); `detail` for the
# rest. Messages are Russian and name the field or query parameter.
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")

REFUSALS = {
    "400": ("Неверные данные запроса или параметры (сообщения по полям).", "ValidationError"),
    "401": ("Требуется вход в систему.", "Error"),
    "403": ("Нет прав (или не подтверждён второй фактор).", "Error"),
    "404": ("Не найдено (или не видно этому пользователю).", "Error"),
    "409": ("Такая запись уже есть.", "Error"),
    "413": ("Слишком большой запрос или файл.", "Error"),
    "415": ("Тело запроса не в поддерживаемом формате (JSON, form-data).", "Error"),
    "429": ("Слишком много запросов: повторите позже.", "Error"),
}


class AutoSchema(openapi.AutoSchema):
    def _component(self, name: str) -> dict[str, str]:
        schema = VALIDATION_ERROR if name == "ValidationError" else ERROR
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        ref: dict[str, str] = component.ref
        return ref

    def refusal_codes(self, operation: dict[str, Any]) -> list[str]:
        """What this operation can answer besides its success."""
        codes = ["401", "403", "404", "429"]  # any caller, any path (pages of a list too)
        has_input = bool(operation.get("parameters")) or "requestBody" in operation
        if has_input or self.method in WRITES:
            codes.append("400")
        if self.method in WRITES:
            codes += ["409", "413"]
            if "requestBody" in operation:
                codes.append("415")
        return sorted(codes)

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self.refusal_codes(operation):
            description, name = REFUSALS[code]
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": self._component(name)}},
                },
            )
        return operation
