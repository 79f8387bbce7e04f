"""Time-driven work (ProZorro's chronograph): periodic tasks enqueued through django-tasks.

Apps declare their periodic tasks in ``platform.py`` (``core.registry.Periodic``); ``ronghe worker`` (and the
worker inside ``ronghe demo``) runs :func:`start_scheduler` beside the task worker, so production only swaps the
task backend, never the callers. Every periodic task is idempotent, so two workers that both schedule do no
harm.
"""

from __future__ import annotations

import logging
import threading

from ronghe.platform.core.registry import Periodic, periodic_tasks, resolve

log = logging.getLogger(__name__)

__all__ = ["Periodic", "enqueue_periodic", "start_scheduler"]


def enqueue_periodic(names: list[Periodic] | None = None) -> list[str]:
    """Enqueue every periodic task once; returns the task paths enqueued."""
    done = []
    for item in names or periodic_tasks():
        resolve(item.task_path).enqueue()
        done.append(item.task_path)
    return done


def start_scheduler(stop: threading.Event | None = None, tasks: list[Periodic] | None = None) -> threading.Thread:
    """A daemon thread that enqueues each periodic task at start and then at its interval."""
    stop = stop or threading.Event()
    tasks = periodic_tasks() if tasks is None else tasks

    def loop() -> None:
        due = {item.task_path: 0.0 for item in tasks}
        elapsed = 0.0
        tick = 60.0
        while not stop.is_set():
            for item in tasks:
                if elapsed >= due[item.task_path]:
                    try:
                        resolve(item.task_path).enqueue()
                    except Exception:  # keep scheduling the others; the failure is logged
                        log.exception("could not enqueue %s", item.task_path)
                    due[item.task_path] = elapsed + item.every.total_seconds()
            stop.wait(tick)
            elapsed += tick

    thread = threading.Thread(target=loop, name="ronghe-scheduler", daemon=True)
    thread.start()
    return thread
