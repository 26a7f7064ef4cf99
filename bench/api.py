"""The API under load: the service under gunicorn (``gunicorn.conf.py``, 4 workers)
on PostgreSQL, driven over loopback by employees looping the mix create
(with ``Idempotency-Key``), list, get one, comment, at 8, 32 and 64
concurrent clients, and creates only at 32 clients; against a bare Flask app doing one INSERT per POST, under
the same gunicorn config and worker count, hit by the same load generator at
the same concurrency, in the same run (the two alternate level by level, so
other load on the machine affects both alike).

Database ``santrade_bench_api`` (``BENCH_API_DATABASE`` names another) on ``BENCH_PG_URL``'s server, created if missing
and emptied each run (``flask db upgrade``, ``flask seed-demo``, ``flask users
create``). ``BENCH_API_SECONDS`` (10) is the measured time per level and
server, ``BENCH_API_CLIENTS`` (8,32,64) the levels, ``BENCH_API_EMPLOYEES`` (8)
how many employee accounts the clients sign in as.

The load generator is asyncio streams speaking HTTP/1.1 (keep-alive when the
server allows it; gunicorn's sync workers close after every response, so each
call opens a connection, for both servers alike). Latency is per call, from
sending the request to the last byte of the response, queueing included.
"""
import asyncio
import functools
import json
import os
import random
import shutil
import signal
import socket
import subprocess  # nosec B404  # runs our own flask and gunicorn
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import sqlalchemy as sa

from bench.common import pg_database, report

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_API_DATABASE", "santrade_bench_api")
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "10"))
LEVELS = [int(n) for n in os.environ.get("BENCH_API_CLIENTS", "8,32,64").split(",")]
# The create-only level: every client only files requests (the busiest write path).
CREATE_CLIENTS = int(os.environ.get("BENCH_API_CREATE_CLIENTS", "32"))
EMPLOYEES = max(1, int(os.environ.get("BENCH_API_EMPLOYEES", "8")))
WORKERS = 4
WARMUP_SECONDS = 1.0
PASSWORD = "demo12345"  # noqa: S105  # nosec B105  # the demo accounts' public password (README)
HOST = "127.0.0.1"
LOCATION = {"lat": 43.2201, "lon": 76.9302}  # inside the demo ALA-HQ geofence
HIGH = "1000000 per hour"
MIX = ("create", "list", "get", "comment")

BARE_APP = '''"""Baseline for bench/api.py: one INSERT per POST, nothing else."""
import os

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)
_conn = None


def conn():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["BARE_DSN"], autocommit=True)
    return _conn


@app.post("/insert")
def insert():
    title = request.get_json()["title"]
    row = conn().execute("INSERT INTO bench_bare (title) VALUES (%s) RETURNING id", (title,)).fetchone()
    return jsonify(id=row[0]), 201


@app.get("/readyz")
def readyz():
    conn().execute("SELECT 1").fetchone()
    return jsonify(status="ready")
'''


# --- setup -------------------------------------------------------------------

def _urls():
    """(SQLAlchemy URL of the bench database, libpq URL of it for DATABASE_URL and psycopg)."""
    url = pg_database(DATABASE)
    return url, url.replace("postgresql+psycopg://", "postgresql://", 1)


def _reset_schema(url):
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _create_bare_table(url):
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, title text NOT NULL, "
                             "created_at timestamptz NOT NULL DEFAULT now())"))
    engine.dispose()


def _env(database_url):
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "wsgi", "APP_ENV": "development", "DATABASE_URL": database_url,
        "PUSH_SENDER": "log", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
        "REQUEST_CREATE_LIMIT": HIGH, "UPLOAD_LIMIT": HIGH, "COMMENT_LIMIT": HIGH, "LOGIN_LIMIT_PER_ACCOUNT": HIGH,
        "LOGIN_LIMIT_PER_IP": HIGH, "PASSWORD_RESET_LIMIT_PER_ACCOUNT": HIGH, "PASSWORD_RESET_LIMIT_PER_IP": HIGH,
    })
    return env


def _flask(env, *args):
    return subprocess.Popen([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,  # noqa: S603  # nosec B603
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _check(proc, what):
    out, _ = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}):\n{out}")


