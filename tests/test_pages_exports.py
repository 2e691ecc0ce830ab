import datetime

from negotiations.core.exports import csv_cell


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused():
    for dangerous in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(dangerous) == "'" + dangerous


def test_ordinary_cells_are_left_alone():
    assert csv_cell("Ukraine rejects") == "Ukraine rejects"
    assert csv_cell(-5) == -5  # numbers are numbers, not formulas
    assert csv_cell(datetime.date(2025, 6, 2)) == "2025-06-02"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "yes"
