"""The registry of incentive mechanisms: one class each, keyed by their [rules.KEY] table.

Every module in this package is imported and every :class:`Rule` subclass with a ``key`` is
registered, so adding a mechanism is adding a module; a test checks each one is exercised.
"""

import importlib
import pkgutil

from sim.rules.base import Facts, Rule


def _discover() -> dict[str, type[Rule]]:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    found: dict[str, type[Rule]] = {}
    todo = list(Rule.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        key = cls.__dict__.get("key")
        if key:
            if key in found and found[key] is not cls:
                raise RuntimeError(f"two rules share the key {key!r}: {found[key]} and {cls}")
            found[key] = cls
    return dict(sorted(found.items()))


REGISTRY: dict[str, type[Rule]] = _discover()

__all__ = ["REGISTRY", "Facts", "Rule"]
