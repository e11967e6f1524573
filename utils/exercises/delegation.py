"""An answer that calls what it was asked to write: while a check runs, the
exercise's reference and the helpers it replaces raise ``Delegated``."""

from __future__ import annotations

import contextlib
import importlib
import inspect
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Spec


class Delegated(BaseException):
    """Raised when an answer runs code it was asked to write itself.

    A BaseException, so that the answer's own ``except Exception`` cannot
    swallow it.  ``str()`` names the function: module and name, or the name
    and "(the lab's)" for a function the notebook defines.
    """

    def __str__(self) -> str:
        module, name = self.args
        return f"{name} (the lab's)" if module == "__main__" else f"{module}.{name}"


def _tripwire(function) -> Any:
    """Return code that raises ``Delegated`` naming ``function``, with the same
    free variables (``super()`` needs ``__class__``), to swap in for its own."""
    free = function.__code__.co_freevars
    source = "def outer():\n"
    source += "".join(f"    {name} = None\n" for name in free)
    source += (
        "    def tripped(*args, **kwargs):\n"
        + (f"        {', '.join(free)}\n" if free else "")
        + "        frame = __import__('sys')._getframe(0)\n"
        "        raise __import__('utils.exercises.delegation', fromlist=['_'])"
        ".Delegated(frame.f_globals.get('__name__', '__main__'),"
        " frame.f_code.co_qualname)\n"
        "    return tripped\n"
    )
    namespace: dict = {}
    exec(source, namespace)
    code = namespace["outer"]().__code__
    return code.replace(
        co_name=function.__code__.co_name, co_qualname=function.__code__.co_qualname
    )


def _functions(target) -> list:
    """The Python functions of ``target``: itself, or a class's methods."""
    if inspect.isclass(target):
        return [value for value in vars(target).values() if inspect.isfunction(value)]
    return [target] if inspect.isfunction(target) else []


def _resolve(target: str, namespace: dict) -> Any:
    """``module:attribute``, or a bare name in ``namespace`` (None if absent)."""
    if ":" not in target:
        return namespace.get(target)
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module), attribute)


@contextlib.contextmanager
def forbidden(spec: Spec, answer: Any, namespace: dict | None = None):
    """While the block runs, the reference of ``spec`` and the helpers it
    replaces raise ``Delegated`` when called, however the answer reached them.

    Nothing is forbidden when ``answer`` is the reference itself.
    """
    targets = [_resolve(t, namespace or {}) for t in (spec.reference, *spec.replaces)]
    if any(answer is target for target in targets):
        yield
        return
    swapped = [(f, f.__code__) for t in targets for f in _functions(t)]
    try:
        for function, _ in swapped:
            function.__code__ = _tripwire(function)
        yield
    finally:
        for function, code in swapped:
            function.__code__ = code
