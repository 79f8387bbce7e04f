"""Periodic tasks reach the task backend and do their work (demand expiry, the platform's chronograph)."""

import threading
from datetime import timedelta

import pytest
from django.test import override_settings

from ronghe.platform.core import schedule
from ronghe.platform.core.registry import periodic_tasks

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
def test_every_periodic_task_resolves_and_enqueues():
    with override_settings(TASKS=IMMEDIATE):
        declared = [p.task_path for p in periodic_tasks()]
        assert "ronghe.platform.demand.tasks:expire_due_demands_task" in declared  # from demand/platform.py
        assert schedule.enqueue_periodic() == declared


@pytest.mark.django_db
def test_scheduler_enqueues_at_start_and_stops_cleanly(monkeypatch):
    seen = []
    monkeypatch.setattr(_Probe, "calls", seen)
    stop = threading.Event()
    thread = schedule.start_scheduler(stop, [schedule.Periodic("tests.platform.core.test_schedule:_probe",
                                                               timedelta(hours=1))])
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
