"""Named points where the fault suite (``bench/fault_suite.py``) kills this process, to
prove what a crash there loses or repeats.

``IEIWATCH_FAILPOINT=<name>`` makes the process SIGKILL itself the first time it reaches
that point: no cleanup, no rollback, no ``finally``, as a power cut or the OOM killer
would. Unset (always, outside the suite), a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "IEIWATCH_FAILPOINT"
POINTS = ("store", "plan", "claimed", "sent")
"""store: articles inserted, their transaction not committed; plan: alerts planned in that
same transaction, not committed; claimed: deliveries claimed, nothing sent; sent: the
service accepted a message, its rows not yet marked sent (the crash window)."""


def reached(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
