"""The processes of `make run`, kept running: one that exits (a crashed worker, a killed
Redis) is started again with a line in the log; one that keeps crashing stops the stack."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# More exits than this within CRASH_WINDOW seconds: the process cannot run, say so and stop.
CRASH_LIMIT = 5
CRASH_WINDOW = 60.0


class GivingUp(RuntimeError):
    """A process exited CRASH_LIMIT times within CRASH_WINDOW seconds."""


@dataclass
class Supervised:
    name: str  # as the log names it: «воркер Celery», «Redis»…
    start: Callable[[], subprocess.Popen[bytes]]
    process: subprocess.Popen[bytes] | None = None
    exits: deque[float] = field(default_factory=deque)
    # For a server another process started (the embedded Redis a test run left): watched by
    # asking it, started by us (and then watched as our child) when it stops answering.
    alive: Callable[[], bool] | None = None


class Supervisor:
    def __init__(self, *, log: Callable[[str], None] | None = None) -> None:
        self.children: list[Supervised] = []
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))

    def add(
        self,
        name: str,
        start: Callable[[], subprocess.Popen[bytes]],
        running: subprocess.Popen[bytes] | None = None,
    ) -> Supervised:
        """Watch `running` (or what `start` starts now); `start` is how it is started again."""
        child = Supervised(name, start, running or start())
        self.children.append(child)
        return child

    def add_running(
        self, name: str, start: Callable[[], subprocess.Popen[bytes]], alive: Callable[[], bool]
    ) -> Supervised:
        """Watch a server someone else started by asking it; started by us when it is gone."""
        child = Supervised(name, start, None, alive=alive)
        self.children.append(child)
        return child

    def check(self, now: float | None = None) -> int:
        """Restart whatever exited; how many were restarted. Raises GivingUp."""
        now = time.monotonic() if now is None else now
        restarted = 0
        for child in self.children:
            if child.process is None:
                if child.alive is None or child.alive():
                    continue
                code: int | str = "не отвечает"
            else:
                polled = child.process.poll()
                if polled is None:
                    continue
                code = polled
            child.exits.append(now)
            while child.exits and now - child.exits[0] > CRASH_WINDOW:
                child.exits.popleft()
            if len(child.exits) >= CRASH_LIMIT:
                self.log(
                    f"{child.name}: остановился {len(child.exits)} раз за минуту (код {code}); "
                    "останавливаю всё."
                )
                raise GivingUp(child.name)
            self.log(f"{child.name}: остановился (код {code}); перезапускаю.")
            child.process = child.start()
            restarted += 1
        return restarted

    def watch(self, interval: float = 0.5) -> None:
        while True:
            self.check()
            time.sleep(interval)

    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [c.process for c in self.children if c.process is not None]
