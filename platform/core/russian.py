"""Russian plural forms: 1 день, 2 дня, 5 дней; 21 день, 11 дней."""

from __future__ import annotations


def plural_ru(number: int, one: str, few: str, many: str) -> str:
    n = abs(number) % 100
    if 11 <= n <= 14:
        return many
    n %= 10
    if n == 1:
        return one
    if 2 <= n <= 4:
        return few
    return many
