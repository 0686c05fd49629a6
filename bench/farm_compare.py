"""ieiwatch against rss2email and the bare fetch floor, on the local farm (bench/farm.py).

    .venv/bin/python bench/farm_compare.py --n 200 [--n 1000] [--runs 3]
        [--tools r2e,floor,pass,warm,ieiwatch]

For every tool and run: a fresh farm and a fresh state, then three passes, each timed as a
whole process from start to exit: *first* (every source new: 20 items each), *new items*
(after the farm's ``/_add``: one new item per source) and *nothing new* (every feed answers
304). Printed: the median of the runs with min–max, the ratio to rss2email and to the floor,
CPU seconds and the peak memory of the tool's whole process tree (the sum of its processes'
PSS, sampled every 50 ms).

* ``r2e``: rss2email (``bench/.venv-r2e``, ``make bench-farm`` installs it), feeds only, one
  email per item to the farm's SMTP sink; it fetches one feed at a time.
* ``floor``: a bare concurrent httpx fetch of the feeds (with their ETag) and of the article
  pages not fetched before, with ieiwatch's politeness (16 requests at once, 2 per host, 0.5 s
  between the starts of two requests to one host): what the network costs.
* ``pass``: ieiwatch's pass without Prefect (``polling.run_pass`` in a plain process).
* ``warm``: the ``monitor`` flow, the pass a served deployment runs, with the same config
  and Prefect server as ``ieiwatch``, called three times in one long-lived process that has
  already imported ieiwatch and Prefect: what the pass itself costs, without Python start-up
  and imports. Each phase is timed from the request to the answer; its memory is the peak
  of the process tree during that phase. (Prefect's runner under ``ieiwatch serve`` starts
  each scheduled run in a fresh interpreter; a process that stays up is what this measures.)
* ``ieiwatch``: ``ieiwatch run`` with one email subscriber, with a Prefect server already
  running (started once here, as ``ieiwatch serve`` would, outside the measured tree).

With both ``warm`` and ``ieiwatch``, the one-shot overhead (``ieiwatch run`` minus the warm
pass) is printed per phase, twice: as the difference of the two tools' medians, and as the
difference of their time outside the flow runs (each run's time minus the duration of the
``monitor`` flow runs it made, as the Prefect server recorded them). The pass itself varies
from run to run by more than the overhead (on a 2-core machine, first passes over 1,000
sources spread over 7 s to 22 s); the second figure leaves the pass out.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
R2E = BENCH / ".venv-r2e" / "bin" / "r2e"
PY = sys.executable
PHASES = ("first", "new items", "nothing new")
TOOLS = ("r2e", "floor", "pass", "warm", "ieiwatch")

sys.path.insert(0, str(BENCH))
from farm import address  # noqa: E402


@dataclass
class Measure:
    seconds: float
    cpu: float
    peak_mb: float
    in_flows: float | None = None
    """Seconds inside the flow runs the tool made (``warm`` and ``ieiwatch``)."""


@dataclass
class Results:
    by: dict[tuple[int, str, str], list[Measure]] = field(default_factory=dict)

    def add(self, n: int, tool: str, phase: str, m: Measure) -> None:
        self.by.setdefault((n, tool, phase), []).append(m)


# --- measuring a process tree ------------------------------------------------------------


_LIBC = ctypes.CDLL(None, use_errno=True)
_SYS_KCMP, _KCMP_VM = 312, 1  # x86-64 Linux


def _same_memory(a: int, b: int) -> bool:
    """Whether two processes share one address space: a child started with ``vfork``
    (Python's ``subprocess`` and multiprocessing's fork server use it) shares its parent's
    until it calls ``exec``, and its PSS then reads as the parent's whole memory again."""
    return int(_LIBC.syscall(_SYS_KCMP, a, b, _KCMP_VM, 0, 0)) == 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants, each address space once."""
    pids: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        if any(_same_memory(p, q) for q in pids):
            continue
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return pids


def _memory_kb(pid: int) -> int:
    """The process's proportional set size (PSS): its private memory plus its share of
    pages shared with others (forked workers, libraries), so the tree's sum counts each
    page once; its RSS where PSS cannot be read."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


