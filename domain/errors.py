"""The root of ieiwatch's own errors, so a caller can tell them from bugs.

Each layer raises its own family near the cause (``ConfigError``, ``ScrapeError``,
``NotifyError``, ``MigrationError``, ``SubscriberError``, ``BackfillError``,
``ServeError``); the flows catch them at their boundary and record them per source.
"""

from __future__ import annotations


class IeiwatchError(Exception):
    """Something ieiwatch itself refuses or cannot do, with a message that names the thing."""
