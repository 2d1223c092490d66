"""``serve --workers N`` (N > 1): N uvicorn workers, and connections dealt to them in turn.

How connections reach the workers decides how evenly they share the load, because a client
keeps its connections (a proxy's pool, a load generator's 8 keep-alive connections):

- uvicorn's own ``--workers`` shares one listening socket, and asyncio accepts every pending
  connection in one go when a worker wakes: a burst often lands entirely on one worker while
  another stays idle (issue 10: one worker idle in 5 of 18 benchmark runs at 8 connections).
- A socket per worker (``SO_REUSEPORT``, this module until 2026-12) lets the kernel hash each
  connection to a socket: a fair coin per connection, so 8 connections split 4-4 in about a
  quarter of the cases and 6-2 or worse in a third; the busier worker then serves 75% of the
  requests, which is what a 2-worker benchmark cell's tail measured (bench/README.md).

So, as node's cluster module does: this process (the supervisor) holds the one listening
socket, accepts, and hands each connection to the next worker in turn over a Unix socket
(``SCM_RIGHTS``); the worker serves it as uvicorn serves a connection it accepted itself
(``loop.connect_accepted_socket`` with uvicorn's protocol). 8 connections split 4-4, always.
The supervisor does nothing else per connection: no bytes of a request pass through it.

It accepts nothing until every worker has started (connections wait in the listen backlog),
so that the first connections are not all dealt to the first worker up; after that, to the
workers that are up. It replaces a worker that exits, stops them all on SIGTERM or SIGINT
(it stops accepting first, then uvicorn's graceful shutdown in each), and gives up when
workers keep exiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import select
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
BACKLOG = 2048
# What a worker sends the supervisor once it serves (then the supervisor deals to it), and
# the byte that carries each connection handed to a worker.
_READY = b"r"
_CONNECTION = b"c"


class ServingError(RuntimeError):
    """The workers cannot be started or keep exiting; the message says why."""


def listening_socket(host: str, port: int) -> socket.socket:
    """The one TCP socket the supervisor accepts on, bound to (host, port) and listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


# -- the worker ------------------------------------------------------------------------------


def _worker(config: dict[str, Any], channel: socket.socket) -> None:
    """One worker process: uvicorn, serving the connections the supervisor hands it."""
    import uvicorn

    class HandedServer(uvicorn.Server):
        """uvicorn with no listening socket of its own. What it uses of uvicorn beyond the
        public API (the protocol class, the server and app state a connection needs) is
        what ``Server.startup`` passes to each connection it accepts; pinned in
        pyproject.toml, and tests/test_serve_workers.py serves real requests through it."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])
            if not self.started:
                return
            loop = asyncio.get_running_loop()
            channel.setblocking(False)
            loop.add_reader(channel.fileno(), self._receive, loop)
            channel.send(_READY)

        def _receive(self, loop: asyncio.AbstractEventLoop) -> None:
            while True:
                try:
                    data, fds, _flags, _address = socket.recv_fds(channel, 1, 1)
                except BlockingIOError:
                    return
                if not data:  # the supervisor is gone: nothing more will come
                    loop.remove_reader(channel.fileno())
                    self.should_exit = True
                    return
                for fd in fds:
                    connection = socket.socket(fileno=fd)
                    connection.setblocking(False)
                    loop.create_task(loop.connect_accepted_socket(self._protocol, connection))

        def _protocol(self) -> asyncio.Protocol:
            protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
                config=self.config, server_state=self.server_state, app_state=self.lifespan.state
            )
            return protocol

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            with contextlib.suppress(OSError, ValueError):
                asyncio.get_running_loop().remove_reader(channel.fileno())
            channel.close()
            await super().shutdown(sockets)

    HandedServer(uvicorn.Config(**config)).run()


# -- the supervisor --------------------------------------------------------------------------


class _Dealer:
    """Accepts on the listening socket and deals each connection to the next ready worker.
    Runs in a thread of the supervisor; the main thread starts and replaces workers."""

    def __init__(self, listener: socket.socket, workers: int) -> None:
        self._listener = listener
        self._channels: dict[int, socket.socket] = {}  # worker index -> its channel
        self._ready: set[int] = set()
        self._started = False  # every first worker has been ready once
        self._workers = workers
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dealer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def attach(self, index: int, channel: socket.socket) -> None:
        """Worker ``index`` (new or replaced) talks over ``channel``; dealt to once ready."""
        with self._lock:
            old = self._channels.pop(index, None)
            self._ready.discard(index)
            self._channels[index] = channel
        if old is not None:
            old.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                channels = dict(self._channels)
                dealing = self._started and bool(self._ready)
            waiting_on = [*channels.values(), *([self._listener] if dealing else [])]
            try:
                readable, _, _ = select.select(waiting_on, [], [], 0.2)
            except (OSError, ValueError):
                # A channel closed under us (its worker replaced, or stop()): look again.
                continue
            for index, channel in channels.items():
                if channel in readable:
                    self._hear(index, channel)
            if self._listener in readable:
                self._deal()

    def _hear(self, index: int, channel: socket.socket) -> None:
        try:
            said = channel.recv(16)
        except OSError:
            said = b""
        with self._lock:
            if self._channels.get(index) is not channel:
                return
            if said:
                self._ready.add(index)
                self._started = self._started or len(self._ready) == self._workers
            else:  # the worker exited; the main thread replaces it
                self._ready.discard(index)
                del self._channels[index]
                channel.close()

    def _deal(self) -> None:
        try:
            connection, _address = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        with connection:
            while True:
                with self._lock:
                    ready = sorted(self._ready)
                    if not ready:
                        return  # no worker up: the connection is closed, as a full backlog would
                    index = ready[next(self._turn) % len(ready)]
                    channel = self._channels[index]
                try:
                    socket.send_fds(channel, [_CONNECTION], [connection.fileno()])
                    return
                except OSError:  # the worker just exited: the next one takes it
                    with self._lock:
                        self._ready.discard(index)


def serve(config: dict[str, Any], host: str, port: int, workers: int) -> int:
    """Run ``workers`` uvicorn workers with ``config`` (uvicorn.Config's keyword arguments)
    on (host, port) until SIGTERM or SIGINT; the exit status."""
    try:
        listener = listening_socket(host, port)
    except OSError as error:
        raise ServingError(f"cannot bind {host}:{port}: {error}") from error
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    dealer = _Dealer(listener, workers)

    def start(index: int) -> SpawnProcess:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = spawn.Process(target=_worker, args=(config, theirs), daemon=False)
        process.start()
        theirs.close()  # the child has its own copy now
        dealer.attach(index, ours)
        return process

    def stop(signum: int, _frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes = [start(index) for index in range(workers)]
    dealer.start()
    logger.info("started %d workers on %s:%d (connections dealt in turn)", workers, host, port)
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
                processes[index] = start(index)
    finally:
        dealer.stop()  # no new connections; the workers finish the ones they hold
        listener.close()
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
