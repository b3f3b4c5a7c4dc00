"""The rules for stream names: what a new stream may be called, and what a store can look up at all.

Apart from the append algorithm (`timeline.store._append`) so that opening a store to read it, or a server
checking a name in a URL, does not import what appending needs.
"""

from __future__ import annotations

import functools
import re

from timeline.errors import ValidationError

__all__ = ["check_readable_name", "check_stream_name"]


def check_stream_name(stream: object) -> str:
    """`stream` if it is a valid name for a new stream, else a ValidationError saying what a name may hold.

    1-200 characters of Unicode text, none of them a control character (C0, DEL, C1), a line or paragraph
    separator, or a space other than the plain one: none of those can be told apart, or kept apart from
    the next line, in the outputs a stream name ends up in.
    """
    if not isinstance(stream, str) or not 0 < len(stream) <= 200 or _refused_in_names().search(stream):
        raise ValidationError(
            f"{stream!r} is not a valid stream name (1-200 characters; no control, separator or"
            " non-text characters)",
            path="stream",
        )
    return stream


def check_readable_name(stream: object) -> str:
    """`stream` if a store can look it up: a ValidationError for what is not Unicode text (a name decoded
    from bytes that are not UTF-8 holds lone surrogates), which no store can keep. Names appended before
    the rules of `check_stream_name` were tightened stay readable."""
    if isinstance(stream, str):
        try:
            stream.encode()  # refuses exactly the lone surrogates
        except UnicodeEncodeError:
            pass
        else:
            return stream
    raise ValidationError(f"{stream!r} is not a valid stream name (not Unicode text)", path="stream")


@functools.cache
def _refused_in_names() -> re.Pattern[str]:
    """Cc (C0, DEL, C1), Zl, Zp, the Zs spaces except U+0020, and the surrogates (Cs). Compiled on first
    use: only a new stream's name needs it, and its compilation costs a reading command a millisecond."""
    return re.compile(
        "[\x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ud800-\udfff]"
    )
