"""The stages of the target model of mentorship: one catalogue for the region.

Every roadmap item maps to one of them (suggested from its wording, editable), and only the
stage codes travel into the regional layer: a school's own wording never leaves its schema,
and the schools become comparable («Формирование банка наставляемых» and «…базы
наставляемых» are one stage). The stages and their order are the seeds': the college's road
map (ГБПОУ ЛО «Мичуринский многопрофильный техникум», seven stages), the school's (СОШ № 19:
приказ, положение, базы, пары, мониторинг, завершение) and the kindergarten's (аналитическое
и информационное сопровождение).
"""

from __future__ import annotations

import re

from django.db import models


class Stage(models.TextChoices):
    PREPARATION = "preparation", "Подготовка условий для запуска программы наставничества"
    MENTEE_BASE = "mentee_base", "Формирование базы наставляемых"
    MENTOR_BASE = "mentor_base", "Формирование базы наставников"
    MENTOR_TRAINING = "mentor_training", "Отбор и обучение наставников"
    PAIRING = "pairing", "Формирование наставнических пар и групп"
    PAIR_WORK = "pair_work", "Организация работы наставнических пар и групп"
    MONITORING = "monitoring", "Мониторинг и оценка эффективности"
    COMPLETION = "completion", "Завершение программ наставничества"
    INFORMATION = "information", "Информационная поддержка"
    OTHER = "other", "Прочие мероприятия"


ORDER = {code: position for position, code in enumerate(Stage.values)}
_LABELS = {code: str(title) for code, title in Stage.choices}  # the heatmap asks ~500 times a page


def label(code: str) -> str:
    """The catalogue's wording of a stage; an unknown code (a newer release's) is «Прочие»."""
    return _LABELS.get(code, _LABELS[Stage.OTHER])


# Rules in order: the first that matches wins. Stems, lower case, «ё» as «е»; «база» and
# «банк» are the same thing in the seeds. Written against every item of the seed roadmaps
# (tests/roadmap/test_stages.py lists them with the stage each must get).
_RULES: list[tuple[Stage, str]] = [
    (Stage.PREPARATION, r"^разработк\w*\s+(программно|положени|программ\w*\s+наставничеств|методическ)"),
    (Stage.INFORMATION, r"^(выступлени|информировани|освещени|публикаци|создани\w*\s+(специальн|страниц|рубрик))"),
    (Stage.MENTEE_BASE, r"(баз|банк)\w*\s+(данных\s+)?наставляем"),
    (Stage.MENTOR_BASE, r"(баз|банк)\w*\s+(данных\s+)?(потенциальных\s+)?наставник"),
    (Stage.MENTOR_TRAINING, r"отбор\w*\s+и\s+обучен|обучени\w*\s+наставник|школ\w*\s+наставник"),
    (Stage.PAIRING, r"формировани\w*\s+(наставнических\s+)?(пар|групп)|утверждени\w*\s+(наставнических\s+)?пар"),
    (Stage.MONITORING, r"мониторинг|анкет|удовлетвор|оценк\w*\s+(эффективност|качеств|результат)|диагностик|анализ"),
    (Stage.COMPLETION, r"заверш|итогов\w*\s+мероприят|подведени\w*\s+итог|лучших\s+практик|награжд|поощрен"),
    (Stage.PAIR_WORK, r"работ\w*\s+(наставнических\s+)?(пар|групп)|встреч|реализаци\w*\s+(персонализированн|программ)|сопровождени\w*\s+(пар|наставляем)"),
    (Stage.INFORMATION, r"информаци|сайт|сми\b|социальн\w*\s+сет|рубрик|освещени|презентац|публикац|выступлени"),
    (Stage.PREPARATION, r"приказ|положени|дорожн\w*\s+карт|нормативн|подготовк\w*\s+услови|рабоч\w*\s+групп|куратор|программ\w*\s+наставничеств|внедрени"),
]  # fmt: skip
_COMPILED = [(stage, re.compile(pattern)) for stage, pattern in _RULES]


def _words(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def suggest_stage(title: str, *, parent_stage: str = "") -> str:
    """The stage an item's wording points to; otherwise its section's (if it has one), else
    «Прочие мероприятия»."""
    text = _words(title)
    for stage, pattern in _COMPILED:
        if pattern.search(text):
            return stage.value
    if parent_stage and parent_stage in Stage.values:
        return parent_stage
    return Stage.OTHER.value
