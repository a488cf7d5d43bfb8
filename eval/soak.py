"""Soak the web server on loopback and print what it did (targets: issue 13).

    python -m eval.soak [--seconds 60] [--clients 1,5,10,20]      (make soak)

Runs `app.py` on a free loopback port over a copy of the index in `POLICY_DATA_DIR` (so nothing
it ingests stays), then, each step bounded in count and time:
1. the bad-input table (`eval/bad_inputs.py`): inputs tried, 4xx, 5xx, rows that broke a rule; then
   what the heaviest allowed input costs (15 questions at once with the largest history, a 10 MB body);
2. for each number of clients, that many clients asking the Q&A set's questions for `--seconds`:
   requests per second, p50/p95/p99 latency, errors, the server's RSS before and after;
3. 10 clients asking while `python -m assistant ingest` adds a document and `python -m assistant
   build` takes it out again: requests failed, and the documents the server answered from.
Only 127.0.0.1 is ever contacted. The server is stopped at the end, whatever happened.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from assistant.config import PROJECT_ROOT, get_settings
from eval.bad_inputs import run as run_bad_inputs
from eval.bench import percentile
from eval.cases import load_cases
from index.store import CURRENT, VECTOR_CACHE, current_generation

HOST = "127.0.0.1"
TOKEN = "soak-token-not-a-secret"
SAMPLE_POLICY = Path(__file__).parent / "soak_policy.txt"
START_TIMEOUT_S = 180
LIVE_CLIENTS = 10
RSS_TARGET = 0.10  # growth over the 10-client run, after warm-up


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def copy_index(source: Path, target: Path) -> None:
    """The generation in service and the vector cache, copied, so the soak's ingest never touches `source`."""
    generation = current_generation(source / "index")
    if generation is None:
        raise SystemExit(f"no index in {source}: run `python -m assistant build` first (POLICY_DATA_DIR={source})")
    (target / "index").mkdir(parents=True)
    shutil.copytree(source / "index" / generation, target / "index" / generation)
    shutil.copy(source / "index" / CURRENT, target / "index" / CURRENT)
    shutil.copy(source / "index" / VECTOR_CACHE, target / "index" / VECTOR_CACHE)
    if (source / "ingested").exists():
        shutil.copytree(source / "ingested", target / "ingested")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def server(data_dir: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`app.py` over `data_dir` on a free loopback port, stopped on the way out."""
    port = _free_port()
    env = {**os.environ, "POLICY_DATA_DIR": str(data_dir), "POLICY_HOST": HOST, "POLICY_PORT": str(port),
           "POLICY_PUBLIC_URL": f"http://{HOST}:{port}", "POLICY_WECHAT_TOKEN": TOKEN,
           "POLICY_RATE_LIMIT_PER_MINUTE": "1000000", "POLICY_WECHAT_RATE_LIMIT_PER_MINUTE": "1000000",
           "POLICY_INDEX_POLL_SECONDS": "1"}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "app.py")], cwd=PROJECT_ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; see {log}")
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Load:
    """`clients` threads asking questions in turn until stopped; every latency and failure noted."""

    def __init__(self, url: str, clients: int, questions: list[dict]) -> None:
        self.url, self.questions = url, questions
        self.latencies: list[float] = []
        self.failures: Counter[str] = Counter()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]

    def _client(self, number: int) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            turn = number
            while not self.stop.is_set():
                body = self.questions[turn % len(self.questions)]
                turn += len(self.threads)
                started = time.perf_counter()
                try:
                    response = client.post("/api/ask", json=body)
                    outcome = None if response.status_code == 200 else f"status {response.status_code}"
                except httpx.HTTPError as error:
                    outcome = type(error).__name__
                self.latencies.append((time.perf_counter() - started) * 1000)
                if outcome:
                    self.failures[outcome] += 1

    def run_while(self, busy: Callable[[], None]) -> float:
        """Ask while `busy()` runs; the seconds it took."""
        started = time.perf_counter()
        for thread in self.threads:
            thread.start()
        try:
            busy()
        finally:
            self.stop.set()
            for thread in self.threads:
                thread.join(timeout=120)
        return time.perf_counter() - started


def bad_inputs(url: str) -> None:
    tried, statuses, broken = 0, Counter(), []
    with httpx.Client(base_url=url, timeout=60) as client:
        for row, response, problems in run_bad_inputs(client, TOKEN):
            tried += 1
            statuses[response.status_code // 100] += 1
            broken += [f"{row.path} {row.name}: {p}" for p in problems]
    print(f"bad input: {tried} inputs tried, {statuses[2]} answered, {statuses[4]} 4xx, {statuses[5]} 5xx, "
          f"{len(broken)} broke a rule (target: 0 5xx)")
    for problem in broken:
        print(f"  {problem}")


def bounds(url: str, pid: int) -> None:
    """What the heaviest allowed input costs: 15 questions at once, each with the largest history allowed
    (20 turns of 4,000 characters, every earlier turn a question to follow up), and a 10 MB body."""
    history = [{"role": "user", "content": "房租减免政策" * 666}] * 20
    before, started, statuses = rss_mb(pid), time.perf_counter(), Counter()

    def ask() -> None:
        statuses[httpx.post(f"{url}/api/ask", json={"question": "那湛河区呢？", "history": history}, timeout=120).status_code] += 1

    threads = [threading.Thread(target=ask) for _ in range(15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took, after = time.perf_counter() - started, rss_mb(pid)
    print(f"bounds: 15 at once with 20-turn, 4,000-character histories: {took:.1f} s, statuses {dict(statuses)}, "
          f"RSS {before:.0f} → {after:.0f} MB")
    started = time.perf_counter()
    huge = httpx.post(f"{url}/api/ask", content=b" " * 10_000_000, headers={"Content-Type": "application/json"}, timeout=60)
    print(f"        a 10 MB body: {huge.status_code} in {(time.perf_counter() - started) * 1000:.0f} ms, "
          f"RSS {rss_mb(pid):.0f} MB")


def load_steps(url: str, pid: int, questions: list[dict], clients: list[int], seconds: float) -> None:
    print(f"load: each step {seconds:.0f} s of POST /api/ask, questions of the Q&A set in turn")
    print(f"{'clients':>7} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'RSS MB before → after':>22}")
    for count in clients:
        load, before = Load(url, count, questions), rss_mb(pid)
        took = load.run_while(lambda: time.sleep(seconds))
        after, done = rss_mb(pid), load.latencies
        growth = (after - before) / before
        verdict = f"  RSS growth {growth:+.1%} (target ≤ {RSS_TARGET:.0%}: {'met' if growth <= RSS_TARGET else 'MISSED'})" \
            if count == LIVE_CLIENTS else ""
        print(f"{count:>7} {len(done):>8} {len(done) / took:>6.1f} {percentile(done, 0.5):>7.0f} {percentile(done, 0.95):>7.0f} "
              f"{percentile(done, 0.99):>7.0f} {sum(load.failures.values()):>6} {before:>10.0f} → {after:<9.0f}{verdict}")
        for failure, times in load.failures.items():
            print(f"        {times} × {failure}")


def live_update(url: str, data_dir: Path, questions: list[dict]) -> None:
    """10 clients asking while an ingest adds a document and a build takes it out again."""
    env = {**os.environ, "POLICY_DATA_DIR": str(data_dir)}
    seen: list[int] = []

    def documents() -> int:
        return httpx.get(f"{url}/api/health", timeout=30).json()["documents"]

    def served(count: int) -> None:
        for _ in range(120):  # the server looks every second
            seen.append(documents())
            if seen[-1] == count:
                return
            time.sleep(0.5)
        raise SystemExit(f"the server never answered from the index of {count} documents")

    def update() -> None:
        before = documents()
        seen.append(before)
        for command, then in ((["ingest", str(SAMPLE_POLICY)], before + 1), (["build"], before)):
            if command == ["build"]:
                (data_dir / "ingested" / SAMPLE_POLICY.name).unlink()  # how an ingested document is taken out
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "assistant", *command], cwd=PROJECT_ROOT, env=env,
                                  capture_output=True, text=True, timeout=600)
            print(f"  python -m assistant {command[0]}: {time.perf_counter() - started:.1f} s, "
                  f"{(done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]}")
            served(then)
        time.sleep(5)  # and on, after the last switch

    load = Load(url, LIVE_CLIENTS, questions)
    print(f"live update under load ({LIVE_CLIENTS} clients):")
    took = load.run_while(update)
    failed = sum(load.failures.values())
    order = [count for n, count in enumerate(seen) if n == 0 or count != seen[n - 1]]
    print(f"  {len(load.latencies)} requests in {took:.0f} s, {failed} failed (target 0: {'met' if failed == 0 else 'MISSED'}); "
          f"documents answered from: {' → '.join(map(str, order))}")
    for failure, times in load.failures.items():
        print(f"        {times} × {failure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.soak")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each load step")
    parser.add_argument("--clients", default="1,5,10,20", help="clients of each load step, comma separated")
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",")]
    questions = [{"question": c.question, "history": c.history, "location": c.location} for c in load_cases()]
    with tempfile.TemporaryDirectory(prefix="policy-soak-") as scratch:
        data_dir = Path(scratch) / "data"
        copy_index(get_settings().data_dir, data_dir)
        with server(data_dir, Path(scratch) / "server.log") as (url, process):
            print(f"server: {url} (pid {process.pid}), RSS {rss_mb(process.pid):.0f} MB after start")
            bad_inputs(url)
            bounds(url, process.pid)
            warm = Load(url, 2, questions)
            warm.run_while(lambda: time.sleep(10))
            print(f"warm-up: {len(warm.latencies)} requests, RSS {rss_mb(process.pid):.0f} MB")
            load_steps(url, process.pid, questions, clients, args.seconds)
            live_update(url, data_dir, questions)
            print(f"server RSS at the end: {rss_mb(process.pid):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
