"""The ``timeline`` console script's first module: it prepares the process and runs `timeline.cli`.

It stands outside the ``timeline`` package because nothing inside it runs early enough: importing
``timeline.cli`` runs ``timeline/__init__`` first, which imports attrs and makes the event classes. What is
done here suits a process that ends when its command does, never a library user's process (``import
timeline`` does none of it). Each measured on ``timeline show`` with a small store (issue 11, start-up):

- The cyclic garbage collector is off while the command's modules are imported. An import makes long-lived
  objects (classes, functions, tables), so a collection during it frees nothing and only traverses them
  again (about 3% of the instructions). What they made is then frozen (`gc.freeze`) and the collector is on
  again before the command runs: a long command (an export of a large store, ``timeline serve``) collects
  its own garbage as usual.
- Modules attrs imports but a short command never uses (`DEFERRED`: inspect and with it ast, dis,
  tokenize; attrs's validators) are loaded on first use (`_deferred`: about 12%).

Tried and left out, for what they would risk: a cache of compiled regular expressions (about 5%: it
would copy the steps of ``re._compiler.compile`` and feed ``_sre.compile`` directly, private and
version-bound), and ending the process with ``os._exit`` after the `atexit` functions (about 2%: data a
plugin left buffered in a file it never closed would be lost).
"""

from __future__ import annotations

import gc

TYPE_CHECKING = False  # not typing's: this module imports nothing before the collector is off
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DEFERRED", "main"]

#: What attrs imports and a command may never use (see `_deferred`): loaded on first use.
DEFERRED = ("inspect", "attr.validators", "attrs.validators", "tokenize")


def main() -> int:
    """Run the ``timeline`` command (`timeline.cli.console_main`); its exit status."""
    return import_console_main()()


def import_console_main() -> Callable[[], int]:
    """`timeline.cli.console_main`, imported with the collector off (what the import made is frozen after)
    and the `DEFERRED` modules deferred."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from _timeline_console import _deferred

        for name in DEFERRED:
            _deferred.defer(name)
        from timeline.cli import console_main
    finally:
        gc.freeze()  # long-lived: never worth traversing again
        if collecting:
            gc.enable()
    return console_main
