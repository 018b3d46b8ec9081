"""Bounds: a withheld count is at least 1 where zeros are shown, so withheld cells whose sum is
known must not be pinned by it (10, 1 and 1 with 10 and 12 shown: both withheld are 1)."""

from __future__ import annotations

from regional_dashboard.disclosure import REGION, Unit, protect, widen


def test_three_municipalities_of_ten_one_and_one():
    units = [Unit(1, 1, "school"), Unit(2, 2, "school"), Unit(3, 3, "school")]
    pattern = protect(units, {1: 10, 2: 1, 3: 1})
    shown = {cell for cell in [(1, ""), (2, ""), (3, ""), REGION] if cell not in pattern.cells}
    assert (2, "") not in shown and (3, "") not in shown
    assert not {(1, ""), REGION} <= shown  # else 12 − 10 = 2 = 1 + 1


def test_widen_only_grows_and_leaves_wide_sums_alone():
    values = {("t",): 20, ("a",): 10, ("b",): 4, ("c",): 6}
    relation = [(("t",), [("a",), ("b",), ("c",)])]
    # b and c withheld leave 10 for two cells: each in [1, 9] — wide enough.
    assert widen(values, {("b",), ("c",)}, relation) == {("b",), ("c",)}
    values[("c",)] = 1
    values[("a",)] = 15
    assert widen(values, {("b",), ("c",)}, relation) > {("b",), ("c",)}