class TreePeak:
    """The peak memory of a process tree, sampled every 50 ms in a thread until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak_kb = max(self.peak_kb, sum(_memory_kb(p) for p in _tree(self.pid)))
            time.sleep(0.05)

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._done.set()
        self._thread.join()
        return self.peak_kb / 1024


def measure(cmd: list[str], env: dict[str, str], log: Path) -> Measure:
    """Run ``cmd`` to its end; wall time, CPU of it and its children, peak memory of its
    tree."""
    start = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    sampler = TreePeak(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    peak_mb = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        print(f"    ! {cmd[0]} exited {proc.returncode} (log {log})", flush=True)
    return Measure(elapsed, usage.ru_utime + usage.ru_stime, peak_mb)


WARM_ANSWER = "@@warm "
"""How the warm process's answers stand out from Prefect's log lines on its stdout."""


class WarmProcess:
    """``bench/farm_compare.py warm-pass CONFIG`` kept running: one pass per ``run()``."""

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log
        )
        self._answer()  # imported and ready

    def _answer(self) -> dict[str, float]:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace")
            if line.startswith(WARM_ANSWER):
                return dict(json.loads(line[len(WARM_ANSWER) :]))
            self.log.write(raw)
        raise RuntimeError(f"the warm process exited {self.proc.wait()} (log {self.log.name})")

    def run(self) -> Measure:
        assert self.proc.stdin is not None
        sampler = TreePeak(self.proc.pid)
        start = time.perf_counter()
        self.proc.stdin.write(b"pass\n")
        self.proc.stdin.flush()
        answer = self._answer()
        elapsed = time.perf_counter() - start
        return Measure(elapsed, answer["cpu"], sampler.stop())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(60)
        self.log.close()


# --- the farm -----------------------------------------------------------------------------


class FarmProcess:
    def __init__(self, n: int, port: int, smtp_port: int) -> None:
        self.n, self.port, self.smtp_port = n, port, smtp_port
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> FarmProcess:
        self.proc = subprocess.Popen(
            [
                PY,
                str(BENCH / "farm.py"),
                "--n",
                str(self.n),
                "--port",
                str(self.port),
                "--smtp-port",
                str(self.smtp_port),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "ready" not in line:
            raise RuntimeError(f"farm did not start: {line!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(30)

    def control(self, method: str, path: str) -> bytes:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            return bytes(r.read())

    def stats(self) -> dict[str, int]:
        return dict(json.loads(self.control("GET", "/_stats")))

    def feeds(self) -> list[str]:
        return [f"http://{address(i)}:{self.port}/feed.xml" for i in range(self.n)]

    def mail_url(self) -> str:
        return (
            f"mailto://127.0.0.1:{self.smtp_port}?mode=insecure&smtp=127.0.0.1"
            "&from=ieiwatch@example.org&to=bench@example.org&name=ieiwatch"
        )


# --- the tools ----------------------------------------------------------------------------


def prepare(tool: str, farm: FarmProcess, work: Path, env: dict[str, str]) -> list[str]:
    """Write the tool's state for a fresh run; return the command of one pass."""
    if tool == "r2e":
        cfg = work / "r2e.cfg"
        sections = "".join(
            f"[feed.s{i:05d}]\nurl = {url}\n\n" for i, url in enumerate(farm.feeds())
        )
        cfg.write_text(
            "[DEFAULT]\nfrom = r2e@example.org\nto = bench@example.org\n"
            "email-protocol = smtp\n"
            f"smtp-server = 127.0.0.1\nsmtp-port = {farm.smtp_port}\n"
            "smtp-auth = False\nsmtp-ssl = False\n\n" + sections,
            encoding="utf-8",
        )
        return [str(R2E), "-c", str(cfg), "-d", str(work / "r2e.json"), "run"]
    if tool == "floor":
        return [PY, __file__, "floor-pass", "--state", str(work / "floor.json"), *farm.feeds()]
    config = work / "ieiwatch.yaml"
    lines = ["sources:"]
    for i, url in enumerate(farm.feeds()):
        lines += [
            f"  - name: s{i:05d}",
            "    kind: feed",
            f"    url: {url}",
            '    content_selector: "div.v_news_content"',
        ]
    lines += [
        "subscribers:",
        "  - name: bench",
        f'    notify: ["{farm.mail_url()}"]',
        "    mode: instant",
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env["IEIWATCH_DATABASE_URL"] = f"sqlite:///{work / 'ieiwatch.db'}"
    env["IEIWATCH_CONFIG"] = str(config)
    if tool == "pass":
        return [PY, __file__, "bare-pass", str(config)]
    if tool == "warm":
        return [PY, __file__, "warm-pass", str(config)]
    return [str(REPO / ".venv" / "bin" / "ieiwatch"), "run", "--config", str(config)]


def floor_pass(state_path: Path, feeds: list[str]) -> None:
    """One pass of the floor: feeds with their ETag, then the article pages not seen yet,
    with ieiwatch's default politeness."""
    import httpx

    state = json.loads(state_path.read_text()) if state_path.exists() else {"etags": {}, "seen": []}
    seen = set(state["seen"])
    every = asyncio.Semaphore(16)
    hosts: dict[str, tuple[asyncio.Semaphore, list[float]]] = {}

    # A client per host, as ieiwatch keeps connections per host: one shared pool of a
    # thousand connections costs a scan of the pool per request.
    tls = httpx.create_ssl_context()
    clients: dict[str, httpx.AsyncClient] = {}

    async def get(url: str, headers: dict[str, str]) -> httpx.Response:
        host = httpx.URL(url).host
        sem, last = hosts.setdefault(host, (asyncio.Semaphore(2), [0.0]))
        if host not in clients:
            limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
            clients[host] = httpx.AsyncClient(timeout=30, limits=limits, verify=tls)
        async with sem:
            wait = last[0] + 0.5 - time.monotonic()
            last[0] = max(time.monotonic(), last[0] + 0.5)
            if wait > 0:
                await asyncio.sleep(wait)
            async with every:
                return await clients[host].get(url, headers=headers)

    async def one(feed: str) -> None:
        etag = state["etags"].get(feed)
        r = await get(feed, {"If-None-Match": etag} if etag else {})
        if r.status_code == 304:
            return
        links = [u for u in re.findall(r"<link>([^<]+)</link>", r.text)[1:] if u not in seen]
        pages = await asyncio.gather(*(get(u, {}) for u in links))
        for u, page in zip(links, pages, strict=True):
            if page.status_code == 200:
                seen.add(u)
        state["etags"][feed] = r.headers.get("etag")

    async def run() -> None:
        try:
            await asyncio.gather(*(one(f) for f in feeds))
        finally:
            for client in clients.values():
                await client.aclose()

    asyncio.run(run())
    state["seen"] = sorted(seen)
    state_path.write_text(json.dumps(state))


def bare_pass(config: str) -> None:
    """ieiwatch's pass as plain functions, without Prefect."""
    from ieiwatch.flows.polling import run_pass
    from ieiwatch.flows.runtime import run_inputs

    settings, app = run_inputs(config)
    report = asyncio.run(run_pass(settings, app))
    print(f"{sum(s.new for s in report.sources)} new, {report.deliveries.sent} sent")


def warm_pass(config: str) -> None:
    """The served pass in one long-lived process: the ``monitor`` flow with a deployment's
    parameters, on the Prefect server ``ieiwatch run`` would use, once per line on stdin;
    each answer gives the pass's CPU seconds (this process and its reaped children)."""
    import resource

    from ieiwatch.config.loader import load_config
    from ieiwatch.config.settings import apply_prefect_defaults, default_prefect_home
    from ieiwatch.flows.deployments import monitor_groups
    from ieiwatch.flows.local_server import prefect_for_one_run
    from ieiwatch.flows.monitor import monitor

    apply_prefect_defaults()
    groups = monitor_groups(load_config(Path(config)))
    home = Path(os.environ.get("IEIWATCH_PREFECT_HOME") or default_prefect_home())

    def cpu() -> float:
        return sum(
            u.ru_utime + u.ru_stime
            for u in (
                resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
        )

    with prefect_for_one_run(home):
        print(WARM_ANSWER + json.dumps({"ready": 1}), flush=True)
        for _ in sys.stdin:
            before = cpu()
            for group in groups:
                asyncio.run(monitor(config_path=config, sources=list(group.sources)))
            print(WARM_ANSWER + json.dumps({"cpu": cpu() - before}), flush=True)


# --- running and printing -----------------------------------------------------------------


def start_prefect(home: Path) -> tuple[object, str]:
    """A Prefect server as ``ieiwatch serve`` starts one; not part of any measured tree."""
    sys.path.insert(0, str(REPO.parent))
    from ieiwatch.config.settings import apply_prefect_defaults
    from ieiwatch.flows.local_server import LocalPrefectServer

    apply_prefect_defaults()  # as `ieiwatch serve` does before it starts the server

    server = LocalPrefectServer(home)
    server.start()
    asyncio.run(server.wait_healthy())
    return server, server.api_url


def flow_run_seconds(api_url: str, since: datetime) -> float:
    """The summed duration of the flow runs that started after ``since`` and have ended,
    from the Prefect server's record of them."""
    body = {"flow_runs": {"start_time": {"after_": since.isoformat()}}, "limit": 200}
    answer = httpx.post(f"{api_url}/flow_runs/filter", json=body, timeout=30)
    answer.raise_for_status()
    return sum(
        (
            datetime.fromisoformat(r["end_time"]) - datetime.fromisoformat(r["start_time"])
        ).total_seconds()
        for r in answer.json()
        if r["start_time"] and r["end_time"]
    )


def bench(ns: list[int], runs: int, tools: list[str], port: int, smtp_port: int) -> Results:
    results = Results()
    with tempfile.TemporaryDirectory(prefix="ieiwatch-farm-") as tmp:
        root = Path(tmp)
        server = None
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
        api_url = os.environ.get("PREFECT_API_URL")
        if {"ieiwatch", "warm"} & set(tools) and not api_url:
            # As under `ieiwatch serve`: `ieiwatch run` finds the server by its state file.
            server, api_url = start_prefect(root / "prefect")
            env["IEIWATCH_PREFECT_HOME"] = str(root / "prefect")
            print(f"prefect server at {api_url}", flush=True)
        try:
            for n in ns:
                for run in range(runs):
                    for tool in tools:
                        _one(results, n, run, tool, root, dict(env), port, smtp_port, api_url)
        finally:
            if server is not None:
                server.stop()  # type: ignore[attr-defined]
    return results


def _one(
    results: Results,
    n: int,
    run: int,
    tool: str,
    root: Path,
    env: dict[str, str],
    port: int,
    smtp_port: int,
    api_url: str | None,
) -> None:
    work = root / f"{tool}-{n}-{run}"
    work.mkdir()
    with FarmProcess(n, port, smtp_port) as farm:
        cmd = prepare(tool, farm, work, env)
        warm = WarmProcess(cmd, env, work / "log.txt") if tool == "warm" else None
        for phase in PHASES:
            if phase == "new items":
                farm.control("POST", "/_add")
            before = farm.stats()
            since = datetime.now(UTC)
            m = warm.run() if warm else measure(cmd, env, work / "log.txt")
            after = farm.stats()
            if tool in ("warm", "ieiwatch") and api_url:
                m.in_flows = flow_run_seconds(api_url, since)
            results.add(n, tool, phase, m)
            outside = (
                "" if m.in_flows is None else f"  outside flows {m.seconds - m.in_flows:5.2f} s"
            )
            print(
                f"N={n} run {run + 1} {tool:<9} {phase:<12} {m.seconds:7.2f} s  "
                f"cpu {m.cpu:6.1f} s  peak {m.peak_mb:6.0f} MB  "
                f"requests {after['requests'] - before['requests']}  "
                f"mails {after['mails'] - before['mails']}{outside}",
                flush=True,
            )
        if warm:
            warm.close()


def report(results: Results, ns: list[int], tools: list[str]) -> str:
    def med(n: int, tool: str, phase: str) -> float | None:
        ms = results.by.get((n, tool, phase))
        return statistics.median(m.seconds for m in ms) if ms else None

    def outside(n: int, tool: str, phase: str) -> float | None:
        ms = results.by.get((n, tool, phase), [])
        times = [m.seconds - m.in_flows for m in ms if m.in_flows is not None]
        return statistics.median(times) if times and len(times) == len(ms) else None

    out = []
    for n in ns:
        runs = len(results.by.get((n, tools[0], "first"), []))
        out.append(f"\n## {n} sources x 20 items: median (min-max) of {runs} runs")
        out.append("| phase | " + " | ".join(tools) + " |")
        out.append("|---|" + "---|" * len(tools))
        for phase in PHASES:
            cells = []
            for tool in tools:
                ms = results.by.get((n, tool, phase), [])
                if not ms:
                    cells.append("-")
                    continue
                secs = [m.seconds for m in ms]
                cell = f"{statistics.median(secs):.2f} s ({min(secs):.2f}-{max(secs):.2f})"
                ratios = []
                for ref, name in (("r2e", "r2e"), ("floor", "floor")):
                    base = med(n, ref, phase)
                    if base and tool != ref:
                        ratios.append(f"{statistics.median(secs) / base:.1f}x {name}")
                if ratios:
                    cell += ", " + ", ".join(ratios)
                cell += f", cpu {statistics.median(m.cpu for m in ms):.1f} s"
                cells.append(cell)
            out.append(f"| {phase} | " + " | ".join(cells) + " |")
        peaks = [
            f"{max(m.peak_mb for ph in PHASES for m in results.by.get((n, t, ph), [])):.0f} MB"
            if results.by.get((n, t, "first"))
            else "-"
            for t in tools
        ]
        out.append("| peak memory (tree) | " + " | ".join(peaks) + " |")
    if "warm" in tools and "ieiwatch" in tools:
        out.append("\none-shot overhead (`ieiwatch run` minus the warm pass), median:")
        out += _overhead(ns, med, detail=False)
        out.append(
            "one-shot overhead outside the flow runs (each run's time minus its flow runs' "
            "duration; `ieiwatch run` minus warm), median:"
        )
        out += _overhead(ns, outside, detail=True)
    if len(ns) > 1:
        small, large = ns[0], ns[-1]
        out.append(f"\nper-source cost at {large} / at {small}:")
        for tool in tools:
            parts = []
            for phase in PHASES:
                a, b = med(small, tool, phase), med(large, tool, phase)
                if a and b:
                    parts.append(f"{phase} {(b / large) / (a / small):.2f}")
            out.append(f"  {tool}: " + ", ".join(parts))
    return "\n".join(out)


def _overhead(
    ns: list[int], of: Callable[[int, str, str], float | None], *, detail: bool
) -> list[str]:
    """Per N, each phase's `ieiwatch` figure minus warm's (and both, with `detail`)."""
    lines = []
    for n in ns:
        parts = []
        for phase in PHASES:
            run, warm = of(n, "ieiwatch", phase), of(n, "warm", phase)
            if run is not None and warm is not None:
                both = f" ({run:.2f} - {warm:.2f})" if detail else ""
                parts.append(f"{phase} {run - warm:+.2f} s{both}")
        lines.append(f"  N={n}: " + ", ".join(parts))
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "floor-pass":
        floor_pass(Path(sys.argv[3]), sys.argv[4:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "bare-pass":
        bare_pass(sys.argv[2])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "warm-pass":
        warm_pass(sys.argv[2])
        return
    # Stopped (SIGTERM): the farm and the Prefect server are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, action="append", help="sources (repeatable)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--port", type=int, default=18900)
    parser.add_argument("--smtp-port", type=int, default=18925)
    args = parser.parse_args()
    ns = args.n or [200]
    tools = [t for t in args.tools.split(",") if t]
    if "r2e" in tools and not R2E.exists():
        print(
            f"rss2email is not installed at {R2E}: python3 -m venv bench/.venv-r2e && "
            "bench/.venv-r2e/bin/pip install rss2email (make bench-farm does this); "
            "measuring without it",
            file=sys.stderr,
        )
        tools.remove("r2e")
    results = bench(ns, args.runs, tools, args.port, args.smtp_port)
    print(report(results, ns, tools))


if __name__ == "__main__":
    main()
