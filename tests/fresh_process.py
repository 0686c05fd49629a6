"""What a test runs in a fresh process (``multiprocessing`` spawn), in a module the child
can import by name."""

from __future__ import annotations

import asyncio
import os
import resource
from multiprocessing.connection import Connection

from ieiwatch.config import AppConfig, Settings
from ieiwatch.flows.polling import run_pass


def pass_in_fresh_process(settings: Settings, config: AppConfig, out: Connection) -> None:
    """Run one pass; send what each source ended in, and this process's peak RSS in bytes."""
    # Helper processes the pass may start (the classifier's pool) outlive this one: they
    # must not hold the test run's output open.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    report = asyncio.run(run_pass(settings, config))  # it ends the classifier's workers
    out.send(
        {
            "sources": {s.name: (str(s.status), list(s.errors), s.new) for s in report.sources},
            "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }
    )
    out.close()
