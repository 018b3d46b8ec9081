"""Statistical disclosure control of the regional figures: which counts may be published.

Pure functions (no database): organisations' counts in, a suppression pattern out.

What the regional layer publishes about a region and a year is a fixed set of cells:
- each organisation's counts (mentors, mentees, pairs, …);
- the same counts summed over the cells of the filters' lattice: municipality × kind of
  organisation, each municipality, each kind, the region;
- breakdowns (pairs by form, mentors by category, …) over that lattice only, never per
  organisation (an organisation alone in its municipality and kind is such a cell).

Every other figure a page shows is a sum of published cells, shown only when all its parts
are (regional_dashboard.publication), so it adds nothing an attacker could not add up.

A count of 1–4 people or pairs is suppressed (primary). That alone is not enough: the region's
total minus the published schools is the hidden school. So cells are suppressed as well
(secondary) until no suppressed cell is a linear combination of published cells and of the
identities between them (a total is the sum of its parts; a breakdown sums to its total):
checked exactly, by linear algebra, on the unknowns left after the published cells are
substituted. Two facts keep that small:
- organisations of one municipality and kind appear in every published sum together, so only
  their hidden total is an unknown; two hidden ones hide each other (a lone hidden
  organisation gets a partner: the smallest other one of its cell);
- breakdowns are published per lattice cell, so their unknowns are cells, not organisations.
A publication also takes what the previous one hid (`Kept`): hidden again while unchanged,
so a new pattern over the same values does not show yesterday's hidden partner.
tests/regional_dashboard/test_disclosure.py proves the result on the published figures
themselves (every filter combination of the API) over the demo region and a generated one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

SUPPRESS_BELOW = 5

# A cell of the filters' lattice: (municipality id or None for all, kind or "" for all).
Cell = tuple[int | None, str]
REGION: Cell = (None, "")


@dataclass(frozen=True)
class Unit:
    """One organisation as the lattice sees it."""

    id: int
    municipality: int
    kind: str

    @property
    def cell(self) -> Cell:
        return (self.municipality, self.kind)


def lattice_cells(units: Iterable[Unit]) -> list[Cell]:
    """Every published cell: municipality × kind, each municipality, each kind, the region."""
    base = sorted({unit.cell for unit in units}, key=lambda c: (c[0] or 0, c[1]))
    cells: list[Cell] = [*base]
    cells += sorted({(m, "") for m, _ in base}, key=lambda c: c[0] or 0)
    cells += sorted({(None, k) for _, k in base}, key=lambda c: c[1])
    if base:
        cells.append(REGION)
    return cells


def contains(outer: Cell, inner: Cell) -> bool:
    """Whether the base cell `inner` lies in `outer`."""
    return (outer[0] is None or outer[0] == inner[0]) and (not outer[1] or outer[1] == inner[1])


@dataclass
class Pattern:
    """What is hidden of one measure and its breakdowns."""

    organizations: set[int] = field(default_factory=set)
    cells: set[Cell] = field(default_factory=set)
    breakdowns: dict[str, set[tuple[Cell, str]]] = field(default_factory=dict)


def primary(value: int) -> bool:
    return 0 < value < SUPPRESS_BELOW


@dataclass
class _Problem:
    """One measure of one region: the counts, and what is hidden so far."""

    units: list[Unit]
    values: dict[int, int]  # organisation → count
    labels: dict[str, dict[Cell, dict[str, int]]]  # breakdown → base cell → label → count
    cells: list[Cell]
    by_cell: dict[Cell, list[Unit]]
    hidden_units: set[int]
    hidden_cells: set[Cell]
    hidden_labels: dict[str, set[tuple[Cell, str]]]

    cache: dict[object, object] = field(default_factory=dict)  # derived from the counts only

    def bases(self, cell: Cell) -> list[Cell]:
        key = ("bases", cell)
        if key not in self.cache:
            self.cache[key] = [base for base in self.by_cell if contains(cell, base)]
        return self.cache[key]  # type: ignore[return-value]

    def total(self, cell: Cell) -> int:
        key = ("total", cell)
        if key not in self.cache:
            self.cache[key] = sum(self.values[u.id] for base in self.bases(cell)
                                  for u in self.by_cell[base])  # fmt: skip
        return self.cache[key]  # type: ignore[return-value]

    def label_total(self, name: str, cell: Cell, label: str) -> int:
        key = ("label", name, cell, label)
        if key not in self.cache:
            counts = self.labels[name]
            self.cache[key] = sum(counts.get(base, {}).get(label, 0) for base in self.bases(cell))
        return self.cache[key]  # type: ignore[return-value]

    def all_labels(self, name: str) -> list[str]:
        key = ("labels", name)
        if key not in self.cache:
            self.cache[key] = sorted(
                {label for counts in self.labels[name].values() for label in counts}
            )
        return self.cache[key]  # type: ignore[return-value]


@dataclass
class Kept:
    """What the previous publication hid, with the values it hid then: hidden again while the
    value is the same. Otherwise a new pattern over unchanged values would show, next to the
    previous one, what the previous one hid (yesterday's hidden partner shown today)."""

    organizations: dict[int, int] = field(default_factory=dict)
    cells: dict[Cell, int] = field(default_factory=dict)
    breakdowns: dict[str, dict[tuple[Cell, str], int]] = field(default_factory=dict)


def protect(
    units: list[Unit],
    values: Mapping[int, int],
    breakdowns: Mapping[str, Mapping[int, Mapping[str, int]]] | None = None,
    kept: Kept | None = None,
) -> Pattern:
    """The suppression pattern of one measure (with its breakdowns, which sum to it in every
    organisation) over one region's organisations."""
    by_cell: dict[Cell, list[Unit]] = defaultdict(list)
    for unit in sorted(units, key=lambda u: u.id):
        by_cell[unit.cell].append(unit)
    labels: dict[str, dict[Cell, dict[str, int]]] = {}
    for name, per_unit in (breakdowns or {}).items():
        per_cell: dict[Cell, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for unit in units:
            for label, n in per_unit.get(unit.id, {}).items():
                per_cell[unit.cell][label] += n
        labels[name] = {cell: dict(counts) for cell, counts in per_cell.items()}
    problem = _Problem(
        units=units, values={u.id: int(values.get(u.id, 0)) for u in units}, labels=labels,
        cells=lattice_cells(units), by_cell=dict(by_cell), hidden_units=set(),
        hidden_cells=set(), hidden_labels={name: set() for name in labels},
    )  # fmt: skip
    problem.hidden_units = {u.id for u in units if primary(problem.values[u.id])}
    problem.hidden_cells = {c for c in problem.cells if primary(problem.total(c))}
    for name in labels:
        problem.hidden_labels[name] = {
            (cell, label)
            for cell in problem.cells
            for label in problem.all_labels(name)
            if primary(problem.label_total(name, cell, label))
        }
    if kept is not None:
        known = set(problem.cells)
        problem.hidden_units |= {
            i for i, value in kept.organizations.items() if problem.values.get(i) == value
        }
        problem.hidden_cells |= {
            c for c, value in kept.cells.items() if c in known and problem.total(c) == value
        }
        for name, entries in kept.breakdowns.items():
            if name in labels:
                problem.hidden_labels[name] |= {
                    (c, label)
                    for (c, label), value in entries.items()
                    if c in known and problem.label_total(name, c, label) == value
                }
    _secondary(problem)
    # Withheld by the bounds are then checked exactly too (a withheld count must not be a
    # combination of shown ones either), until neither finds more to withhold.
    for _ in range(MAX_ROUNDS):
        if not _bounds(problem):
            break
        _secondary(problem)
    return Pattern(problem.hidden_units, problem.hidden_cells, problem.hidden_labels)


# Secondary suppression -------------------------------------------------------------------
#
# An entry of the tables is (breakdown or "" for the measure itself, municipality or None,
# kind or "", label or "*"); a breakdown's "*" is the measure's own entry. In any plane of two
# of the three dimensions an entry is the sum of its row and of its column, so four hidden
# corners of a rectangle hide each other: the classic way to protect a cell, tried cheapest
# first and checked exactly each time.


def _partner_lone_units(problem: _Problem) -> None:
    """A base cell with exactly one hidden organisation hides a second one (the smallest):
    the two enter every published sum together, so neither can be told apart."""
    for units in problem.by_cell.values():
        hidden = [u for u in units if u.id in problem.hidden_units]
        if len(hidden) == 1 and len(units) > 1:
            partner = min((u for u in units if u.id not in problem.hidden_units),
                          key=lambda u: (problem.values[u.id], u.id))  # fmt: skip
            problem.hidden_units.add(partner.id)


@dataclass
class _System:
    """The published equations over the unknowns left, and the hidden entries to protect."""

    columns: dict[tuple[object, ...], int]
    rows: list[dict[int, float]]
    targets: list[tuple[tuple[object, ...], dict[int, float]]]


def _system(problem: _Problem) -> _System:
    """Unknowns: the hidden organisations' total of each base cell (Y) and each hidden base
    breakdown cell (Z); published cells are equations over them once the shown parts are
    subtracted, and so is each base cell's identity «its breakdown sums to its total»."""
    columns: dict[tuple[object, ...], int] = {}

    def column(key: tuple[object, ...]) -> int:
        return columns.setdefault(key, len(columns))

    hidden_base = sorted(
        (base for base, units in problem.by_cell.items()
         if any(u.id in problem.hidden_units for u in units)),
        key=str,
    )  # fmt: skip

    hidden_set = set(hidden_base)

    def total_vector(cell: Cell) -> dict[int, float]:
        return {column(("Y", base)): 1.0 for base in problem.bases(cell) if base in hidden_set}

    def label_vector(name: str, cell: Cell, label: str) -> dict[int, float]:
        hidden = problem.hidden_labels[name]
        return {column(("Z", name, base, label)): 1.0 for base in problem.bases(cell)
                if (base, label) in hidden}  # fmt: skip

    rows: list[dict[int, float]] = []
    targets: list[tuple[tuple[object, ...], dict[int, float]]] = []
    for cell in problem.cells:
        vector = total_vector(cell)
        if cell in problem.hidden_cells:
            targets.append((("cell", cell), vector))
        elif vector:
            rows.append(vector)
    for base, units in problem.by_cell.items():
        hidden = [u for u in units if u.id in problem.hidden_units]
        if len(hidden) == 1:  # a lone hidden organisation is its cell's hidden total
            targets.append((("unit", hidden[0].id), total_vector(base)))
    for name in problem.labels:
        labels = problem.all_labels(name)
        for cell in problem.cells:
            for label in labels:
                vector = label_vector(name, cell, label)
                if (cell, label) in problem.hidden_labels[name]:
                    targets.append((("label", name, cell, label), vector))
                elif vector:
                    rows.append(vector)
        for base in problem.by_cell:
            vector = {column(("Z", name, base, label)): 1.0 for label in labels
                      if (base, label) in problem.hidden_labels[name]}  # fmt: skip
            if base in hidden_base:
                vector[column(("Y", base))] = -1.0
            if vector:
                rows.append(vector)
    return _System(columns, rows, targets)


def _row_space(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis (rows) of the row space of `matrix`.

    From the eigenvectors of the Gram matrix PᵀP, whose eigenvalues are the squared singular
    values: several times faster than an SVD at a region's size (2,000 unknowns: seconds, not
    tens of seconds). The matrices are sums of 0/1 rows, whose dependencies are exact: a zero
    eigenvalue comes out at rounding level (~1e-13 of the largest) and a real one far above
    (~1e-4 and up); should any fall in between, the SVD decides instead.
    """
    gram = matrix.T @ matrix
    values, vectors = np.linalg.eigh(gram)
    top = float(values[-1]) if values.size else 0.0
    if top <= 0:
        return np.zeros((0, matrix.shape[1]))
    relative = values / top
    if np.any((relative > 1e-11) & (relative < 1e-6)):
        _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        return vt[: int((singular > 1e-9 * float(singular[0])).sum())]
    return vectors[:, relative >= 1e-6].T


def _recoverable(system: _System) -> list[tuple[object, ...]]:
    """The hidden entries that are linear combinations of the published rows (an empty vector:
    a hidden sum of shown parts)."""
    found = [key for key, vector in system.targets if not vector]
    candidates = [(key, vector) for key, vector in system.targets if vector]
    if not candidates or not system.rows:
        return found
    n = len(system.columns)
    matrix = np.zeros((len(system.rows), n))
    for i, row in enumerate(system.rows):
        for j, value in row.items():
            matrix[i, j] = value
    basis = _row_space(matrix)
    targets = np.zeros((len(candidates), n))
    for i, (_, vector) in enumerate(candidates):
        for j, value in vector.items():
            targets[i, j] = value
    residual = targets - (targets @ basis.T) @ basis
    norms = np.linalg.norm(residual, axis=1)
    return found + [key for (key, _), norm in zip(candidates, norms, strict=True) if norm < 1e-7]


Entry = tuple[str, int | None, str, str]
TOTAL = "*"


def _entry_of_target(target: tuple[object, ...], problem: _Problem) -> Entry:
    if target[0] == "unit":
        unit = next(u for u in problem.units if u.id == target[1])
        return ("", unit.municipality, unit.kind, TOTAL)
    if target[0] == "cell":
        cell = target[1]
        assert isinstance(cell, tuple)
        return ("", cell[0], cell[1], TOTAL)
    name, cell, label = target[1], target[2], target[3]
    assert isinstance(name, str) and isinstance(cell, tuple) and isinstance(label, str)
    return (name, cell[0], cell[1], label)


def _canonical(entry: Entry) -> Entry:
    return ("", entry[1], entry[2], TOTAL) if entry[3] == TOTAL else entry


def _is_hidden(problem: _Problem, entry: Entry) -> bool:
    name, m, k, label = _canonical(entry)
    if not name:
        return (m, k) in problem.hidden_cells
    return ((m, k), label) in problem.hidden_labels[name]


def _value(problem: _Problem, entry: Entry) -> int:
    name, m, k, label = _canonical(entry)
    return problem.total((m, k)) if not name else problem.label_total(name, (m, k), label)


def _relations(problem: _Problem, entry: Entry) -> list[list[Entry]]:
    """The sums `entry` takes part in: along the municipalities, along the kinds, and along
    the labels of each breakdown (a total is the sum of its breakdown)."""
    cells = set(problem.cells)
    name, m, k, label = _canonical(entry)
    municipalities = sorted(
        {c[0] for c in cells if c[1] == k}, key=lambda x: -1 if x is None else x
    )
    kinds = sorted({c[1] for c in cells if c[0] == m})
    relations = [
        [_canonical((name, x, k, label)) for x in municipalities],
        [_canonical((name, m, y, label)) for y in kinds],
    ]
    for breakdown in [name] if name else list(problem.labels):
        relations.append(
            [_canonical((breakdown, m, k, z)) for z in [*problem.all_labels(breakdown), TOTAL]]
        )
    return [relation for relation in relations if len(relation) > 1]


def _rectangles(problem: _Problem, entry: Entry) -> list[tuple[int, list[Entry]]]:
    """Rectangles through `entry` in every plane, with the cost of what they newly hide."""
    cells = set(problem.cells)
    municipalities = sorted({c[0] for c in cells}, key=lambda m: -1 if m is None else m)
    kinds = sorted({c[1] for c in cells})
    name, m, k, label = entry
    planes_labels = [name] if name else list(problem.labels)
    found: list[tuple[int, list[Entry]]] = []

    def consider(corners: list[Entry]) -> None:
        corners = [_canonical(c) for c in corners]
        if any((c[1], c[2]) not in cells for c in corners):
            return
        fresh = [c for c in corners if not _is_hidden(problem, c)]
        if fresh:
            found.append((sum(_value(problem, c) for c in fresh), corners))

    for m2 in municipalities:  # the municipality × kind plane
        for k2 in kinds:
            if m2 != m and k2 != k:
                consider([(name, m2, k, label), (name, m, k2, label), (name, m2, k2, label)])
    for breakdown in planes_labels:  # planes with the label dimension
        labels = [*problem.all_labels(breakdown), TOTAL]
        here = label if name else TOTAL
        for label2 in labels:
            if label2 == here:
                continue
            for m2 in municipalities:
                if m2 != m:
                    consider([(breakdown, m2, k, here), (breakdown, m, k, label2),
                              (breakdown, m2, k, label2)])  # fmt: skip
            for k2 in kinds:
                if k2 != k:
                    consider([(breakdown, m, k2, here), (breakdown, m, k, label2),
                              (breakdown, m, k2, label2)])  # fmt: skip
    return sorted(found, key=lambda item: (item[0], len(item[1]), str(item[1])))


def _hide_entry(problem: _Problem, entry: Entry) -> None:
    name, m, k, label = _canonical(entry)
    cell = (m, k)
    if not name:
        problem.hidden_cells.add(cell)
        # A hidden sum needs a hidden part, or it is the sum of what is shown.
        parts = [u for base in problem.bases(cell) for u in problem.by_cell[base]]
        if parts and not any(u.id in problem.hidden_units for u in parts):
            problem.hidden_units.add(min(parts, key=lambda u: (problem.values[u.id], u.id)).id)
        return
    problem.hidden_labels[name].add((cell, label))
    bases = problem.bases(cell)
    if bases and not any((b, label) in problem.hidden_labels[name] for b in bases):
        smallest = min(bases, key=lambda b: (problem.labels[name].get(b, {}).get(label, 0), str(b)))
        problem.hidden_labels[name].add((smallest, label))


def _hide_everything(problem: _Problem) -> None:
    """The last resort: nothing of this measure is published."""
    problem.hidden_units = {u.id for u in problem.units}
    problem.hidden_cells = set(problem.cells)
    for name in problem.labels:
        problem.hidden_labels[name] = {
            (cell, label) for cell in problem.cells for label in problem.all_labels(name)
        }


MAX_ROUNDS = 500


def _all_relations(problem: _Problem) -> list[list[Entry]]:
    key = "relations"
    if key not in problem.cache:
        seen: set[tuple[Entry, ...]] = set()
        relations: list[list[Entry]] = []
        entries: list[Entry] = [("", m, k, TOTAL) for m, k in problem.cells]
        for name in problem.labels:
            entries += [
                (name, m, k, label) for m, k in problem.cells for label in problem.all_labels(name)
            ]
        for entry in entries:
            for relation in _relations(problem, entry):
                signature = tuple(sorted(relation, key=str))
                if signature not in seen:
                    seen.add(signature)
                    relations.append(relation)
        problem.cache[key] = relations
    return problem.cache[key]  # type: ignore[return-value]


def _structural(problem: _Problem) -> None:
    """The cheap necessary conditions, to a fixed point: no lone hidden organisation in its
    cell, no hidden sum without a hidden part, no sum with a single hidden entry."""
    relations = _all_relations(problem)
    while True:
        before = (len(problem.hidden_units), len(problem.hidden_cells),
                  sum(len(v) for v in problem.hidden_labels.values()))  # fmt: skip
        _partner_lone_units(problem)
        for cell in list(problem.hidden_cells):
            _hide_entry(problem, ("", cell[0], cell[1], TOTAL))  # adds a hidden part if none
        for name in problem.labels:
            for cell, label in list(problem.hidden_labels[name]):
                _hide_entry(problem, (name, cell[0], cell[1], label))
        for relation in relations:
            flags = [_is_hidden(problem, e) for e in relation]
            if sum(flags) == 1:
                shown = [e for e, flag in zip(relation, flags, strict=True) if not flag]
                _hide_entry(problem, min(shown, key=lambda e: (_value(problem, e), str(e))))
        after = (len(problem.hidden_units), len(problem.hidden_cells),
                 sum(len(v) for v in problem.hidden_labels.values()))  # fmt: skip
        if after == before:
            return


def _secondary(problem: _Problem) -> None:
    """Cheap conditions first; then the exact check, and for each entry it still finds
    exposed (a «bridge» between hidden groups) the cheapest rectangle through it."""
    for _ in range(MAX_ROUNDS):
        _structural(problem)
        system = _system(problem)
        exposed = _recoverable(system)
        if not exposed:
            return
        for target in exposed:
            entry = _entry_of_target(target, problem)
            options = _rectangles(problem, entry)
            if options:
                for corner in options[0][1]:
                    _hide_entry(problem, corner)
            else:
                _hide_entry(problem, ("", None, "", TOTAL))
    _hide_everything(problem)  # never met on real data; safe rather than leaky


# Bounds ------------------------------------------------------------------------------------
#
# The exact check above asks whether a withheld count is a combination of published ones. An
# attacker also knows bounds: zeros are published, so a withheld count is at least 1; a total
# shown with its shown parts leaves S for its k withheld parts, each in [1, S − k + 1]. With
# S = k they are all exactly 1 (three municipalities of 10, 1 and 1 with 10 and the region's 12
# shown). So more is withheld until every such upper end reaches SUPPRESS_BELOW.

Key = tuple[object, ...]


def widen(
    values: Mapping[Key, int], hidden: set[Key], relations: list[tuple[Key, list[Key]]]
) -> set[Key]:
    """`hidden` grown until no relation (total = sum of parts) pins a withheld count: a shown
    total leaves its k withheld parts S, and S − k + 1 must reach SUPPRESS_BELOW; a withheld
    total whose parts are all shown is their sum, so a part is withheld too. Only grows."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            withheld = [p for p in parts if p in hidden]
            shown = [p for p in parts if p not in hidden]
            if total in hidden:
                if withheld or not shown:
                    continue
                candidates = [p for p in shown if values[p] > 0] or shown
            else:
                if not withheld:
                    continue
                rest = values[total] - sum(values[p] for p in shown)
                if rest <= 0 or rest - len(withheld) + 1 >= SUPPRESS_BELOW:
                    continue
                candidates = [p for p in shown if values[p] > 0]
                if not candidates:
                    hidden.add(total)
                    changed = True
                    continue
            hidden.add(min(candidates, key=lambda p: (values[p], repr(p))))
            changed = True
    return hidden


def _children(problem: _Problem, cell: Cell) -> list[list[Cell]]:
    """The ways a published cell is a sum of other published cells of the lattice."""
    municipality, kind = cell
    base = list(problem.by_cell)
    if municipality is not None and kind:
        return []  # a base cell: the sum of its organisations
    ways = []
    if municipality is None and not kind:
        ways.append(sorted({(m, "") for m, _ in base}, key=repr))
        ways.append(sorted({(None, k) for _, k in base}, key=repr))
    elif municipality is None:
        ways.append(sorted({b for b in base if b[1] == kind}, key=repr))
    else:
        ways.append(sorted({b for b in base if b[0] == municipality}, key=repr))
    return [way for way in ways if way]


def _bounds(problem: _Problem) -> bool:
    """Whether the bounds withheld more."""
    values: dict[Key, int] = {}
    hidden: set[Key] = set()
    relations: list[tuple[Key, list[Key]]] = []
    for unit in problem.units:
        values[("org", unit.id)] = problem.values[unit.id]
    hidden |= {("org", i) for i in problem.hidden_units}
    for cell in problem.cells:
        values[("cell", cell)] = problem.total(cell)
        if cell in problem.hidden_cells:
            hidden.add(("cell", cell))
    for base, units in problem.by_cell.items():
        relations.append((("cell", base), [("org", u.id) for u in units]))
    for cell in problem.cells:
        for way in _children(problem, cell):
            relations.append((("cell", cell), [("cell", c) for c in way]))
    for name in problem.labels:
        labels = problem.all_labels(name)
        for cell in problem.cells:
            for label in labels:
                values[("label", name, cell, label)] = problem.label_total(name, cell, label)
                if (cell, label) in problem.hidden_labels[name]:
                    hidden.add(("label", name, cell, label))
            relations.append((("cell", cell), [("label", name, cell, label) for label in labels]))
            for way in _children(problem, cell):
                for label in labels:
                    relations.append(
                        (("label", name, cell, label), [("label", name, c, label) for c in way])
                    )
    before = len(hidden)
    hidden = widen(values, hidden, relations)
    if len(hidden) == before:
        return False
    problem.hidden_units = {key[1] for key in hidden if key[0] == "org"}  # type: ignore[misc]
    problem.hidden_cells = {key[1] for key in hidden if key[0] == "cell"}  # type: ignore[misc]
    for name in problem.labels:
        problem.hidden_labels[name] = {
            (key[2], key[3])  # type: ignore[misc]
            for key in hidden
            if key[0] == "label" and key[1] == name
        }
    return True
