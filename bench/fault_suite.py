"""Fault suite: kill a real ``ieiwatch run`` at each stage, rerun, and count the alerts.

    .venv/bin/python bench/fault_suite.py [--items N] [--postgres URL] [--only NAME ...]

Each scenario gets a fresh database, a loopback news site (a feed of N cooperation
stories, each title tagged ``K<n>-<scenario>``) and a loopback webhook receiver. The run is
a subprocess (``ieiwatch run``); it is killed with SIGKILL

* at ``fetch``: by the suite, once the site has answered the first article pages;
* at ``store`` / ``plan`` / ``claimed`` / ``sent``: by the process itself, through
  ``IEIWATCH_FAILPOINT`` (``storage/failpoints.py``), at the exact point;

then run again after the time a dead sender's claim takes to go stale (the suite ages the
claims in the database instead of waiting ``STALE_CLAIM``). Receivers that are slow (5 s),
failing (the first requests 500) and flapping (every other request 500) get retries the
same way (their backoff is aged). Two workers on PostgreSQL store the same stories from
two sites at once. The table shows, per scenario, the alerts expected, delivered,
duplicated and lost; the goal is 0 lost, and duplicates only where the kill lands in the
documented crash window (a message the service accepted, its rows not yet marked sent).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the loopback servers of the test suite

from servers import LocalSite, Route  # noqa: E402
from sqlalchemy import inspect, text  # noqa: E402

from ieiwatch.domain import utcnow  # noqa: E402
from ieiwatch.flows.local_server import LocalPrefectServer  # noqa: E402
from ieiwatch.storage.db import make_engine  # noqa: E402
from ieiwatch.storage.deliveries import STALE_CLAIM  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RUN_TIMEOUT = 180.0

UNIVERSITIES = ["滨江", "东海", "西岭", "南湖", "北辰", "青川", "临江", "云台", "望海", "松原"]
COMPANIES = ["恒远新能源", "星辰智能", "华信电池", "海川材料", "蓝鲸数据", "天工机器人"]
LABS = ["储能技术", "智能制造", "新材料", "工业软件", "机器人", "碳中和", "集成电路", "生物医药"]
FILLER = [
    "双方将围绕关键技术开展联合攻关，共同申报科研项目。",
    "企业每年投入研发经费，学校组建跨学科研究团队。",
    "实验室将面向行业开放共享大型仪器设备。",
    "双方还将共建实习实训基地，联合培养研究生和本科生。",
    "仪式上，双方负责人为联合实验室揭牌。",
    "学院党委书记主持签约仪式并讲话。",
    "企业技术骨干将担任学生的产业导师。",
    "合作期间，双方将定期召开技术交流会。",
    "该项目入选了省级产教融合重点项目。",
    "学校将在人才引进和成果转化方面给予支持。",
    "企业将提供真实生产项目作为教学案例。",
    "双方约定共享知识产权，推动成果就地转化。",
]


def story(i: int, tag: str) -> tuple[str, str]:
    """A distinct cooperation story: its title (with the suite's marker) and its text."""
    uni = UNIVERSITIES[i % len(UNIVERSITIES)] + ("大学" if i % 2 else "职业技术学院")
    company = COMPANIES[(i * 7) % len(COMPANIES)] + "集团有限公司"
    lab = LABS[(i * 3) % len(LABS)]
    title = f"{uni}与{company}共建{lab}联合实验室 K{i:02d}-{tag}"
    picked = [FILLER[(i * 5 + k * 7) % len(FILLER)] for k in range(4)]
    body = (
        f"11月{i + 1}日上午，{uni}与{company}签署校企合作协议，共建{lab}联合实验室，"
        f"首期投入{(i + 2) * 350}万元，编号{i:02d}。" + "".join(picked) + f"（第{i + 1}期项目）"
    )
    return title, body


def write_site(root: Path, items: int, tag: str) -> None:
    """A feed of ``items`` recent stories and their article pages."""
    now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(time.time() - 3600))
    entries = []
    (root / "art").mkdir(parents=True, exist_ok=True)
    for i in range(items):
        title, body = story(i, tag)
        page = (
            f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title>'
            f"</head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
        )
        (root / "art" / f"{i}.htm").write_text(page, encoding="utf-8")
        entries.append(
            f"<item><title>{title}</title><link>/art/{i}.htm</link>"
            f"<guid>{tag}-{i}</guid><pubDate>{now}</pubDate><description>{body}</description>"
            "</item>"
        )
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>fault suite {tag}</title><link>/</link><description>x</description>"
        + "".join(entries)
        + "</channel></rss>",
        encoding="utf-8",
    )


