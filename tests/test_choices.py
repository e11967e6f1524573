"""No lab chooses anything on its test data.

Every choice a lab makes from data goes through ``utils.config.choose``, which
records it.  Each lab that chooses is run again with its test labels permuted
(``WORKBOOK_SCRAMBLE_TEST=1``, see ``utils.data.test_labels``): every choice
must come out the same.  The normal run's record comes from nbval's run of the
lab in the same session (conftest.py), or is made here when this file runs
alone.
"""

import json
import os
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from utils import data
from utils.config import choose

ROOT = Path(__file__).parents[1]
CHOOSING = [p for p in sorted((ROOT / "labs").glob("*.ipynb")) if "choose(" in p.read_text()]


def _run(path, record, monkeypatch, scramble):
    """Execute a lab (errors allowed: permuted labels fail its test asserts)."""
    record.unlink(missing_ok=True)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_CHOICES", str(record))
        if scramble:
            env.setenv("WORKBOOK_SCRAMBLE_TEST", "1")
        else:
            env.delenv("WORKBOOK_SCRAMBLE_TEST", raising=False)
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(
            notebook,
            timeout=900,
            kernel_name="python3",
            allow_errors=scramble,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    return _read(record)


def _read(record):
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_labs_that_choose_are_found():
    assert len(CHOOSING) >= 3, [p.stem for p in CHOOSING]


@pytest.mark.parametrize("path", CHOOSING, ids=lambda p: p.stem)
def test_choices_do_not_read_test_labels(path, tmp_path, monkeypatch):
    normal_record = Path(os.environ["WORKBOOK_CHOICES_DIR"]) / f"{path.stem}.jsonl"
    normal = _read(normal_record) or _run(
        path, tmp_path / "normal.jsonl", monkeypatch, scramble=False
    )
    scrambled = _run(path, tmp_path / "scrambled.jsonl", monkeypatch, scramble=True)
    assert normal, f"{path.stem} calls choose() but recorded no choice"
    assert scrambled == normal, (
        f"{path.stem}: a choice changed when only the test labels were permuted, "
        "so it reads them:\n"
        f"normal {normal}\nscrambled {scrambled}"
    )


def test_scrambling_permutes_only_the_test_labels(monkeypatch):
    plain = data.load_mnist(100, n_val=50, n_test=500, verbose=False)
    monkeypatch.setenv("WORKBOOK_SCRAMBLE_TEST", "1")
    scrambled = data.load_mnist(100, n_val=50, n_test=500, verbose=False)
    np.testing.assert_array_equal(plain.y_train, scrambled.y_train)
    np.testing.assert_array_equal(plain.y_val, scrambled.y_val)
    np.testing.assert_array_equal(np.sort(plain.y_test), np.sort(scrambled.y_test))
    assert np.mean(plain.y_test != scrambled.y_test) > 0.8
    np.testing.assert_array_equal(data.test_labels(np.arange(5)), data.test_labels(np.arange(5)))


def test_choose_records_and_refuses_the_test_set(tmp_path, monkeypatch, capsys):
    record = tmp_path / "choices.jsonl"
    monkeypatch.setenv("WORKBOOK_CHOICES", str(record))
    assert choose("k", 3, on="validation") == 3
    assert "chosen on validation: k = 3" in capsys.readouterr().out
    assert _read(record) == [{"name": "k", "value": "3"}]
    with pytest.raises(ValueError, match="test set"):
        choose("k", 3, on="the test set")
