"""Mistakes a user can fix, said in one line.

An error in a sources file, a setting, the output directory or the state is
raised as an exception whose message is one line naming the file (or the
setting), the entry and the fix. The command line prints it as
``govlaw: <message>`` and exits with the exception's ``exit_code`` (2, a
usage error, unless the exception says otherwise); a traceback only with
--debug or -L DEBUG.
"""
from __future__ import annotations

import re
import sys
import traceback

EX_USAGE = 2


class GovlawError(Exception):
    """A mistake the user can fix; the message is the whole story."""

    exit_code = EX_USAGE


def user_error_types() -> tuple[type, ...]:
    """The exceptions answered with one line: govlaw's own, and the state's
    (govlaw.state.StateError, raised when a store cannot be opened)."""
    types: list[type] = [GovlawError]
    try:
        from govlaw.state import StateError  # noqa: PLC0415
    except ImportError:
        pass
    else:
        types.append(StateError)
    return tuple(types)


def one_line(exc: BaseException) -> str:
    return re.sub(r"\s*\n\s*", " ", str(exc).strip()) or type(exc).__name__


def exit_code(exc: BaseException) -> int:
    code = getattr(exc, "exit_code", EX_USAGE)
    return code if isinstance(code, int) and 0 < code < 256 else EX_USAGE


def report(exc: BaseException, debug: bool = False, stream=None) -> int:
    """Say what went wrong (with its traceback when debugging) and return the
    exit status to leave with."""
    stream = stream or sys.stderr
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=stream)
    stream.write(f"govlaw: {one_line(exc)}\n")
    stream.flush()
    return exit_code(exc)
