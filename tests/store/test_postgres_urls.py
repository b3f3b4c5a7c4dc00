"""PostgreSQL URLs (issue 9): every libpq secret kept out of `store.url`, repr and messages; a malformed URL
is a StoreError. These need no server, except the last one."""

from __future__ import annotations

import os

import pytest

from timeline.errors import StoreError

postgres = pytest.importorskip("timeline.store.postgres")

SECRETS = ("pw-in-netloc", "pw-in-query", "ssl-key-pass", "oauth-secret")
URL = (
    "postgresql://me:pw-in-netloc@127.0.0.1:1/tl?password=pw-in-query&sslpassword=ssl-key-pass"
    "&oauth_client_secret=oauth-secret&sslmode=disable&connect_timeout=2"
)


def test_every_libpq_secret_is_left_out_of_the_shown_url() -> None:
    libpq, _, shown = postgres.split_url(URL)
    for secret in SECRETS:
        assert secret not in shown
    assert "ssl-key-pass" in libpq  # libpq still gets them
    assert shown == "postgresql://me@127.0.0.1:1/tl?sslmode=disable&connect_timeout=2"
    assert {"password", "sslpassword"} <= postgres.SECRET_KEYS


def test_a_failed_connection_names_no_secret() -> None:
    with pytest.raises(StoreError) as info:
        postgres.PostgresStore(URL)
    for secret in SECRETS:
        assert secret not in str(info.value)
    assert "127.0.0.1" in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://me:pw-in-netloc@[::1/tl",  # an unclosed IPv6 bracket
        "postgresql://me:pw-in-netloc@db:notaport/tl?connect_timeout=1",
        "postgresql://me:pw-in-netloc@db/tl?sslpassword=ssl-key-pass&nonsense=1",
    ],
)
def test_a_malformed_url_is_a_store_error_without_secrets(url: str) -> None:
    with pytest.raises(StoreError) as info:
        postgres.PostgresStore(url)
    assert "pw-in-netloc" not in str(info.value)
    assert "ssl-key-pass" not in str(info.value)


def test_a_store_opened_with_secrets_shows_none(monkeypatch: pytest.MonkeyPatch) -> None:
    url = os.environ.get("TIMELINE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set TIMELINE_TEST_POSTGRES_URL")
    separator = "&" if "?" in url else "?"
    with postgres.PostgresStore(f"{url}{separator}sslpassword=ssl-key-pass") as store:
        assert "ssl-key-pass" not in store.url
        assert "ssl-key-pass" not in repr(store)


def test_reading_never_creates_a_postgres_store() -> None:
    url = os.environ.get("TIMELINE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set TIMELINE_TEST_POSTGRES_URL")
    separator = "&" if "?" in url else "?"
    fresh = f"{url}{separator}schema=never_created_here"
    with pytest.raises(StoreError, match="no store at"):
        postgres.PostgresStore(fresh, create=False)
    with postgres.PostgresStore(url) as store:
        rows = store._query("SELECT 1 FROM pg_namespace WHERE nspname = 'never_created_here'")
        assert rows == []


# -- URLs, continued -----------------------------------------------------------------------------------------


def test_the_shown_url_has_no_password_and_our_option_is_not_passed_to_libpq() -> None:
    libpq, name, shown = postgres.split_url(
        "postgresql://me:s3cret@db.example:5433/tl?schema=news&password=x&sslmode=require"
    )
    assert name == "news"
    assert "schema" not in libpq
    assert "s3cret" in libpq
    assert shown == "postgresql://me@db.example:5433/tl?schema=news&sslmode=require"
    assert postgres.split_url("postgres://db/tl")[1] == "timeline"


@pytest.mark.parametrize("bad", ["News", "a-b", "", "x" * 64, 'a"; DROP'])
def test_a_schema_name_that_is_not_a_plain_sql_name_is_refused(bad: str) -> None:
    with pytest.raises(StoreError, match="schema="):
        postgres.split_url(f"postgresql://db/tl?schema={bad}")
