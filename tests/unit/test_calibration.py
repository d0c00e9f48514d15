import pytest

from dossier.evaluation.calibration import reliability_table


def test_reliability_table_and_expected_calibration_error():
    pairs = [(0.65, True), (0.65, False), (0.85, True), (0.85, True), (0.85, True), (0.85, False)]
    table = reliability_table(pairs)
    assert [(b["bucket"], b["claims"], b["accuracy"]) for b in table["buckets"]] == [("0.6–0.7", 2, 0.5), ("0.8–0.9", 4, 0.75)]
    # ECE = 2/6 * |0.65 - 0.5| + 4/6 * |0.85 - 0.75|
    assert table["ece"] == pytest.approx(2 / 6 * 0.15 + 4 / 6 * 0.10, abs=1e-4)


def test_a_perfectly_calibrated_set_has_zero_error():
    assert reliability_table([(1.0, True), (0.05, False)])["ece"] == pytest.approx(0.025)
    assert reliability_table([])["buckets"] == []
