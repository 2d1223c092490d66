"""``serve --workers N`` (N > 1): N uvicorn workers, each listening on a socket of its own.

uvicorn's own ``--workers`` shares one listening socket between the workers, and asyncio
accepts every pending connection in one go when a worker wakes: a burst of new connections
(a proxy opening its pool, a client with 8 keep-alive connections) often lands entirely on one
worker, while another stays idle for as long as those connections live (issue 10: one worker
idle in 5 of 18 benchmark runs at 8 connections; bench/README.md, "Workers"). Here every
worker binds its own socket with ``SO_REUSEPORT``, and the kernel spreads new connections over
the sockets by a hash of their addresses, whichever worker is awake.

Only uvicorn's public ``Config`` and ``Server.run(sockets=...)`` are used. The supervisor (this
process) starts the workers, replaces one that exits, stops them all on SIGTERM or SIGINT
(uvicorn's graceful shutdown in each), and gives up when workers keep exiting. It holds a
bound, never-listening socket on the address for as long as it runs: the address is checked
(and ``--port 0`` resolved) before any worker starts, and no other user can take it between
worker restarts. A socket that does not listen receives no connections.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.context import SpawnProcess
from typing import Any

logger = logging.getLogger("csm_graphql.serving")

# Workers exiting this often (restarts within the window) mean a broken start, not a crash.
RESTART_WINDOW_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 30.0


class ServingError(RuntimeError):
    """The workers cannot be started or keep exiting; the message says why."""


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, not yet listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(config: dict[str, Any], host: str, port: int) -> None:
    """One worker process: its own listening socket, then uvicorn until SIGTERM or SIGINT."""
    import uvicorn

    sock = reuse_port_socket(host, port)  # uvicorn's startup makes it listen
    uvicorn.Server(uvicorn.Config(**config)).run(sockets=[sock])


def serve(config: dict[str, Any], host: str, port: int, workers: int) -> int:
    """Run ``workers`` uvicorn workers with ``config`` (uvicorn.Config's keyword arguments)
    on (host, port) until SIGTERM or SIGINT; the exit status."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise ServingError("--workers N > 1 needs SO_REUSEPORT (Linux, BSD or macOS)")
    try:
        reservation = reuse_port_socket(host, port)
    except OSError as error:
        raise ServingError(f"cannot bind {host}:{port}: {error}") from error
    port = reservation.getsockname()[1]
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> SpawnProcess:
        process = spawn.Process(target=_worker, args=(config, host, port), daemon=False)
        process.start()
        return process

    def stop(signum: int, _frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes = [start() for _ in range(workers)]
    logger.info("started %d workers on %s:%d (one socket each, SO_REUSEPORT)", workers, host, port)
    restarts: list[float] = []
    status = 0
    try:
        while not stopping.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive():
                    continue
                now = time.monotonic()
                restarts = [t for t in restarts if now - t < RESTART_WINDOW_SECONDS] + [now]
                if len(restarts) > 2 * workers:
                    logger.error("workers keep exiting (last: %s); stopping", process.exitcode)
                    stopping.set()
                    status = 1
                    break
                logger.warning(
                    "worker %s exited with %s; starting another", process.pid, process.exitcode
                )
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        reservation.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
