"""Database binding, and what the embedded SQLite default needs to take many respondents at once."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from consult.extensions import db

SQLITE_BUSY_TIMEOUT_SECONDS = 30
STATEMENT_ENGINE = "consult.statement_engine"


def init_database(app: Flask) -> None:
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("connect_args", {})["timeout"] = SQLITE_BUSY_TIMEOUT_SECONDS
    db.init_app(app)
    app.teardown_appcontext(release_session)
    app.teardown_appcontext(close_statement_connection)
    with app.app_context():
        if db.engine.dialect.name == "postgresql" or sqlite_file(db.engine):
            app.extensions[STATEMENT_ENGINE] = statement_engine_for(db.engine, options)


def sqlite_file(engine: Engine) -> bool:
    """A SQLite database in a file, which a second engine opens again (an in-memory one it could not)."""
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def statement_engine_for(engine: Engine, options: dict[str, Any]) -> Engine:
    """The app's database again, with a pool of its own whose connections stay in autocommit. Borrowing one of
    the app's pooled connections and switching it to autocommit for a request, then back at check-in, took
    41% more instructions than borrowing one that stays in autocommit, its query included. Creating the
    engine connects to nothing.

    Its commits do not wait for the disk (``synchronous_commit=off``). The only writes it carries are a
    respondent's draft saves; after a crash of the database server at most the last fraction of a second of
    them is lost, so a respondent finds the previous page's answers again, never a wrong or partial draft
    (PostgreSQL keeps the order and atomicity of asynchronous commits). Waiting for the disk on each step was
    the largest part of a step's time on a disk whose flush takes milliseconds. Submissions and admissions
    run in the app's sessions and stay synchronous.

    On SQLite its reads take no lock at all (WAL), where a session's transaction takes the write lock at its
    BEGIN IMMEDIATE: every respondent's page waited for every other's."""
    arguments = dict(options.get("connect_args", {}))
    if engine.dialect.name == "postgresql":
        arguments["options"] = f"{arguments.get('options', '')} -c synchronous_commit=off".strip()
    rest = {name: value for name, value in options.items() if name != "connect_args"}
    return create_engine(engine.url, **rest, connect_args=arguments, isolation_level="AUTOCOMMIT")


def dispose_engines(close: bool = True) -> None:
    """Drop the pooled connections of the app's engines: in a forked process (``close=False``: they are the
    parent's), or when a database is dropped."""
    DISPOSALS[0] += 1
    drop_held_connection(close)
    db.engine.dispose(close=close)
    statements = current_app.extensions.get(STATEMENT_ENGINE)
    if statements is not None:
        statements.dispose(close=close)


def statements_alone() -> None:
    """Run this request's ``Precompiled`` statements on a connection of their own in autocommit, each
    statement its own transaction: no BEGIN and COMMIT round trips, no ORM session around them, and on SQLite
    no write lock for a read. For a request whose statements each stand alone. Not when the session is made
    bound to a connection already in a transaction (tests), whose statements then run in that transaction;
    the check reads the session factory, so that a page that needs no ORM session does not create one. A read
    through the session in such a request ends its transaction at once (``end_session_reads``)."""
    if db.session.session_factory.kw.get("bind") is not None or "statement_connection" in g:
        return
    if STATEMENT_ENGINE in current_app.extensions:
        g.statement_connection = autocommit_connection()


@dataclass
class HeldConnection:
    """A thread's autocommit connection, kept from one request to the next: borrowing one from the pool and
    giving it back around every request was a twentieth of a respondent page's CPU. In autocommit it carries
    no transaction from a request to the next. It is given up when the engines are disposed (their count of
    disposals moves on: another thread's, possibly cut too, is replaced at its next request), for another
    engine (tests switch apps), and given back to its pool when its thread ends."""

    engine: Engine
    connection: Connection
    disposals: int
    pid: int = field(default_factory=os.getpid)

    def usable(self, engine: Engine) -> bool:
        fresh = self.engine is engine and self.disposals == DISPOSALS[0]
        return fresh and not (self.connection.invalidated or self.connection.closed)

    def __del__(self) -> None:
        """When its thread ends: back to its pool, except in a forked child, which must never touch (reset,
        close) a connection whose socket its parent still uses."""
        if self.pid != os.getpid():
            INHERITED.append(self.connection)
        elif not self.connection.closed:
            self.connection.close()


