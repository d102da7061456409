"""PMML formatNumber's Java String.format patterns (ir.kernels.text), against values JPMML-Evaluator
1.x wrote for them (measured; the module docstring states the wider comparison)."""

from __future__ import annotations

import pytest

from interchange.ir.kernels.text import format_number, format_pattern


@pytest.mark.parametrize(
    "x,pattern,expected",
    [
        (3.14159, "%.3f", "3.142"),
        (-2.5, "%08.2f", "-0002.50"),
        (1234567.891, "%e", "1.234568e+06"),
        (0.0005, "%e", "5.000000e-04"),
        (1234567.891, "%.3f", "1234567.891"),
        (0.0005, "%08.2f", "00000.00"),
        (2.675, "%.2f", "2.68"),  # half up on the shortest decimal (Python's "%.2f" gives 2.67)
        (-0.0, "%.1f", "0.0"),
    ],
)
def test_a_number_is_written_as_java_writes_it(x: float, pattern: str, expected: str) -> None:
    assert format_number(x, pattern) == expected


@pytest.mark.parametrize(
    "pattern,covered", [("%.2f", True), ("a=%-9.1f|", True), ("%d", False), ("%s", False), ("%f %f", False), ("%,.2f", False)]
)
def test_only_one_f_or_e_conversion_is_covered(pattern: str, covered: bool) -> None:
    assert format_pattern(pattern) is covered
