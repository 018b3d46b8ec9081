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


def decline_name(last_name: str, first_name: str, patronymic: str, case: str) -> str:
    """«Белова Ольга Сергеевна» in a grammatical case: "accusative" → «Белову Ольгу Сергеевну»,
    "dative" → «Беловой Ольге Сергеевне», "genitive"… (pytrovich's rules)."""
    from pytrovich.detector import PetrovichGenderDetector
    from pytrovich.enums import Case, Gender, NamePart
    from pytrovich.maker import PetrovichDeclinationMaker

    cases = {"genitive": Case.GENITIVE, "dative": Case.DATIVE, "accusative": Case.ACCUSATIVE,
             "instrumental": Case.INSTRUMENTAL, "prepositional": Case.PREPOSITIONAL}  # fmt: skip
    maker = PetrovichDeclinationMaker()
    try:
        gender = PetrovichGenderDetector().detect(
            firstname=first_name or None, middlename=patronymic or None
        )
    except Exception:  # pytrovich raises on names it does not know
        gender = Gender.ANDROGYNOUS
    parts = []
    for part, value in ((NamePart.LASTNAME, last_name), (NamePart.FIRSTNAME, first_name),
                        (NamePart.MIDDLENAME, patronymic)):  # fmt: skip
        if not value:
            continue
        try:
            parts.append(maker.make(part, gender, cases[case], value))
        except Exception:
            parts.append(value)
    return " ".join(parts)


def short_name(last_name: str, first_name: str, patronymic: str) -> str:
    initials = "".join(f"{p[0]}." for p in (first_name, patronymic) if p)
    return f"{initials} {last_name}".strip() if initials else last_name


def initials_after(last_name: str, first_name: str, patronymic: str, case: str = "") -> str:
    """«Кузнецову И. А.»: the surname (declined when a case is given) and spaced initials."""
    surname = (
        decline_name(last_name, first_name, patronymic, case).split(" ")[0] if case else last_name
    )
    initials = " ".join(f"{p[0]}." for p in (first_name, patronymic) if p)
    return f"{surname} {initials}".strip()


def score_ru(value: float, one: str = "балл", few: str = "балла", many: str = "баллов") -> str:
    """«49,3 балла», «5 баллов», «1 балл»: a decimal comma, and a fraction takes the genitive
    singular («балла»)."""
    if float(value).is_integer():
        number = int(value)
        return f"{number} {plural_ru(number, one, few, many)}"
    return f"{value:.1f}".replace(".", ",") + f" {few}"


# The legal form before the name in quotes: «Муниципальное бюджетное общеобразовательное
# учреждение «Школа № 1»» → «Муниципальному бюджетному общеобразовательному учреждению …».
_DATIVE_NOUNS = {
    "учреждение": "учреждению", "организация": "организации", "школа": "школе",
    "гимназия": "гимназии", "лицей": "лицею", "колледж": "колледжу", "техникум": "техникуму",
    "сад": "саду", "центр": "центру", "училище": "училищу", "интернат": "интернату",
}  # fmt: skip


def _adjective_dative(word: str) -> str:
    lower = word.lower()
    for ending, dative in (("ое", "ому"), ("ее", "ему"), ("ая", "ой"), ("яя", "ей"),
                           ("ый", "ому"), ("ий", "ому"), ("ой", "ому")):  # fmt: skip
        if lower.endswith(ending) and len(lower) > 3:
            return word[: -len(ending)] + (dative.upper() if word.isupper() else dative)
    return word


def organization_dative(full_name: str) -> str:
    """«даю согласие Муниципальному бюджетному … учреждению «…»»: the adjectives of the legal
    form and its noun declined, the name itself (in quotes, or after the noun) as written; an
    abbreviation («ГБПОУ ЛО …») stays as it is."""
    words = full_name.split(" ")
    for index, word in enumerate(words):
        if word.startswith(("«", '"')):
            break
        noun = word.lower().strip(",")
        if noun in _DATIVE_NOUNS:
            declined = [_adjective_dative(w) for w in words[:index]]
            dative = _DATIVE_NOUNS[noun]
            declined.append(dative.capitalize() if word[0].isupper() else dative)
            return " ".join(declined + words[index + 1 :])
    return full_name
