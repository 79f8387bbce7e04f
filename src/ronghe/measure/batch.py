"""Many tables at once (24 BEA years, provinces × years, MRIO years): serially or on a Dask cluster.

Each table is one task — load it from the store, compute its indicators — so a task needs only the table id
and the concordance options, and returns plain :class:`~ronghe.measure.fusion.Indicators` (arrays and
dicts, pickled back). ``workers=N`` starts a ``dask.distributed`` LocalCluster of N single-threaded worker
processes (one BLAS thread each, so N workers use N cores); ``scheduler=ADDRESS`` uses a running cluster,
whose workers must see the same store (the same ``RONGHE_DATA_DIR`` on a shared file system, see
docs/user-guide.md). Results come back in the order asked, identical to the serial run: every task runs the
same code on the same bytes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ronghe.errors import InputError

#: How long to wait for a scheduler given with ``--scheduler`` before saying it does not answer.
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class Task:
    """One table to compute: its id in the store and the concordance options of the command."""

    table_id: str
    concordance: tuple[str, ...] = ()
    variant: str | None = None


def run_task(task: Task, data_dir: str | None = None) -> list[Any]:
    """Compute one stored table's indicators (one per region for an MRIO); runs on a worker."""
    if data_dir is not None:
        os.environ["RONGHE_DATA_DIR"] = data_dir
    from ronghe.measure.cli_measure import _compute

    return _compute(task.table_id, task.concordance, task.variant)


def _progress(total: int, label: str) -> Callable[[str], None]:
    """A one-line progress count on stderr (stdout stays clean for JSON and CSV)."""
    done = [0]
    tty = sys.stderr.isatty()

    def tick(name: str) -> None:
        done[0] += 1
        if tty:
            sys.stderr.write(f"\r{label}: {done[0]}/{total} ({name})\x1b[K")
            if done[0] == total:
                sys.stderr.write("\n")
        elif done[0] == total:
            sys.stderr.write(f"{label}: {total}/{total} tables\n")
        sys.stderr.flush()

    return tick


def compute_all(tasks: Sequence[Task], *, workers: int | None = None, scheduler: str | None = None,
                progress: bool = True) -> list[Any]:
    """Every task's indicators, flattened in task order; on Dask when ``workers`` or ``scheduler`` is given."""
    if workers is not None and scheduler is not None:
        raise InputError("give --workers N (a local cluster) or --scheduler ADDRESS (a running one), not both")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    tick = _progress(len(tasks), "computed") if progress and len(tasks) > 1 else (lambda name: None)
    if workers is None and scheduler is None:
        out = []
        for t in tasks:
            out.extend(run_task(t))
            tick(t.table_id)
        return out
    return _on_dask(tasks, workers, scheduler, tick)


def _client(workers: int | None, scheduler: str | None) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--workers and --scheduler need dask.distributed: pip install 'dask[distributed]'") from None
    if scheduler is not None:
        try:
            return Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"no Dask scheduler answers at {scheduler!r} within {CONNECT_TIMEOUT_S} s "
                             f"({reason[:120]})") from None
    one_thread = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                  "DASK_LOGGING__DISTRIBUTED": "critical"}  # no heartbeat noise on stderr when the cluster stops
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           env=one_thread)
    return Client(cluster), cluster


def _on_dask(tasks: Sequence[Task], workers: int | None, scheduler: str | None,
             tick: Callable[[str], None]) -> list[Any]:
    import logging

    from dask.distributed import as_completed

    logging.getLogger("distributed").setLevel(logging.ERROR)
    client, cluster = _client(workers, scheduler)
    try:
        data_dir = os.environ.get("RONGHE_DATA_DIR")
        futures = [client.submit(run_task, t, data_dir, pure=False, key=f"ronghe-{i}-{t.table_id}")
                   for i, t in enumerate(tasks)]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(tasks)
        for fut in as_completed(futures):
            i = index[fut.key]
            try:
                results[i] = fut.result()
            except InputError:
                raise
            except Exception as exc:  # a worker lost or killed: say which table
                raise InputError(f"table {tasks[i].table_id!r} failed on the Dask cluster: {exc}") from None
            tick(tasks[i].table_id)
        return [ind for r in results for ind in r]
    finally:
        if cluster is not None:  # workers first, so none of them reports the scheduler going away
            cluster.close()
        client.close()
