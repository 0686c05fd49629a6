"""The root of ieiwatch's own errors, so a caller can tell them from bugs.

Each layer raises its own family near the cause (``ConfigError``, ``ScrapeError``,
``NotifyError``, ``MigrationError``, ``SubscriberError``, ``BackfillError``,
``ServeError``); the flows catch them at their boundary and record them per source.
"""

from __future__ import annotations


class IeiwatchError(Exception):
    """Something ieiwatch itself refuses or cannot do, with a message that names the thing."""

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt without calling ``__init__``, whose arguments differ from ``args`` in
        # most subclasses: an error raised in a worker process must reach the caller as
        # itself, not as an unpickling failure that breaks the process pool.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(
    cls: type[IeiwatchError], args: tuple[object, ...], state: dict[str, object]
) -> IeiwatchError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error
