"""Checks for the labs' exercises: one module per lab (``lab01``, ``lab02``, ...).

Every check raises AssertionError with a message that tells the student what
is wrong, including for an unfinished answer that still raises
NotImplementedError or returns None.
"""
from __future__ import annotations

from typing import Callable


def run_check(exercise: str, body: Callable[[], str]) -> None:
    """Run ``body`` (which asserts and returns a success message) as the check of ``exercise``."""
    try:
        message = body()
    except NotImplementedError as err:
        raise AssertionError(
            f"Exercise {exercise} is not finished yet: replace the `raise NotImplementedError` "
            "with your answer and run the cell again."
        ) from err
    except AssertionError as err:
        raise AssertionError(f"Exercise {exercise}: {err}") from None
    print(f"Exercise {exercise} passed: {message}")


def require(condition: bool, message: str) -> None:
    """Raise AssertionError with ``message`` when ``condition`` is false."""
    if not condition:
        raise AssertionError(message)
