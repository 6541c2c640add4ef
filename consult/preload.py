"""The heavy modules that requests and tasks import where they use them (statistics, disclosure control,
charts, documents). The command line never loads them unless a command needs them; the web and worker
processes load them once, in the parent, before forking, so that no request or task pays for the import and
the children share the parent's memory."""

from __future__ import annotations

import importlib

HEAVY_MODULES = (
    "consult.analysis.results",
    "consult.analysis.charts",
    "consult.gap.documents",
)


def preload_heavy_modules() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)
