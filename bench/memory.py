"""A web worker's memory under a long mix of calls: the service under gunicorn
(``gunicorn.conf.py``, one worker, ``max_requests`` off so the same process
serves every call) on PostgreSQL, driven over loopback by employees looping
create, list, get one, comment and the notification feed. After a warm-up of
``BENCH_MEMORY_WARMUP`` calls (500), the worker's resident set (``VmRSS`` of
``/proc/<worker pid>/status``) is read at 1k, 10k and 20k calls
(``BENCH_MEMORY_CALLS``, 20,000: the checkpoints are 1/20, 1/2 and all of it);
each is reported against the figure at the first checkpoint, so a flat worker
reads 1.0x throughout.

Database ``santrade_bench_memory`` on ``BENCH_PG_URL``'s server, created if
missing and emptied each run; the server is started, the accounts created and
signed in with bench/api.py's helpers. ``BENCH_MEMORY_CLIENTS`` (4) concurrent
clients keep the worker's threads busy.
"""
import asyncio
import json
import os
import re
import tempfile
import time
import uuid
from pathlib import Path

from bench.api import LOCATION, ROOT, Gunicorn, Http, _env, _login_all, _prepare, _reset_schema
from bench.common import pg_database, report

DATABASE = "santrade_bench_memory"
CALLS = int(os.environ.get("BENCH_MEMORY_CALLS", "20000"))
WARMUP = int(os.environ.get("BENCH_MEMORY_WARMUP", "500"))
CLIENTS = int(os.environ.get("BENCH_MEMORY_CLIENTS", "4"))
CHECKPOINTS = (CALLS // 20, CALLS // 2, CALLS)


def _rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _worker_pid(master_pid, timeout=30.0):
    """The one worker of a gunicorn master (its only child process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        if len(children) == 1:
            return int(children[0])
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn {master_pid} has no single worker")


class Mix:
    """Clients share one counter of completed calls; ``until(n)`` runs them until n calls are done."""

    def __init__(self, port, tokens):
        self.port, self.tokens = port, tokens
        self.done = 0
        self.errors = {}
        self.mine = [[] for _ in tokens]

    async def _call(self, http, method, path, body, headers, expected):
        status, data = await http.request(method, path, body, headers)
        self.done += 1
        if status != expected:
            key = f"{method} {re.sub(r'/[0-9]+', '/{id}', path.split('?')[0])} {status}"
            self.errors[key] = self.errors.get(key, 0) + 1
            return None
        return data

    async def _client(self, i, target):
        http, mine = Http(self.port), self.mine[i]
        auth = [("Authorization", f"Bearer {self.tokens[i]}")]
        step = 0
        try:
            while self.done < target:
                op = step % 5
                step += 1
                if op == 0 or not mine:
                    created = await self._call(http, "POST", "/api/v1/requests",
                                               {"title": f"Memory: AC {step} is noisy", "category": "FAC-AC",
                                                "location": LOCATION},
                                               auth + [("Idempotency-Key", str(uuid.uuid4()))], 201)
                    if created is not None:
                        mine.append(json.loads(created)["id"])
                        del mine[:-50]
                elif op == 1:
                    await self._call(http, "GET", "/api/v1/requests?limit=20", None, auth, 200)
                elif op == 2:
                    await self._call(http, "GET", f"/api/v1/requests/{mine[step % len(mine)]}", None, auth, 200)
                elif op == 3:
                    await self._call(http, "POST", f"/api/v1/requests/{mine[step % len(mine)]}/comments",
                                     {"body": "Any news? It is hot here."}, auth, 201)
                else:
                    await self._call(http, "GET", "/api/v1/notifications?limit=20", None, auth, 200)
        finally:
            http.close()

    def until(self, target):
        async def go():
            await asyncio.gather(*(self._client(i, target) for i in range(len(self.tokens))))

        asyncio.run(go())


def run():
    started = time.perf_counter()
    url = pg_database(DATABASE)
    _reset_schema(url)
    env = _env(url.replace("postgresql+psycopg://", "postgresql://", 1))
    tmp = tempfile.mkdtemp(prefix="santrade-bench-memory-")
    servers = []

    def start_servers():
        servers.append(Gunicorn("memory", "wsgi:app", ROOT, env, tmp, workers=1, extra_args=("--max-requests", "0")))
        return servers[0]

    try:
        logins, server = _prepare(env, start_servers)
        server.wait_ready()
        worker = _worker_pid(server.proc.pid)
        tokens = asyncio.run(_login_all(server.port, logins, CLIENTS))
        mix = Mix(server.port, tokens)
        mix.until(WARMUP)
        base_calls = mix.done
        print(f"# memory: worker {worker} ready and warmed up ({base_calls} calls) in "
              f"{time.perf_counter() - started:.1f} s; RSS {_rss_mib(worker):.1f} MiB", flush=True)
        figures = []
        for checkpoint in CHECKPOINTS:
            mix.until(base_calls + checkpoint)
            figures.append((checkpoint, _rss_mib(worker), time.perf_counter()))
            print(f"# memory: {checkpoint:,} calls after warm-up: RSS {figures[-1][1]:.1f} MiB "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        if _worker_pid(server.proc.pid) != worker:
            raise RuntimeError("the gunicorn worker was replaced during the run: the figures are not one process's")
    finally:
        for s in servers:
            s.stop()
    baseline = figures[0][1]
    errors = f"; errors {mix.errors}" if mix.errors else ""
    for checkpoint, rss, _ in figures:
        report(f"memory/worker_rss/{checkpoint / 1000:g}k", rss, "MiB", baseline, rss / baseline,
               f"{rss:.1f} MiB: VmRSS of the one gunicorn worker after {checkpoint:,} mixed calls (create, list, get, comment, "
               f"feed; {CLIENTS} clients) past a {WARMUP}-call warm-up; baseline: at {CHECKPOINTS[0]:,}{errors}")
    print(f"# memory: done in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    run()