def _prepare(env, start_servers):
    """Migrate and seed; then create the extra employees (in parallel) while the servers boot.

    Returns the employee logins and what ``start_servers()`` returned.
    """
    _check(_flask(env, "db", "upgrade"), "flask db upgrade")
    _check(_flask(env, "seed-demo"), "flask seed-demo")
    logins = ["demo-employee"] + [f"bench-employee-{i}" for i in range(1, EMPLOYEES)]
    procs = [(login, _flask(env, "users", "create", "--login", login, "--password", PASSWORD, "--role", "employee",
                            "--full-name", f"Bench Employee {login.rsplit('-', 1)[-1]}", "--office", "ALA-HQ"))
             for login in logins[1:]]
    try:
        servers = start_servers()
    finally:
        for login, proc in procs:
            _check(proc, f"flask users create --login {login}")
    return logins, servers


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn master with gunicorn.conf.py and ``workers`` workers (WORKERS), its log in a file;
    ``extra_args`` go on its command line before the app."""

    def __init__(self, name, app, cwd, env, log_dir, workers=WORKERS, extra_args=()):
        self.name = name
        self.port = _free_port()
        self.log_path = Path(log_dir) / f"{name}.log"
        self.log = open(self.log_path, "w")  # closed in stop()
        cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--workers", str(workers),
               "--bind", f"{HOST}:{self.port}", *extra_args, app]
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,  # noqa: S603  # nosec B603
                                     start_new_session=True)

    def wait_ready(self, timeout=90.0):
        import http.client

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: /readyz not ready after {timeout:.0f} s:\n{self.tail()}")

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def tail(self, lines=30):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # graceful: idle workers exit at once
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group started for this master only
                self.proc.wait(timeout=10)
        self.log.close()


# --- load generator ------------------------------------------------------------

class Http:
    """A minimal HTTP/1.1 client on asyncio streams: keep-alive when the server allows it."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, body=None, headers=()):
        payload = json.dumps(body).encode() if body is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "Accept: application/json"]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        lines += [f"{name}: {value}" for name, value in headers]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
        reused = self.writer is not None
        try:
            if not reused:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            self.writer.write(data)
            return await self._response()
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        # The server closed an idle kept-alive connection before reading: once more on a new one.
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.writer.write(data)
        return await self._response()

    async def _response(self):
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        version, status = head[0].split(" ", 2)[:2]
        headers = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                body += (await self.reader.readexactly(size + 2))[:size]
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
        else:
            body, keep = await self.reader.read(), False
        if not keep:
            self.close()
        return int(status), body


class Stats:
    """Latencies of every call of a phase; throughput counts the calls completed before the deadline."""

    def __init__(self, seconds):
        self.latencies = defaultdict(list)  # op -> [seconds]
        self.errors = Counter()  # (op, status or exception name)
        self.started = time.perf_counter()
        self.deadline = self.started + seconds
        self.in_time = 0  # calls completed before the deadline
        self.finished = self.started

    def calls(self):
        return sum(len(v) for v in self.latencies.values())

    def all_latencies(self):
        return [x for v in self.latencies.values() for x in v]

    def throughput(self):
        return self.in_time / (self.deadline - self.started)


async def _timed(stats, op, expected, call):
    start = time.perf_counter()
    try:
        status, body = await call
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        stats.errors[(op, type(exc).__name__)] += 1
        return None
    end = time.perf_counter()
    stats.latencies[op].append(end - start)
    stats.in_time += end <= stats.deadline
    if status != expected:
        stats.errors[(op, status)] += 1
        return None
    return body


async def _employee(port, token, deadline, stats, rng):
    http = Http(port)
    auth = ("Authorization", f"Bearer {token}")
    mine = []
    try:
        while time.perf_counter() < deadline:
            body = {"title": f"Bench: AC {rng.randrange(1000)} is noisy", "category": "FAC-AC", "location": LOCATION}
            created = await _timed(stats, "create", 201, http.request(
                "POST", "/api/v1/requests", body, [auth, ("Idempotency-Key", str(uuid.uuid4()))]))
            if created is not None:
                mine.append(json.loads(created)["id"])
            await _timed(stats, "list", 200, http.request("GET", "/api/v1/requests?limit=20", None, [auth]))
            if not mine:
                continue
            await _timed(stats, "get", 200, http.request("GET", f"/api/v1/requests/{rng.choice(mine[-50:])}", None,
                                                         [auth]))
            await _timed(stats, "comment", 201, http.request(
                "POST", f"/api/v1/requests/{rng.choice(mine[-50:])}/comments", {"body": "Any news? It is hot here."},
                [auth]))
    finally:
        http.close()


