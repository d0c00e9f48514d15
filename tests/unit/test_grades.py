import pytest

from dossier.scoring.grades import GRADE_TABLE, grade_for, sources_phrase


@pytest.mark.parametrize(
    ("score", "grade", "label"),
    [
        (0.0, "D", "Internal monitoring"), (0.09, "D", "Internal monitoring"),
        (0.10, "D", "Weak signal"), (0.34, "D", "Weak signal"),
        (0.35, "C/D", "Weak–medium"), (0.54, "C/D", "Weak–medium"),
        (0.55, "B/C", "Medium"), (0.74, "B/C", "Medium"),
        (0.75, "A/B", "Strong"), (0.89, "A/B", "Strong"),
        (0.90, "A", "High — direct sources"), (1.0, "A", "High — direct sources"),
    ],
)
def test_grade_boundaries_follow_the_design_table(score, grade, label):
    assert grade_for(score) == (grade, label)


def test_scores_band_at_two_decimals_as_printed():
    # 0.8949 prints as 0.89 and is A/B; 0.8951 prints as 0.90 and is A.
    assert grade_for(0.8949)[0] == "A/B"
    assert grade_for(0.8951)[0] == "A"


def test_out_of_range_scores_are_refused():
    with pytest.raises(ValueError):
        grade_for(1.01)
    with pytest.raises(ValueError):
        grade_for(-0.01)


def test_table_is_ordered_and_ends_at_zero():
    floors = [floor for floor, _, _ in GRADE_TABLE]
    assert floors == sorted(floors, reverse=True) and floors[-1] == 0.0


@pytest.mark.parametrize(("n", "phrase"), [(0, "no public sources"), (1, "one public source"),
                                           (2, "two public sources"), (3, "several public sources"),
                                           (5, "many public sources")])
def test_sources_phrase(n, phrase):
    assert sources_phrase(n) == phrase
