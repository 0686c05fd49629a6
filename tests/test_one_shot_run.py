"""A one-shot `ieiwatch run` exits without a garbage-collection sweep over the heap it
built (about a second at 1,000 sources), and only once every other exit handler (Prefect's
last logs and events) has run; a pass leaves what the process held before it (imports,
clients) out of the collector's reach, once its garbage is collected."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path


def test_the_heap_is_frozen_only_after_the_other_exit_handlers_ran(tmp_path: Path) -> None:
    script = (
        "import atexit, gc, sys\n"
        "from ieiwatch.cli.common import freeze_heap_at_exit\n"
        "atexit.register(lambda: print('last, frozen:', gc.get_freeze_count() > 0))\n"
        "freeze_heap_at_exit()\n"
        "gc.collect()\n"
        "atexit.register(lambda: print('handler ran, frozen:', gc.get_freeze_count() > 0))\n"
        "sys.exit(3)\n"
    )
    done = _python(script)
    assert done.returncode == 3  # the exit status is kept
    assert done.stdout.split("\n")[:2] == ["handler ran, frozen: False", "last, frozen: True"]


def test_a_pass_freezes_the_heap_it_starts_with_after_collecting_its_garbage(
    tmp_path: Path,
) -> None:
    script = (
        "import asyncio, gc, weakref\n"
        "from ieiwatch.config.schema import AppConfig\n"
        "from ieiwatch.config.settings import Settings\n"
        "from ieiwatch.flows.polling import run_pass\n"
        "class Node: pass\n"
        "node = Node(); node.me = node\n"
        "gone = weakref.ref(node); del node\n"
        f"settings = Settings(database_url='sqlite:///{tmp_path / 'w.db'}')\n"
        "asyncio.run(run_pass(settings, AppConfig()))\n"
        "print(gc.get_freeze_count() > 0, gone() is None)\n"
    )
    done = _python(script)
    # Frozen, and the cycle made before the pass was freed, not frozen with the rest.
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_a_pass_caps_mallocs_arenas_unless_the_environment_already_does() -> None:
    # In a fresh interpreter: mallopt changes the process for good.
    script = (
        "import os\n"
        "from ieiwatch.flows.runtime import limit_malloc_arenas\n"
        "print(limit_malloc_arenas())\n"
        "os.environ['MALLOC_ARENA_MAX'] = '4'\n"
        "print(limit_malloc_arenas())\n"
    )
    done = _python(script)
    glibc = platform.libc_ver()[0] == "glibc"
    assert done.stdout.split() == [str(glibc), "False"], done.stderr


def test_a_run_on_a_database_at_the_head_does_not_import_alembic(tmp_path: Path) -> None:
    # Alembic costs a one-shot run about 0.4 s and 12 MB; only a migration needs it.
    db = tmp_path / "w.db"
    script = (
        "import sys\n"
        "from ieiwatch.storage.db import init_db, make_engine\n"
        f"engine = make_engine('sqlite:///{db}')\n"
        "init_db(engine)\n"
        "print('alembic' in sys.modules)\n"
    )
    first, second = _python(script), _python(script)
    assert (first.stdout.split(), second.stdout.split()) == (["True"], ["False"]), second.stderr


def test_the_command_line_imports_alembic_only_for_its_db_commands() -> None:
    done = _python("import sys, ieiwatch.cli.main; print('alembic' in sys.modules)")
    assert done.stdout.split() == ["False"], done.stderr


def test_the_process_that_fetches_and_stores_imports_no_page_reader() -> None:
    # Feed and HTML parsing and the classifier run in the page pool's workers; importing
    # them in a one-shot run's own process cost it about 0.2 s before every pass. The
    # command line registers every command (`classify` and `eval` too) before it runs one.
    script = (
        "import sys\n"
        "import ieiwatch.cli.main, ieiwatch.flows.monitor, ieiwatch.flows.local_server\n"
        "ieiwatch.cli.main.register_commands()\n"
        "print(*(m in sys.modules for m in ('feedparser', 'bs4', 'ieiwatch.classify.core')))\n"
        "from ieiwatch.classify import classify\n"
        "print(classify('x', 'y', 'en').relevant, 'ieiwatch.classify.core' in sys.modules)\n"
    )
    done = _python(script)
    assert done.stdout.split() == ["False", "False", "False", "False", "True"], done.stderr


def test_a_flow_records_plain_parameters_as_given_without_importing_fastapi() -> None:
    # Prefect imports FastAPI (0.1 to 0.17 s) to encode a flow run's parameters; ours are
    # JSON already. A value that is not still takes Prefect's way, with FastAPI.
    script = (
        "import sys, datetime\n"
        "from ieiwatch.flows.monitor import monitor\n"
        "from ieiwatch.flows.backfill import backfill\n"
        "given = {'config_path': '/c.yaml', 'database_url': None, 'sources': ['a', 'b']}\n"
        "print(monitor.serialize_parameters(given) == given, 'fastapi' in sys.modules)\n"
        "print(backfill.serialize_parameters({'since': datetime.date(2026, 1, 2)}))\n"
    )
    done = _python(script)
    assert done.stdout.split("\n")[:2] == ["True False", "{'since': '2026-01-02'}"], done.stderr


def _python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
