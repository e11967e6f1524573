"""utils.summary: mean ± sd over seeds, the reference table, the run's cost."""

import pytest

from utils import summary


def test_mean_sd_formats_seeds_and_single_runs():
    assert summary.mean_sd([0.975, 0.977, 0.976]) == "97.60 ± 0.10 % (3 seeds)"
    assert summary.mean_sd([0.9257]) == "92.57 %"
    assert summary.mean_sd([1.0, 3.0], percent=False, digits=1) == "2.0 ± 1.4 (2 seeds)"


@pytest.mark.parametrize("bad", [[], [0.9, float("nan")]])
def test_mean_sd_refuses_empty_or_nan(bad):
    with pytest.raises(ValueError, match="finite"):
        summary.mean_sd(bad)


def test_summary_table_has_a_row_per_quantity_and_the_cost(monkeypatch):
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    text = summary.summary_table([("test accuracy", "92.57 %", "92.80 %")], "MNIST").data
    lines = text.splitlines()
    assert lines[0] == "| | reference report | this run |"
    assert lines[2] == "| test accuracy | 92.57 % | 92.80 % |"
    assert "Data: MNIST. Profile: quick; run time" in text and "MiB" in text


def test_summary_table_refuses_rows_of_the_wrong_length():
    with pytest.raises(ValueError, match="quantity, reference, this run"):
        summary.summary_table([("only two", "cells")])


def test_peak_memory_is_plausible():
    assert 10 < summary.peak_memory_mib() < 64_000
