"""Load test on loopback: drive a running `brief serve` with concurrent clients, bounded in count and time.

    .venv/bin/python bench/load.py                      # starts its own server (extractive), two phases
    .venv/bin/python bench/load.py --mode model --requests 6

Phase 1 stays within capacity; phase 2 sends far more concurrent requests than slots + queue, and
must show 503s with Retry-After, no 500s, and server memory that stays bounded. Reports throughput,
latency percentiles, status counts and the server's peak RSS (VmHWM from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import start_server  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def rss_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def phase(base: str, body: dict, requests: int, concurrency: int, limit_s: float) -> dict:  # type: ignore[type-arg]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(requests):
        queue.put_nowait(n)
    deadline = time.monotonic() + limit_s

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            queue.get_nowait()
            start = time.perf_counter()
            try:
                response = await http.post(f"{base}/v1/briefs", json=body)
                statuses[response.status_code] += 1
                if response.status_code == 503:
                    assert response.headers.get("retry-after"), "503 without Retry-After"
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - start)
            except httpx.TransportError as exc:
                statuses[type(exc).__name__] += 1  # type: ignore[index]

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=limit_s) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {"sent": sum(statuses.values()), "ok": len(latencies), "seconds": elapsed,
            "throughput": len(latencies) / elapsed, "p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99),
            "statuses": dict(statuses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", default="extractive", choices=["extractive", "model"])
    parser.add_argument("--requests", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--overload-concurrency", type=int, default=24)
    parser.add_argument("--time-limit", type=float, default=240.0, help="seconds per phase, at most")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="brief-load-") as folder:
        load(args, Path(folder))


def load(args: argparse.Namespace, folder: Path) -> None:
    """Both phases against a server whose desk database lives in `folder`."""
    server, base = start_server({"BRIEF_MODEL": "none" if args.mode == "extractive" else "embedded",
                                 "BRIEF_MAX_CONCURRENCY": "1", "BRIEF_MAX_QUEUE": "2", "BRIEF_LOG_LEVEL": "warning",
                                 "BRIEF_REQUEST_TIMEOUT": str(args.time_limit)}, folder)
    body = {"documents": [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in SEEDS],
            "options": {"mode": args.mode}}
    try:
        print(f"server ready: pid {server.pid}, RSS {rss_mib(server.pid, 'VmRSS'):.0f} MiB; "
              f"BRIEF_MAX_CONCURRENCY=1 BRIEF_MAX_QUEUE=2, mode {args.mode}, five seeds per request")
        runs = [("within capacity", args.requests, args.concurrency),
                ("past saturation", args.requests * 3, args.overload_concurrency)]
        print("| phase | clients | sent | 200 | other statuses | briefs/s | p50 s | p95 s | p99 s | peak RSS MiB |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, requests, concurrency in runs:
            r = asyncio.run(phase(base, body, requests, concurrency, args.time_limit))
            other = {k: v for k, v in r["statuses"].items() if k != 200}
            print(f"| {name} | {concurrency} | {r['sent']} | {r['ok']} | {other or '-'} | {r['throughput']:.2f} | "
                  f"{r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {rss_mib(server.pid, 'VmHWM'):.0f} |")
        assert httpx.get(f"{base}/healthz").status_code == 200, "server must still serve"
        print(f"after both phases: /healthz 200, RSS {rss_mib(server.pid, 'VmRSS'):.0f} MiB")
    finally:
        server.send_signal(signal.SIGTERM)
        print(f"server exit status after SIGTERM: {server.wait(60)}")


if __name__ == "__main__":
    main()