async def _creator(port, token, deadline, stats, rng):
    """A client that only files requests, each with its own Idempotency-Key."""
    http = Http(port)
    auth = ("Authorization", f"Bearer {token}")
    try:
        while time.perf_counter() < deadline:
            body = {"title": f"Bench: AC {rng.randrange(1000)} is noisy", "category": "FAC-AC", "location": LOCATION}
            await _timed(stats, "create", 201, http.request(
                "POST", "/api/v1/requests", body, [auth, ("Idempotency-Key", str(uuid.uuid4()))]))
    finally:
        http.close()


async def _bare(port, deadline, stats, rng):
    http = Http(port)
    try:
        while time.perf_counter() < deadline:
            await _timed(stats, "insert", 201, http.request(
                "POST", "/insert", {"title": f"Bench: AC {rng.randrange(1000)} is noisy"}))
    finally:
        http.close()


async def _phase(make_client, clients, seconds):
    """``clients`` clients loop until ``seconds`` have passed; their last calls are let finish."""
    stats = Stats(seconds)
    await asyncio.gather(*(make_client(i, stats.deadline, stats) for i in range(clients)))
    stats.finished = time.perf_counter()
    return stats


def _level(make_client, clients):
    asyncio.run(_phase(make_client, clients, WARMUP_SECONDS))  # not recorded
    return asyncio.run(_phase(make_client, clients, SECONDS))


async def _login_all(port, logins, count):
    """One session per client slot, employees taken in turn."""
    sem = asyncio.Semaphore(8)

    async def login(i):
        async with sem:
            http = Http(port)
            try:
                status, body = await http.request("POST", "/api/v1/auth/login",
                                                  {"login": logins[i % len(logins)], "password": PASSWORD})
            finally:
                http.close()
        if status != 200:
            raise RuntimeError(f"login as {logins[i % len(logins)]} failed: {status} {body[:300]!r}")
        return json.loads(body)["access_token"]

    return await asyncio.gather(*(login(i) for i in range(count)))


# --- figures -------------------------------------------------------------------

