"""PostgreSQL: appends NOTIFY, the server LISTENs, so a poll when nothing was appended reads nothing; an
append from another process wakes it; while the listening connection is down, every request reads the log."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.serve.helpers import append, meeting, request
from timeline.serve import FeedApp
from timeline.serve.server import stop

STREAM = "listened"
URL = os.environ.get("TIMELINE_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="set TIMELINE_TEST_POSTGRES_URL to a scratch database URL")


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Wait for something another thread or process does (a NOTIFY arrives asynchronously, after the
    appender's COMMIT); fail, naming it, if it does not happen in time."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.01)


@pytest.fixture
def served_app() -> Iterator[tuple[int, FeedApp, list[int]]]:
    """waitress in this process on the test database, its application, and a count of its log reads."""
    import waitress.server

    from timeline.store import open_store, postgres

    postgres.reset_for_tests(URL)
    append(URL, STREAM, [meeting("n-1", "First")])
    store = open_store(URL)
    reads = [0]
    read_all = store.read_all

    def counted(after: int = 0) -> Any:
        reads[0] += 1
        return read_all(after=after)

    store.read_all = counted  # type: ignore[method-assign]
    app = FeedApp(store)
    server: Any = waitress.server.create_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port), app, reads
    finally:
        stop(server)
        thread.join(timeout=10)
        app.state.close()
        store.close()


def test_an_unchanged_poll_reads_nothing_and_an_append_wakes_the_server(
    served_app: tuple[int, FeedApp, list[int]],
) -> None:
    port, app, reads = served_app
    path = f"/streams/{STREAM}.ics"
    first = request(port, path)
    assert b"First" in first.body
    listener = app.state.listener
    assert listener is not None
    _until(lambda: listener.listening, "the listener connects")
    request(port, path)  # the one read after LISTEN began (what was appended before it)
    before = reads[0]
    for _ in range(5):
        assert request(port, path, {"If-None-Match": first.headers["etag"]}).status == 304
    assert reads[0] == before  # not one query
    seen = listener.notifications
    append(URL, STREAM, [meeting("n-2", "Second")])  # another process
    _until(lambda: listener.notifications > seen, "the append's NOTIFY")
    polled = request(port, path, {"If-None-Match": first.headers["etag"]})
    assert polled.status == 200
    assert b"Second" in polled.body
    assert reads[0] == before + 1
    assert request(port, path, {"If-None-Match": polled.headers["etag"]}).status == 304
    assert reads[0] == before + 1


def test_without_its_connection_the_server_reads_on_every_request(
    served_app: tuple[int, FeedApp, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from timeline.serve import _listen

    port, app, reads = served_app
    path = f"/streams/{STREAM}.json"
    request(port, path)
    listener = app.state.listener
    assert listener is not None
    _until(lambda: listener.listening, "the listener connects")
    monkeypatch.setattr(_listen, "RECONNECT_AFTER", 3600.0)  # it stays down for the rest of the test
    pid = listener._connection.info.backend_pid
    with psycopg.connect(URL, autocommit=True) as admin:  # the database ends the listener's session
        admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))
    _until(lambda: not listener.listening, "the dropped connection is seen")
    before = reads[0]
    append(URL, STREAM, [meeting("n-3", "Third")])  # no one listens: no NOTIFY reaches the server
    assert b"Third" in request(port, path).body  # the very next poll, read as without a listener
    settled = request(port, path)
    assert request(port, path, {"If-None-Match": settled.headers["etag"]}).status == 304
    assert reads[0] == before + 3  # one query per request


def test_the_listener_reconnects_and_reads_once_what_it_missed(
    served_app: tuple[int, FeedApp, list[int]],
) -> None:
    import psycopg

    port, app, reads = served_app
    path = f"/streams/{STREAM}.md"
    request(port, path)
    listener = app.state.listener
    assert listener is not None
    _until(lambda: listener.listening, "the listener connects")
    pid = listener._connection.info.backend_pid
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))
    _until(lambda: not listener.listening, "the dropped connection is seen")
    append(URL, STREAM, [meeting("n-4", "Fourth")])  # while no one listens
    _until(lambda: listener.listening, "the listener reconnects")
    assert listener._connection.info.backend_pid != pid
    assert b"Fourth" in request(port, path).body  # the one read after LISTEN began again
    before = reads[0]
    settled = request(port, path)
    assert request(port, path, {"If-None-Match": settled.headers["etag"]}).status == 304
    assert reads[0] == before
