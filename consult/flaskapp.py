"""The Flask class Consult runs on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask


class ConsultFlask(Flask):
    """Flask, with each view, hook and handler checked once for being a coroutine function instead of on
    every call: Flask asks ``ensure_sync`` about ten times a request (every hook, the view, the signals),
    and ``inspect.iscoroutinefunction`` unwraps each function to answer, a few percent of a respondent
    page's CPU."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.synchronous: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self.synchronous[func]
        except KeyError:
            synchronous = self.synchronous[func] = super().ensure_sync(func)
            return synchronous
        except TypeError:
            return super().ensure_sync(func)
