"""Long jobs of the embedded default (no task queue): one background thread of the web process runs them.

With Redis, exports and analyses go to the Celery workers; without it, Celery runs tasks in the caller, which
would hold the request until the file is built. Instead the request stores the job's row, hands the work to
this thread and answers at once with the job's page, which follows the row's progress as with Celery.
Jobs run one after another: each one already spreads its drawing over the machine's cores.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def in_background(app: Flask | None = None) -> bool:
    """Whether this app runs its jobs in the background thread (the embedded default, outside the CLI)."""
    return bool((app or current_app).config.get("CONSULT_JOB_THREAD"))


def executor() -> ThreadPoolExecutor:
    """Created on first use, so that a process forked after loading the app (gunicorn) starts its own."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="consult-job")
        return _executor


def submit(action: Callable[..., Any], *args: Any) -> Future:
    """Run ``action(*args)`` in the background thread, inside an app context of the current app."""
    return executor().submit(_run, current_app._get_current_object(), action, args)


def _run(app: Flask, action: Callable[..., Any], args: tuple) -> Any:
    from consult.extensions import db

    with app.app_context():
        try:
            return action(*args)
        except Exception:
            log.exception("background job %s failed", getattr(action, "__name__", action))
            raise
        finally:
            db.session.remove()