@dataclass
class Scenario:
    name: str
    what: str
    kill: str | None = None
    """A failpoint name, or ``fetch`` (killed by the suite), or None."""
    receiver: str = "ok"
    """ok, slow, failing or flapping."""
    digest: bool = False
    workers: int = 1
    postgres: bool = False
    items: int | None = None
    window: int = 0
    """Duplicates the documented crash window allows."""


@dataclass
class Outcome:
    scenario: Scenario
    expected: int
    delivered: int = 0
    duplicated: int = 0
    lost: int = 0
    runs: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated <= self.scenario.window


SCENARIOS = [
    Scenario("baseline", "no fault"),
    Scenario("kill-fetch", "SIGKILL while article pages are fetched", kill="fetch"),
    Scenario("kill-store", "SIGKILL with articles inserted, not committed", kill="store"),
    Scenario("kill-plan", "SIGKILL with alerts planned, not committed", kill="plan"),
    Scenario("kill-claimed", "SIGKILL after claiming, before sending", kill="claimed"),
    Scenario(
        "kill-sent",
        "SIGKILL after the service accepted, before recording (crash window)",
        kill="sent",
        window=1,
    ),
    Scenario(
        "kill-digest", "SIGKILL after claiming a digest, before sending", "claimed", digest=True
    ),
    Scenario("slow", "webhook answers after 5 s", receiver="slow", items=3),
    Scenario("failing", "webhook fails its first 4 requests", receiver="failing"),
    Scenario("flapping", "webhook fails every other request", receiver="flapping"),
    Scenario(
        "pg-two-workers",
        "two workers, PostgreSQL, same stories from two sites",
        workers=2,
        postgres=True,
    ),
]


