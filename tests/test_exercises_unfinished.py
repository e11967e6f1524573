"""Every exercise check of every lab fails, with a hint, on the student edition's stub."""
import importlib
import inspect
import pkgutil

import pytest

import utils.exercises

CHECKS = [pytest.param(check, id=f"{module.name}.{name}")
          for module in pkgutil.iter_modules(utils.exercises.__path__)
          for name, check in inspect.getmembers(importlib.import_module(f"utils.exercises.{module.name}"),
                                                inspect.isfunction)
          if name.startswith("check_")]


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: your answer here")


def test_every_lab_has_checked_exercises():
    labs = {param.id.split(".")[0] for param in CHECKS}
    assert labs == {f"lab0{i}" for i in range(1, 9)}


@pytest.mark.parametrize("check", CHECKS)
def test_unfinished_answer_fails_with_a_hint(check):
    with pytest.raises(AssertionError, match="not finished yet"):
        check(_stub)
