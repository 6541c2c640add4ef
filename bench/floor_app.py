"""The floor for ``bench_respond.py``: the least work a respondent's page can do, served by the same gunicorn.

Flask routes the request, one indexed query reads the invitation by its token's hash (on a connection of the
thread's own, in autocommit), and the answer is a page of the questionnaire's mean size. No extension, no
session, no template, no form, no write. Whatever the questionnaire costs beyond this is Consult's; this
much is what the machine, gunicorn, Flask, the database driver and the load generator take whatever the app
does. A rate the floor itself cannot reach, the questionnaire cannot reach on that machine.

    gunicorn -c gunicorn.conf.py 'bench.floor_app:create_app()'
        with DATABASE_URL (postgresql://... or sqlite:///PATH) and FLOOR_PAGE_BYTES set
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading

from flask import Flask, Response

QUERY = "SELECT used FROM invitation WHERE token_hash = {}"


def connector(url: str):
    """A function that opens one autocommit connection and returns it with the query in its paramstyle."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return lambda: (
            sqlite3.connect(path, isolation_level=None, check_same_thread=False),
            QUERY.format("?"),
        )
    import psycopg

    return lambda: (psycopg.connect(url, autocommit=True), QUERY.format("%s"))


def create_app() -> Flask:
    connect = connector(os.environ["DATABASE_URL"])
    page = b"<!doctype html>" + b"x" * max(int(os.environ.get("FLOOR_PAGE_BYTES", "30000")) - 15, 0)
    local = threading.local()
    app = Flask(__name__)

    @app.get("/floor/<token>")
    def floor(token: str) -> Response:
        if not hasattr(local, "connection"):
            local.connection, local.query = connect()
        cursor = local.connection.cursor()
        cursor.execute(local.query, (hashlib.sha256(token.encode()).digest(),))
        cursor.fetchone()
        cursor.close()
        return Response(page, mimetype="text/html")

    return app
