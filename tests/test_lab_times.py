"""Every lab's opening states the run time recorded by tools/lab_times.py."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lab_times  # noqa: E402


def test_every_lab_states_its_recorded_time_alone_and_beside_a_busy_core():
    record = json.loads(lab_times.RECORD.read_text())
    labs = sorted(path.stem for path in (ROOT / "labs").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(record) == labs
    for stem in labs:
        opening = "".join(
            json.loads((ROOT / "labs" / f"{stem}.ipynb").read_text())["cells"][0]["source"]
        )
        assert lab_times.statement(record[stem]) in opening, stem
        assert len(lab_times.PARAGRAPH.findall(opening)) == 1, stem


def test_beside_a_busy_core_no_lab_collapses():
    """The thread policy's promise (utils/threads.py), as last recorded.

    Before it, a busy core made labs 3.6-17x slower (README). One free core
    cannot do the work of two, so a lab whose PyTorch training gains 1.6-1.9x
    from a second thread (lab 06) may take up to 1.5x its time alone.
    """
    record = json.loads(lab_times.RECORD.read_text())
    for stem, times in record.items():
        assert times["busy"] <= 1.5 * times["alone"], (stem, times)
    total = {key: sum(times[key] for times in record.values()) for key in ("alone", "busy")}
    assert total["busy"] <= 1.3 * total["alone"], total


def test_minutes_reads_as_a_student_would():
    assert lab_times.minutes(40.4) == "40 s"
    assert lab_times.minutes(150) == "2.5 min"
