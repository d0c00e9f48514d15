"""Confidence grades, exactly as the reference cards use them (DESIGN.md)."""

from __future__ import annotations

# (lowest score of the band, grade, label), highest band first.
GRADE_TABLE: tuple[tuple[float, str, str], ...] = (
    (0.90, "A", "High — direct sources"),
    (0.75, "A/B", "Strong"),
    (0.55, "B/C", "Medium"),
    (0.35, "C/D", "Weak–medium"),
    (0.10, "D", "Weak signal"),
    (0.00, "D", "Internal monitoring"),
)

# Every grade a profile can carry, best first (for validating filters).
GRADES: tuple[str, ...] = tuple(dict.fromkeys(grade for _, grade, _ in GRADE_TABLE))


def grade_for(score: float) -> tuple[str, str]:
    """(grade, label) of a score in [0, 1]; scores are banded at two decimals, as printed."""
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"confidence {score!r} is outside [0, 1]")
    banded = round(score, 2)
    for floor, grade, label in GRADE_TABLE:
        if banded >= floor:
            return grade, label
    raise AssertionError("unreachable: the table ends at 0.00")


def sources_phrase(independent: int) -> str:
    """How a card words its independent source count."""
    if independent <= 0:
        return "no public sources"
    if independent == 1:
        return "one public source"
    if independent == 2:
        return "two public sources"
    if independent <= 4:
        return "several public sources"
    return "many public sources"
