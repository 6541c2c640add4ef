"""Entry point for ``celery -A consult.worker worker`` and ``celery -A consult.worker beat``."""

import importlib

from consult import create_app
from consult.celery_app import TASK_MODULES
from consult.preload import preload_heavy_modules

flask_app = create_app()
celery = flask_app.extensions["celery"]
for module in TASK_MODULES:
    importlib.import_module(module)
preload_heavy_modules()
