"""Gunicorn settings for the web service. The access log never records the client's address."""

import os

bind = os.environ.get("CONSULT_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("WEB_THREADS", "2"))
"""One worker process per core, two threads each (one answers while the other waits for the database):
measured with ``bench/bench_respond.py`` on 2 cores, more processes or threads only added switching."""
worker_class = "gthread"
timeout = 60
accesslog = "-"
access_log_format = '- %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = True
"""The app is imported and built once, in the master, before the workers fork: a worker starts in milliseconds
and shares the master's memory instead of spending a second of CPU building its own copy."""


def post_fork(server, worker):
    """Each worker opens its own database connections, never one inherited from the master (SQLAlchemy's rule
    for forked processes). An app without Flask-SQLAlchemy (the benchmark's floor) has none to drop."""
    from consult.database import dispose_engines

    app = server.app.wsgi()
    if "sqlalchemy" in app.extensions:
        with app.app_context():
            dispose_engines(close=False)


def _logger_class():
    from consult.logs import gunicorn_logger_class

    return gunicorn_logger_class()


logger_class = _logger_class()


def on_starting(server):
    """Statistics, charts and documents are imported where they are used; the master imports them once,
    before the workers fork, so that no request pays for the import."""
    from consult.preload import preload_heavy_modules

    preload_heavy_modules()


def pre_fork(server, worker):
    """The app's objects, built once in the master, move to the collector's permanent generation before the
    fork: a worker's garbage collections no longer walk the whole preloaded heap (hundreds of thousands of
    objects from the scientific libraries), and its pages stay shared with the master."""
    import gc

    gc.freeze()
