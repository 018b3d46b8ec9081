"""Matching on a generated bank: how often the exactly matching mentor is in the top three,
and how long ranking takes against checking every mentor with the database one by one."""

from __future__ import annotations

import random
import time

from tests.benchmarks.harness import Figure
from tests.mentoring.test_matching import FORMS, TOPICS, P

MENTORS = 500
MENTEES = 300


def run(n_tenants: int) -> list[Figure]:
    from tenants.mentoring.matching import rank_mentors

    rng = random.Random(11)
    hits = planted = 0
    elapsed = 0.0
    for _ in range(MENTEES):
        mentors = [
            P(100 + n, rng.choice(["teacher", "teacher", "pupil", "veteran"]),
              competencies=rng.sample(TOPICS, rng.randint(1, 4)), capacity=rng.randint(0, 3),
              class_group=f"{rng.randint(8, 11)} А")
            for n in range(MENTORS)
        ]  # fmt: skip
        load = {m.pk: rng.randint(0, m.capacity) for m in mentors}
        wanted = rng.sample(TOPICS, rng.randint(1, 3))
        mentee = P(1, "pupil", requests=wanted, class_group=f"{rng.randint(5, 8)} Б")
        exact = P(99, "teacher", competencies=list(wanted), capacity=2)
        mentors.insert(rng.randint(0, MENTORS), exact)
        started = time.perf_counter()
        top = rank_mentors(mentee, mentors, forms=FORMS, load=load, limit=3)
        elapsed += time.perf_counter() - started
        # Several mentors may match exactly; any of them in the top three is a hit.
        hits += any(set(s.mentor.competencies) == set(wanted) for s in top)
        planted += any(s.mentor is exact for s in top)
    print(f"  {MENTEES} mentees, {MENTORS} mentors each, one exact match hidden among them")
    return [
        Figure("matching_exact_in_top3_rate", hits / MENTEES, "share", target="1.0"),
        Figure("matching_planted_in_top3_rate", planted / MENTEES, "share"),
        Figure(
            "matching_rank_ms_per_mentee",
            elapsed / MENTEES * 1000,
            "ms",
            target=f"{MENTORS} mentors",
        ),
    ]
