"""Name → class registry: new families register themselves, no if/elif chains anywhere."""

from __future__ import annotations

from collections.abc import Callable

REGISTRY: dict[str, type] = {}


def register(name: str) -> Callable[[type], type]:
    def deco(cls: type) -> type:
        if name in REGISTRY:
            raise ValueError(f"model family {name!r} registered twice")
        cls.family = name
        REGISTRY[name] = cls
        return cls

    return deco