THREAD = threading.local()
DISPOSALS = [0]
"""How many times this process disposed its engines: a connection held from before is replaced."""
INHERITED: list[Connection] = []
"""Connections a forked process inherited from its parent: kept from the garbage collector and never closed,
as closing one would end the parent's session on the socket they share."""


def end_session_reads() -> None:
    """End the session's transaction after a read, in a request whose statements run alone: on SQLite it
    holds the write lock from its BEGIN IMMEDIATE, and the request's own write on its autocommit connection
    (a draft saved after the layout was loaded through the session) would wait for it."""
    if g.get("statement_connection") is not None:
        db.session.rollback()


def autocommit_connection() -> Connection:
    engine = current_app.extensions[STATEMENT_ENGINE]
    held: HeldConnection | None = getattr(THREAD, "held", None)
    if held is None or not held.usable(engine):
        drop_held_connection(close=True)
        THREAD.held = held = HeldConnection(engine, engine.connect(), DISPOSALS[0])
    return held.connection


def drop_held_connection(close: bool) -> None:
    """Forget this thread's connection: closed, unless it is the parent's in a forked process."""
    held = THREAD.__dict__.pop("held", None)
    if held is not None and close:
        held.connection.close()
    elif held is not None:
        held.pid = -1


def reconnected(lost: Connection, error: BaseException) -> Connection:
    """A connection of the same kind as ``lost``, which the database cut: the request's new autocommit
    connection (not ``lost`` revalidated, which would come back in a transaction nobody commits), or the
    session's, in a new transaction. The pools are renewed, as SQLAlchemy renews one on a disconnect it sees
    itself: their other connections date from before the loss."""
    lost.invalidate(error)
    dispose_engines()
    if g.get("statement_connection") is lost:
        g.statement_connection = autocommit_connection()
        return g.statement_connection
    db.session.rollback()
    return db.session.connection()


UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
"""What a database that is down, restarting, cutting connections or out of connections raises: the same
request may well succeed a moment later."""


def database_unavailable(error: BaseException) -> bool:
    return isinstance(error, UNAVAILABLE) or getattr(error, "connection_invalidated", False)


def abandon_request_work() -> None:
    """Roll back what a failed request left in the session, whatever state its connection is in: a
    rollback on a connection the database cut fails in its turn, and must not hide the first error."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()


def commit_if_used() -> None:
    """Commit the request's ORM session if a statement or an object used it. Committing a session nothing
    used (a draft saved on the autocommit connection) still begins and ends an empty transaction, a few
    percent of a step's CPU."""
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()


def release_session(_error: BaseException | None = None) -> None:
    """End the request's session before Flask-SQLAlchemy's own teardown does (teardowns run last registered
    first): ending it rolls back, which fails on a connection the database cut after the answer was made,
    and an error there would turn a page already answered into an error 500. The session is then dropped."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        db.session.registry.clear()


def dialect_name() -> str:
    """The dialect this request's statements run on, without starting an ORM session for the question."""
    connection = g.get("statement_connection")
    return connection.dialect.name if connection is not None else db.session.get_bind().dialect.name


def close_statement_connection(_error: BaseException | None = None) -> None:
    """The request lets go of its autocommit connection; the thread keeps it for its next request."""
    g.pop("statement_connection", None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers run beside the writer; the busy timeout makes writers queue instead of failing;
    secure_delete overwrites deleted rows (admitted ballots, taken drafts) instead of keeping them in free
    pages."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "secure_delete=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection) -> None:
    """Take the write lock at BEGIN, so writers queue instead of deadlocking ("database is locked"). Not on
    a connection in autocommit, whose statements are each their own transaction."""
    autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    if connection.dialect.name == "sqlite" and not autocommit:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def disconnected(connection: Connection, error: Exception) -> bool:
    return connection.dialect.is_disconnect(error, connection.connection.dbapi_connection, None)


