"""The ``timeline`` console script's first module: it prepares the process, runs `timeline.cli`, and ends it.

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
- Regular expressions are compiled from a cache file of earlier runs' results (`_patterns`: about 5%).
- The process ends without tearing the interpreter down (about 2%: freeing every module, class and
  function one by one, memory the process gives back at once). It ends as the interpreter would: the
  `atexit` functions run (the generated-code cache is written by one), standard output and error are
  flushed, and only then `os._exit`. Where that could lose something (another thread still running, a
  flush that fails, an interpreter without `atexit._run_exitfuncs`) it returns, and the interpreter exits as
  it always did.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # not typing's: this module imports nothing before the collector is off
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DEFERRED", "main"]

#: What attrs imports and a command may never use (see `_deferred`): loaded on first use.
DEFERRED = ("inspect", "attr.validators", "attrs.validators", "tokenize")


def main() -> int:
    """Run the ``timeline`` command (`timeline.cli.console_main`); its exit status."""
    status = import_console_main()()
    end_now(status)
    return status


def import_console_main() -> Callable[[], int]:
    """`timeline.cli.console_main`, imported with the collector off (what the import made is frozen after),
    the compiled patterns cache installed and the `DEFERRED` modules deferred."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from _timeline_console import _deferred, _patterns

        _patterns.install()
        for name in DEFERRED:
            _deferred.defer(name)
        from timeline.cli import console_main
    finally:
        gc.freeze()  # long-lived: never worth traversing again
        if collecting:
            gc.enable()
    return console_main


def end_now(status: int) -> None:
    """End the process with `status` as the interpreter's exit would, without its teardown; return instead
    (the caller exits the usual way) where another thread runs or standard output cannot be flushed."""
    import atexit
    import threading

    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None or threading.active_count() > 1:
        return  # the interpreter waits for the other threads first, as it should
    run_exit_functions()  # and clears them: an exit after this one would not run them twice
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe, a closed stream: the interpreter reports it its own way
        return
    os._exit(status)
