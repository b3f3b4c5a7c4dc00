"""Live feeds over HTTP: a WSGI application that calendar apps and feed readers poll.

``timeline serve`` runs it with waitress (``pip install 'timeline-core[serve]'``); any WSGI server runs
`make_app` (see the README's "Publishing a feed"). It only reads the store.
"""

from timeline.serve.app import FeedApp, make_app

__all__ = ["FeedApp", "make_app"]