def failure(connection: Connection, error: Exception) -> DBAPIError:
    """``error``, raised by the driver under ``Precompiled``, as SQLAlchemy would have raised it, without the
    statement's parameters (token hashes, sealed answers). A connection the database cut is invalidated and
    the pools renewed, so that rolling back does not touch it and no later request borrows a dead one."""
    lost = disconnected(connection, error)
    if lost:
        connection.invalidate(error)
        dispose_engines()
    return DBAPIError.instance(
        None,
        None,
        error,
        connection.dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=lost,
        dialect=connection.dialect,
    )


@dataclass(frozen=True)
class Plan:
    sql: str
    order: tuple[str, ...] | None
    """Bind names in the order of a positional paramstyle (SQLite's ``?``), else None (named)."""
    literals: dict[str, Any]
    binds: dict[str, Callable | None]
    results: tuple[Callable | None, ...]


class Precompiled:
    """A statement compiled by SQLAlchemy once per dialect, then run straight on a DBAPI cursor: of the
    request's own autocommit connection when ``statements_alone`` gave it one, else of the session's
    connection, in the session's transaction.

    SQLAlchemy's per-execution work (execution context, result metadata, events) costs a respondent's page
    more than the database's own work on its one indexed query. The column types' own bind and result
    processors are kept, so values go in and come out as ``db.session.execute`` gives them; rows come back as
    plain tuples. For a SELECT or a statement with RETURNING (``first``), or a statement whose row count tells
    the outcome (``rowcount``); every bind of the statement must be named and given.
    """

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self.plans: dict[str, Plan] = {}

    def first(self, params: dict[str, Any]) -> tuple | None:
        plan, cursor = self.run(params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return tuple(
            convert(value) if convert else value for convert, value in zip(plan.results, row, strict=True)
        )

    def rowcount(self, params: dict[str, Any]) -> int:
        cursor = self.run(params)[1]
        try:
            return cursor.rowcount
        finally:
            cursor.close()

    def run(self, params: dict[str, Any]) -> tuple[Plan, Any]:
        """Run on the request's autocommit connection, else in the session's transaction. A statement lost
        with its connection (the database restarted, or a pooled connection was cut) is run once more on a
        fresh one when nothing else can have been lost with it: on the autocommit connection, where each
        statement is its own transaction and reads, or writes the same values again; or as the first
        statement of the session's transaction. The respondent then sees no error. Any other failure is
        raised as SQLAlchemy raises it (``DBAPIError``), the lost connection invalidated."""
        alone = g.get("statement_connection")
        first = alone is None and not db.session().in_transaction()
        connection = alone or db.session.connection()
        try:
            return self.execute(connection, params)
        except connection.dialect.loaded_dbapi.Error as error:
            if not (alone or first) or not disconnected(connection, error):
                raise failure(connection, error) from error
            retry = reconnected(connection, error)
        try:
            return self.execute(retry, params)
        except retry.dialect.loaded_dbapi.Error as error:
            raise failure(retry, error) from error

    def execute(self, connection: Connection, params: dict[str, Any]) -> tuple[Plan, Any]:
        plan = self.plan(connection.dialect)
        given = plan.literals | params
        values = {
            name: convert(given[name]) if convert else given[name] for name, convert in plan.binds.items()
        }
        cursor = connection.connection.cursor()
        try:
            cursor.execute(plan.sql, values if plan.order is None else tuple(values[n] for n in plan.order))
        except BaseException:
            cursor.close()
            raise
        return plan, cursor

    def plan(self, dialect: Dialect) -> Plan:
        if dialect.name not in self.plans:
            compiled = self.statement.compile(dialect=dialect)
            columns = getattr(self.statement, "selected_columns", None) or self.statement.exported_columns
            self.plans[dialect.name] = Plan(
                sql=compiled.string,
                order=tuple(compiled.positiontup) if dialect.positional else None,
                literals={name: b.effective_value for name, b in compiled.binds.items() if not b.required},
                binds={
                    name: b.type.dialect_impl(dialect).bind_processor(dialect)
                    for name, b in compiled.binds.items()
                },
                results=tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns),
            )
        return self.plans[dialect.name]
