"""Time-driven work (ProZorro's chronograph): periodic tasks enqueued through django-tasks.

``ronghe worker`` (and the worker inside ``ronghe demo``) runs :func:`start_scheduler` beside the task
worker, so production only swaps the task backend, never the callers. Every periodic task is idempotent, so
two workers that both schedule do no harm.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task_path: str  # "module:attribute" of a django-tasks Task
    every: timedelta


PERIODIC: list[Periodic] = [
    Periodic("ronghe.platform.demand.tasks:expire_due_demands_task", timedelta(hours=1)),
]


def _task(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def enqueue_periodic(names: list[Periodic] | None = None) -> list[str]:
    """Enqueue every periodic task once; returns the task paths enqueued."""
    done = []
    for item in names or PERIODIC:
        _task(item.task_path).enqueue()
        done.append(item.task_path)
    return done


def start_scheduler(stop: threading.Event | None = None) -> threading.Thread:
    """A daemon thread that enqueues each periodic task at start and then at its interval."""
    stop = stop or threading.Event()

    def loop() -> None:
        due = {item.task_path: 0.0 for item in PERIODIC}
        elapsed = 0.0
        tick = 60.0
        while not stop.is_set():
            for item in PERIODIC:
                if elapsed >= due[item.task_path]:
                    try:
                        _task(item.task_path).enqueue()
                    except Exception:  # keep scheduling the others; the failure is logged
                        log.exception("could not enqueue %s", item.task_path)
                    due[item.task_path] = elapsed + item.every.total_seconds()
            stop.wait(tick)
            elapsed += tick

    thread = threading.Thread(target=loop, name="ronghe-scheduler", daemon=True)
    thread.start()
    return thread
