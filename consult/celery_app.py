"""Celery wired the Flask way: one Celery app per Flask app, tasks run inside an app context."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, has_app_context

TASK_MODULES = (
    "consult.surveys.campaigns.tasks",
    "consult.surveys.invitations.tasks",
    "consult.surveys.responses.tasks",
    "consult.analysis.tasks",
    "consult.gap.tasks",
)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(app.config["CELERY"])
    celery.conf.update(include=list(TASK_MODULES))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def is_eager(app: Flask) -> bool:
    return bool(app.config["CELERY"].get("task_always_eager"))
