"""``timeline serve``: the application under waitress, a production-grade, pure-Python WSGI server.

waitress comes with the ``serve`` extra (``pip install 'timeline-core[serve]'``); it runs on every
platform and needs no compiler. It binds to loopback unless told otherwise: put a reverse proxy in
front to publish.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

from timeline.errors import TimelineError
from timeline.serve.app import FeedApp

if TYPE_CHECKING:
    from timeline.store import EventStore

__all__ = ["ServerMissingError", "make_server", "run", "stop"]


class ServerMissingError(TimelineError):
    """waitress is not installed."""


def make_server(store: EventStore, *, host: str = "127.0.0.1", port: int = 8080, threads: int = 4) -> Any:
    """A waitress server of the feeds of `store`, bound and not yet running (``port=0``: any free port;
    the one it got is ``server.effective_port``; its `FeedApp` is ``server.feed_app``)."""
    try:
        import waitress.server
    except ImportError:
        raise ServerMissingError(
            "timeline serve needs waitress: pip install 'timeline-core[serve]'"
            " (or run timeline.serve.make_app under another WSGI server)"
        ) from None
    app = FeedApp(store)
    server = waitress.server.create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="timeline",
        clear_untrusted_proxy_headers=True,
    )
    server.feed_app = app  # waitress may wrap the application it serves: this is ours, to close
    return server


def stop(server: Any) -> None:
    """Ask a server from `make_server`, running in another thread, to close; its `run` then returns.

    The close runs in the server's own loop (through its trigger), so no socket is closed under a select.
    """
    try:
        server.trigger.pull_trigger(server.close)
    except OSError:  # its loop has ended and closed the trigger already: closing is all that is left
        server.close()


def run(store: EventStore, *, host: str, port: int, out: TextIO | None = None) -> None:
    """Serve until interrupted; print the address first (so a script learns the port ``--port 0`` got)."""
    server = make_server(store, host=host, port=port)
    shown = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    print(
        f"serving http://{shown}:{server.effective_port}/ (read-only; Ctrl-C stops)", file=out or sys.stdout
    )
    (out or sys.stdout).flush()
    try:
        server.run()
    finally:
        server.close()
        server.feed_app.state.close()  # the NOTIFY listener, if any
