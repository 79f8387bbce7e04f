"""Periodic tasks reach the task backend and do their work (demand expiry, the platform's chronograph)."""

import threading
from datetime import timedelta

import pytest
from django.test import override_settings

from ronghe.platform.core import schedule

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
def test_every_periodic_task_resolves_and_enqueues():
    with override_settings(TASKS=IMMEDIATE):
        assert schedule.enqueue_periodic() == [p.task_path for p in schedule.PERIODIC]


@pytest.mark.django_db
def test_scheduler_enqueues_at_start_and_stops_cleanly(monkeypatch):
    seen = []
    monkeypatch.setattr(schedule, "PERIODIC", [schedule.Periodic("tests.platform.core.test_schedule:_probe",
                                                                  timedelta(hours=1))])
    monkeypatch.setattr(_Probe, "calls", seen)
    stop = threading.Event()
    thread = schedule.start_scheduler(stop)
    for _ in range(100):
        if seen:
            break
        threading.Event().wait(0.02)
    stop.set()
    thread.join(timeout=5)
    assert seen == ["enqueued"] and not thread.is_alive()


class _Probe:
    calls: list = []

    def enqueue(self):
        _Probe.calls.append("enqueued")


_probe = _Probe()
