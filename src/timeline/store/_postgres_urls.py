"""PostgreSQL URLs: libpq's URL plus our ``schema=NAME`` option, and the secrets in it kept out of sight.

`split_url` gives the URL libpq gets, the schema name, and the URL to show (`PostgresStore.url`, reprs,
messages) without the password or any option libpq treats as a password (`SECRET_KEYS`).
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import pq

from timeline.errors import StoreError
from timeline.store import _postgres_schema as schema

__all__ = ["SECRET_KEYS", "scrubbed", "secrets_of", "split_url"]


def _secret_keys() -> frozenset[str]:
    """The connection options libpq itself treats as passwords (shown as "*"), and the two we know of."""
    keys = {"password", "sslpassword"}
    with suppress(psycopg.Error, AttributeError):
        keys.update(o.keyword.decode() for o in pq.Conninfo.get_defaults() if o.dispchar == b"*")
    return frozenset(keys)


#: URL query keys whose values are secrets: never in `store.url`, a repr or a message.
SECRET_KEYS = _secret_keys()


def split_url(url: str) -> tuple[str, str, str]:
    """(the libpq URL without our options, the schema name, the URL to show: without any secret).

    StoreError for a URL that cannot be parsed; its message quotes no part of the URL that may be secret.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parses the port, raising ValueError for one that is not a number
    except ValueError as exc:
        raise StoreError(f"malformed PostgreSQL URL ({exc})") from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = dict(query)
    name = options.get("schema", schema.DEFAULT_SCHEMA)
    schema.quoted_schema(name)  # validates
    libpq = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k != "schema"])))
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = userinfo.partition(":")[0] + "@" + hostport
    shown = urlunsplit(
        parts._replace(netloc=netloc, query=urlencode([(k, v) for k, v in query if k not in SECRET_KEYS]))
    )
    return libpq, name, shown


def secrets_of(url: str) -> list[str]:
    """The secret values in a URL (its password and every secret option, also as written), longest first."""
    parts = urlsplit(url)
    found = [parts.password or ""]
    found += [value for key, value in parse_qsl(parts.query, keep_blank_values=True) if key in SECRET_KEYS]
    for value in list(found):
        found.append(quote(value, safe=""))  # as written in the URL
    return sorted({value for value in found if value}, key=len, reverse=True)


def scrubbed(message: str, secrets: list[str]) -> str:
    """`message` with every one of `secrets` replaced by ``***``."""
    for secret in secrets:
        message = message.replace(secret, "***")
    return message
