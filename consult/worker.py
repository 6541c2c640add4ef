"""Entry point for ``celery -A consult.worker worker`` and ``celery -A consult.worker beat``."""

import importlib

from consult import create_app
from consult.celery_app import TASK_MODULES

flask_app = create_app()
celery = flask_app.extensions["celery"]
for module in TASK_MODULES:
    importlib.import_module(module)
