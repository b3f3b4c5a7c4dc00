"""A real server on loopback for the tests, a plain HTTP client, and appends from another process."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from timeline.serve.server import make_server, stop
from timeline.store import open_store

TIMELINE = [sys.executable, "-m", "timeline.cli"]


@attrs.frozen(kw_only=True)
class Response:
    """What the server answered."""

    status: int
    headers: Mapping[str, str]  # names lowercased
    body: bytes


def request(port: int, path: str, headers: Mapping[str, str] | None = None, method: str = "GET") -> Response:
    """One request over a fresh connection to 127.0.0.1:`port` (http.client: no proxy, no decoding)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, headers=dict(headers or {}))
        answer = conn.getresponse()
        body = answer.read()
        return Response(
            status=answer.status, headers={k.lower(): v for k, v in answer.getheaders()}, body=body
        )
    finally:
        conn.close()


@contextmanager
def served(db: Path | str) -> Iterator[int]:
    """waitress serving the store at `db` in a thread of this process, on a free port; yields the port."""
    store = open_store(str(db))
    server = make_server(store, port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        stop(server)
        thread.join(timeout=10)
        assert not thread.is_alive()
        server.feed_app.state.close()
        store.close()


def append(db: Path | str, stream: str, events: Sequence[Mapping[str, Any]]) -> None:
    """Append `events` with `timeline append` in another process."""
    lines = "".join(json.dumps(event) + "\n" for event in events)
    done = subprocess.run(
        [*TIMELINE, "--store", str(db), "append", stream, "-"],
        input=lines.encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()


def export_cli(db: Path, args: Sequence[str]) -> bytes:
    """What `timeline export` writes to standard output, run in another process."""
    done = subprocess.run(
        [*TIMELINE, "--store", str(db), "export", *args], capture_output=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def meeting(event_id: str, title: str, when: str = "2025-04-14") -> dict[str, Any]:
    """A meeting event as JSON Lines give it."""
    return {
        "type": "meeting",
        "id": event_id,
        "when": when,
        "participants": ["Nayib Bukele", "Donald Trump"],
        "title": title,
        "place": "White House",
    }


def call(
    app: Any, path: str, query: str = "", headers: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str], bytes]:
    """Call the WSGI application `app` in this process: (status line, headers, body)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.encode().decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8080",
        "wsgi.url_scheme": "http",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()},
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> Any:
        answer["status"], answer["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body