class Suite:
    def __init__(self, workdir: Path, items: int, postgres: str | None) -> None:
        self.workdir = workdir
        self.items = items
        self.postgres = postgres
        self.schemas: list[str] = []

    def drop_schemas(self) -> None:
        """The PostgreSQL schemas the suite made, dropped at its end."""
        if self.postgres is None or not self.schemas:
            return
        engine = make_engine(self.postgres)
        with engine.begin() as conn:
            for schema in self.schemas:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()

    def run(self, scenario: Scenario) -> Outcome:
        items = scenario.items or self.items
        home = self.workdir / scenario.name
        sites = [LocalSite(home / f"site{k}") for k in range(2 if scenario.workers > 1 else 1)]
        for site in sites:
            write_site(Path(site.root), items, scenario.name)
        receiver = LocalSite(home / "receiver")
        database = self._database(scenario, home)
        started = time.monotonic()
        with ExitStack() as servers:
            for server in (receiver, *sites):
                servers.enter_context(server)
            self._arrange(receiver, scenario)
            config = self._config(home, sites, receiver, scenario)
            outcome = Outcome(scenario, expected=items * (2 if scenario.digest else 1))
            env = self._env(home, database)
            try:
                self._drive(scenario, config, env, sites[0], database, outcome)
            finally:
                outcome.seconds = time.monotonic() - started
            self._count(receiver, outcome, scenario.name)
        return outcome

    # --- setting up ---------------------------------------------------------------

    def _database(self, scenario: Scenario, home: Path) -> str:
        if not scenario.postgres:
            return f"sqlite:///{home / 'ieiwatch.db'}"
        if self.postgres is None:
            raise SystemExit("pg-two-workers needs PostgreSQL: --postgres URL")
        schema = f"fault_{os.getpid()}_{int(time.time())}"
        engine = make_engine(self.postgres)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        self.schemas.append(schema)
        sep = "&" if "?" in self.postgres else "?"
        return f"{self.postgres}{sep}options=-csearch_path%3D{schema}"

    def _arrange(self, receiver: LocalSite, scenario: Scenario) -> None:
        if scenario.receiver == "slow":
            receiver.routes["/hook"] = Route(200, b"ok", delay=5.0)
        elif scenario.receiver == "failing":
            receiver.queued["/hook"] = [Route(500, b"down")] * 4
        elif scenario.receiver == "flapping":
            receiver.queued["/hook"] = [Route(500, b"flap"), Route(200, b"ok")] * 50

    def _config(
        self, home: Path, sites: list[LocalSite], receiver: LocalSite, scenario: Scenario
    ) -> Path:
        hook = receiver.url.replace("http://", "json://")
        sources = "\n".join(
            f"  - {{name: site{k}, kind: feed, url: '{site.url}/feed.xml'}}"
            for k, site in enumerate(sites)
        )
        digest = (
            f"  - name: digest-reader\n    notify: ['{hook}/digest']\n    mode: digest\n"
            "    digest: {every: daily, at: '00:00', timezone: UTC}\n"
            if scenario.digest
            else ""
        )
        path = home / "ieiwatch.yaml"
        path.write_text(
            f"sources:\n{sources}\nsubscribers:\n"
            f"  - name: reader\n    notify: ['{hook}/hook']\n{digest}"
            f"admin_notify: ['{hook}/admin']\n",
            encoding="utf-8",
        )
        return path

    def _env(self, home: Path, database: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            IEIWATCH_DATABASE_URL=database,
            IEIWATCH_HTTP_HOST_DELAY="0",
            IEIWATCH_SOURCE_RETRIES="0",
            IEIWATCH_SECRET_KEY_FILE=str(home / "secret.key"),
            PREFECT_HOME=str(home / "prefect"),
        )
        env.pop("IEIWATCH_FAILPOINT", None)
        return env

    # --- running --------------------------------------------------------------------

    def _drive(
        self,
        scenario: Scenario,
        config: Path,
        env: dict[str, str],
        site: LocalSite,
        database: str,
        outcome: Outcome,
    ) -> None:
        if scenario.workers > 1:
            procs = [_start(config, env) for _ in range(scenario.workers)]
            codes = [_finish(proc) for proc in procs]
            outcome.runs += len(procs)
            if any(codes):
                outcome.notes.append(f"workers exited {codes} (logs: {config.parent}/run-*.log)")
        elif scenario.digest:
            self._once(config, env, outcome)  # stores the stories: instant alerts go out
            _backdate_subscribers(database)  # a digest period has passed since
            code = self._once(config, {**env, "IEIWATCH_FAILPOINT": "claimed"}, outcome)
            if code == -signal.SIGKILL:
                outcome.notes.append("killed after claiming the digest")
        elif scenario.kill == "fetch":
            for path in (f"/art/{i}.htm" for i in range(self.items)):
                site.routes[path] = Route(200, (Path(site.root) / path[1:]).read_bytes(), delay=0.3)
            proc = _start(config, env)
            _kill_when(proc, lambda: sum(r.path.startswith("/art/") for r in site.requests) >= 2)
            outcome.runs += 1
            site.routes.clear()
            outcome.notes.append("killed mid-fetch")
        elif scenario.kill is not None:
            code = self._once(config, {**env, "IEIWATCH_FAILPOINT": scenario.kill}, outcome)
            if code == -signal.SIGKILL:
                outcome.notes.append(f"killed at {scenario.kill}")
            else:
                outcome.notes.append(f"failpoint {scenario.kill} not reached (exit {code})")
        else:
            self._once(config, env, outcome)
        # Reruns, each after the time stale claims and retry backoffs take: one at least
        # after a kill, then while deliveries are left to send.
        rerun = scenario.kill is not None or scenario.digest
        for _ in range(8):
            if not rerun and not _unfinished(database):
                break
            _age(database)
            self._once(config, env, outcome)
            rerun = False

    def _once(self, config: Path, env: dict[str, str], outcome: Outcome) -> int:
        outcome.runs += 1
        code = _finish(_start(config, env))
        if code not in (0, -signal.SIGKILL):
            outcome.notes.append(f"a run exited {code} (logs: {config.parent}/run-*.log)")
        return code

    def _count(self, receiver: LocalSite, outcome: Outcome, tag: str) -> None:
        seen: Counter[str] = Counter()
        keys: dict[str, set[str]] = {}
        for request in receiver.received:
            if request.path == "/admin":
                continue
            body = json.loads(request.body)
            text_ = f"{body.get('title', '')}\n{body.get('message', '')}"
            # One count per story per message: a digest names each of its stories once.
            markers = set(re.findall(rf"K\d{{2}}-{re.escape(tag)}", text_))
            for marker in markers:
                seen[f"{request.path}:{marker}"] += 1
                keys.setdefault(f"{request.path}:{marker}", set()).add(
                    request.headers.get("Idempotency-Key", "")
                )
        repeated = [k for k, n in seen.items() if n > 1]
        if repeated:
            same = all(len(keys[k]) == 1 for k in repeated)
            outcome.notes.append(
                "every copy carried the first one's Idempotency-Key"
                if same
                else "copies carried different Idempotency-Keys"
            )
        outcome.delivered = len(seen)
        outcome.duplicated = sum(n - 1 for n in seen.values())
        outcome.lost = outcome.expected - outcome.delivered