def _pct(values, q):
    """The q-th percentile (linear interpolation), in milliseconds."""
    values = sorted(values)
    if not values:
        return float("nan")
    pos = (len(values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return (values[lo] + (values[hi] - values[lo]) * (pos - lo)) * 1000


def _pcts(values):
    return tuple(_pct(values, q) for q in (50, 95, 99))


def _print_level(title, stats, ops, recycled):
    print(f"  {title}: {stats.in_time:,} calls completed in {stats.deadline - stats.started:.0f} s = "
          f"{stats.throughput():,.1f} calls/s ({stats.calls():,} with the last ones, drained in "
          f"{stats.finished - stats.deadline:.1f} s); worker recycles (max_requests): {recycled}", flush=True)
    print(f"    {'call':<9} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}", flush=True)
    for op in (*ops, "all"):
        values = stats.all_latencies() if op == "all" else stats.latencies[op]
        p50, p95, p99 = _pcts(values)
        print(f"    {op:<9} {len(values):>7,} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
              f"{max(values, default=0) * 1000:>8.1f}", flush=True)
    if stats.errors:
        print(f"    errors: {dict(stats.errors)}", flush=True)


def _client_rng(clients, i):
    return random.Random(clients * 1000 + i)  # nosec B311  # a load pattern, not a secret


def run():
    started = time.perf_counter()
    url, libpq_url = _urls()
    _reset_schema(url)
    _create_bare_table(url)  # (the migrations run on the emptied schema; this table is only the baseline's)
    env = _env(libpq_url)
    tmp = tempfile.mkdtemp(prefix="santrade-bench-api-")
    servers = []
    try:
        Path(tmp, "bench_bare_app.py").write_text(BARE_APP, encoding="utf-8")
        bare_env = dict(env, BARE_DSN=libpq_url, PYTHONPATH=os.pathsep.join([tmp, str(ROOT)]))  # gunicorn.conf.py imports service_app

        def start_servers():
            servers.append(Gunicorn("api", "wsgi:app", ROOT, env, tmp))
            servers.append(Gunicorn("bare", "bench_bare_app:app", tmp, bare_env, tmp))
            return servers

        logins, (api, bare) = _prepare(env, start_servers)
        api.wait_ready()
        bare.wait_ready()
        print(f"# api: database and servers ready in {time.perf_counter() - started:.1f} s ({len(logins)} employees, "
              f"{WORKERS} gunicorn workers for each server); load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs", flush=True)
        tokens = asyncio.run(_login_all(api.port, logins, max(*LEVELS, CREATE_CLIENTS)))
        print(f"# api: {len(tokens)} client sessions signed in; {time.perf_counter() - started:.1f} s so far", flush=True)

        def recycles(server, before):
            return server.log_text()[before:].count("Autorestarting worker")

        def employee(i, deadline, stats, clients):
            return _employee(api.port, tokens[i], deadline, stats, _client_rng(clients, i))

        def bare_client(i, deadline, stats, clients):
            return _bare(bare.port, deadline, stats, _client_rng(clients, i))

        def creator(i, deadline, stats, clients):
            return _creator(api.port, tokens[i], deadline, stats, _client_rng(clients, i))

        print(f"# api: creates only, {CREATE_CLIENTS} clients, {SECONDS:.0f} s", flush=True)
        mark = len(api.log_text())
        created = _level(functools.partial(_with_level, creator, CREATE_CLIENTS), CREATE_CLIENTS)
        _print_level(f"service, creates only ({CREATE_CLIENTS} clients)", created, ("create",), recycles(api, mark))
        time.sleep(1.0)
        mark = len(bare.log_text())
        create_base = _level(functools.partial(_with_level, bare_client, CREATE_CLIENTS), CREATE_CLIENTS)
        _print_level(f"bare Flask + one INSERT ({CREATE_CLIENTS} clients)", create_base, ("insert",),
                     recycles(bare, mark))

        results = []
        for clients in LEVELS:
            print(f"# api: {clients} clients, {SECONDS:.0f} s each (after {WARMUP_SECONDS:.0f} s warm-up); "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            mark = len(api.log_text())
            mix = _level(functools.partial(_with_level, employee, clients), clients)
            _print_level(f"service, employee mix ({clients} clients)", mix, MIX, recycles(api, mark))
            time.sleep(1.0)  # let a recycled worker finish booting before the baseline runs
            mark = len(bare.log_text())
            base = _level(functools.partial(_with_level, bare_client, clients), clients)
            _print_level(f"bare Flask + one INSERT ({clients} clients)", base, ("insert",), recycles(bare, mark))
            results.append((clients, mix, base))
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{'clients':>7} {'mix calls/s':>12} {'mix p50/p95/p99 ms':>22} {'bare calls/s':>13} "
          f"{'bare p50/p95/p99 ms':>22} {'throughput':>11} {'p95':>7}", flush=True)
    for clients, mix, base in results:
        m, b = _pcts(mix.all_latencies()), _pcts(base.all_latencies())
        print(f"{clients:>7} {mix.throughput():>12,.1f} {'/'.join(f'{x:.1f}' for x in m):>22} "
              f"{base.throughput():>13,.1f} {'/'.join(f'{x:.1f}' for x in b):>22} "
              f"{mix.throughput() / base.throughput():>10.2f}x {m[1] / b[1]:>6.1f}x", flush=True)
    print("(throughput: service mix / bare insert; p95: service mix / bare insert)", flush=True)
    c, b = _pcts(created.all_latencies()), _pcts(create_base.all_latencies())
    errors = sum(created.errors.values()) + sum(create_base.errors.values())
    report(f"api/create/{CREATE_CLIENTS}", created.throughput(), "calls/s", create_base.throughput(),
           created.throughput() / create_base.throughput(),
           f"creates only; p50/p95 {c[0]:.1f}/{c[1]:.1f} ms vs bare insert {b[0]:.1f}/{b[1]:.1f} ms; goal >= 0.5x"
           + (f"; {errors} errors" if errors else ""))
    report(f"api/create/{CREATE_CLIENTS}/p95", c[1], "ms", b[1], c[1] / b[1], "goal <= 2x the bare app's p95")
    for clients, mix, base in results:
        m, b = _pcts(mix.all_latencies()), _pcts(base.all_latencies())
        errors = sum(mix.errors.values()) + sum(base.errors.values())
        note = (f"mix p50/p95/p99 {m[0]:.1f}/{m[1]:.1f}/{m[2]:.1f} ms; bare insert {b[0]:.1f}/{b[1]:.1f}/{b[2]:.1f} ms; "
                f"{WORKERS} gunicorn workers, {SECONDS:.0f} s" + (f"; {errors} errors" if errors else ""))
        report(f"api/mix/{clients}", mix.throughput(), "calls/s", base.throughput(),
               mix.throughput() / base.throughput(), note)
        report(f"api/mix/{clients}/p95", m[1], "ms", b[1], m[1] / b[1],
               f"p95 {m[1]:.1f} ms vs bare insert {b[1]:.1f} ms (p99 {m[2]:.1f} vs {b[2]:.1f} ms)")
    print(f"# api: done in {time.perf_counter() - started:.1f} s", flush=True)


def _with_level(client, clients, i, deadline, stats):
    return client(i, deadline, stats, clients)
