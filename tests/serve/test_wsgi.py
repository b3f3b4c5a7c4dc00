"""The application keeps the WSGI contract (PEP 3333), checked by the standard library's validator, and runs
under wsgiref's server too (which only gives PATH_INFO, already decoded)."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest

from tests.serve.helpers import request
from timeline.events import Meeting
from timeline.serve import FeedApp
from timeline.store import open_store
from timeline.when import When


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FeedApp]:
    store = open_store(str(tmp_path / "w.db"))
    store.append(
        "a b", [Meeting(id="v-1", when=When.parse("2025-04-14"), participants=("A",), title="Validated")]
    )
    yield FeedApp(store)
    store.close()


@pytest.mark.parametrize(
    ("path", "query", "headers", "method"),
    [
        ("/", "", {}, "GET"),
        ("/streams/a b.ics", "", {}, "GET"),
        ("/streams/a b.ics", "", {"HTTP_ACCEPT_ENCODING": "gzip"}, "GET"),
        ("/streams/a b.md", "", {}, "HEAD"),
        ("/streams/a b.md", "", {"HTTP_IF_NONE_MATCH": "*"}, "GET"),
        ("/streams/nope.md", "", {}, "GET"),
        ("/all.ics", "fuzzy=no", {}, "GET"),
        ("/all.ics", "", {}, "DELETE"),
    ],
)
def test_the_wsgi_contract(app: FeedApp, path: str, query: str, headers: dict[str, str], method: str) -> None:
    environ: dict[str, Any] = {
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_METHOD": method,
        **headers,
    }
    setup_testing_defaults(environ)
    seen: list[str] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append(status)
        return lambda data: None

    checked = validator(cast("Any", app))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the validator warns on what it tolerates
        result: Any = checked(environ, start_response)
        try:
            b"".join(result)
        finally:
            result.close()
    assert len(seen) == 1


def test_under_wsgiref(app: FeedApp) -> None:
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_port
        answer = request(port, "/streams/a%20b.ics")
        assert answer.status == 200
        assert b"Validated" in answer.body
        assert request(port, "/streams/a%20b.ics", {"If-None-Match": answer.headers["etag"]}).status == 304
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