def _cli() -> list[str]:
    return [sys.executable, "-c", "from ieiwatch.cli.entry import main; main()"]


def _start(config: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A session of its own: the run and whatever it starts (Prefect's ephemeral server)
    # are killed together, as a machine losing power would. Its output goes to a log
    # beside the config, for reading when a scenario fails.
    log = config.parent / f"run-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [*_cli(), "run", "--config", str(config)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _finish(proc: subprocess.Popen[bytes]) -> int:
    try:
        proc.wait(timeout=RUN_TIMEOUT)
    finally:
        _kill_group(proc)
    return proc.returncode


def _kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    _kill_group(proc)
    proc.wait()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):  # the group is gone: nothing of ours is left
        os.killpg(proc.pid, signal.SIGKILL)


def _age(database: str) -> None:
    """Make a dead sender's claims stale and failed rows due: the time a rerun would wait."""
    engine = make_engine(database)
    old = utcnow() - STALE_CLAIM - timedelta(minutes=1)
    if not inspect(engine).has_table("admin_alerts"):
        engine.dispose()
        return  # killed before its schema was made
    with engine.begin() as conn:
        for table in ("deliveries", "admin_alerts"):
            conn.execute(
                text(f"UPDATE {table} SET claimed_at = :old WHERE status = 'sending'"),
                {"old": old},
            )
            conn.execute(
                text(f"UPDATE {table} SET next_attempt_at = :old WHERE status = 'failed'"),
                {"old": old},
            )
    engine.dispose()


def _unfinished(database: str) -> int:
    engine = make_engine(database)
    if not inspect(engine).has_table("deliveries"):
        engine.dispose()
        return 0
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM deliveries WHERE status IN ('pending','sending','failed')")
        ).scalar_one()
    engine.dispose()
    return int(count)


def _backdate_subscribers(database: str) -> None:
    engine = make_engine(database)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE subscribers SET created_at = :old, last_digest_at = NULL"),
            {"old": utcnow() - timedelta(days=2)},
        )
    engine.dispose()


def print_table(outcomes: list[Outcome]) -> None:
    head = f"{'scenario':<16}{'expected':>9}{'delivered':>10}{'duplicated':>11}{'lost':>6}"
    print(head + f"{'runs':>6}{'secs':>7}  result")
    print("-" * (len(head) + 28))
    for o in outcomes:
        verdict = "ok" if o.ok else "FAIL"
        if o.ok and o.duplicated:
            verdict = "ok (crash window)"
        print(
            f"{o.scenario.name:<16}{o.expected:>9}{o.delivered:>10}{o.duplicated:>11}"
            f"{o.lost:>6}{o.runs:>6}{o.seconds:>7.1f}  {verdict}"
        )
    print()
    for o in outcomes:
        note = "; ".join(o.notes)
        print(
            textwrap.fill(
                f"{o.scenario.name}: {o.scenario.what}" + (f" ({note})" if note else ""), 100
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=6, help="stories per site (default 6)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("IEIWATCH_TEST_POSTGRES_URL", PG_DEFAULT),
        help="PostgreSQL for the two-worker scenario ('' to skip it)",
    )
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep databases, configs and run logs here (default: a temp dir)",
    )
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    if not args.postgres:
        chosen = [s for s in chosen if not s.postgres]
    outcomes = []
    with ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        # One Prefect server for every run: a temporary one per run costs ~20 s each.
        server = LocalPrefectServer(workdir / "prefect-server")
        server.start()
        stack.callback(server.stop)
        asyncio.run(server.wait_healthy())
        os.environ["PREFECT_API_URL"] = server.api_url
        suite = Suite(workdir, args.items, args.postgres or None)
        stack.callback(suite.drop_schemas)
        for scenario in chosen:
            print(f"… {scenario.name}: {scenario.what}", file=sys.stderr, flush=True)
            outcomes.append(suite.run(scenario))
    print_table(outcomes)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
