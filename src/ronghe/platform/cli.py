"""Platform commands for `ronghe`: demo, serve, worker, manage.

Django is configured only when a command runs, so ``ronghe --help`` and the measure commands stay fast.
``demo`` always uses its own SQLite file in the data folder (``$RONGHE_DATA_DIR``); ``serve`` and ``worker``
use ``DATABASE_URL`` (PostgreSQL in production).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import click
from platformdirs import user_data_dir

from ronghe.platform.bootstrap import setup_django as _setup_django
from ronghe.platform.bootstrap import unapplied_migrations

DEMO_DB = "demo.sqlite3"


def data_dir() -> Path:
    """The same folder settings.py uses (``$RONGHE_DATA_DIR``, else the user's data directory)."""
    return Path(os.environ.get("RONGHE_DATA_DIR") or user_data_dir("ronghe"))


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _start_worker() -> subprocess.Popen:
    """The django-tasks database worker as a child process (it installs its own signal handlers)."""
    return subprocess.Popen([sys.executable, "-m", "ronghe.cli", "worker", "--no-startup-delay"],
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]})


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _serve(host: str, port: int, threads: int, worker: subprocess.Popen | None = None) -> None:
    """Serve the platform with waitress until interrupted; SIGTERM stops it (and the worker) cleanly.

    Only ``RONGHE_TRUSTED_PROXY`` may set the client address and scheme through X-Forwarded-* headers; from
    anyone else waitress drops them.
    """
    from django.conf import settings
    from waitress import serve

    from ronghe.platform.wsgi import application

    proxy = {"trusted_proxy": settings.RONGHE_TRUSTED_PROXY,
             "trusted_proxy_headers": settings.RONGHE_TRUSTED_PROXY_HEADERS} if settings.RONGHE_TRUSTED_PROXY else {}

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    from ronghe.errors import InputError

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        serve(application, host=host, port=port, threads=threads, ident="ronghe", **proxy)
    except KeyboardInterrupt:
        click.echo("stopping")
    except OSError as exc:  # port taken, address not local, …
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(worker)


def _collect_static() -> None:
    """Collect once into STATIC_ROOT (compressed copies); whitenoise also serves straight from the apps."""
    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    if not (root / "ronghe" / "ronghe.css").exists():
        click.echo(f"collecting static files into {root}")
        _call("collectstatic", "--noinput", "--verbosity", "0")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--reset", is_flag=True, help="Delete the demo database and load it afresh.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-worker", is_flag=True, help="Do not start the background task worker.")
def demo(host: str, port: int, reset: bool, threads: int, no_worker: bool) -> None:
    """Run the whole platform on this machine with demo data (SQLite in the data folder, no internet)."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / DEMO_DB
    if reset:
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), folder / "demo-media"):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        click.echo(f"reset: removed {db}")
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("RONGHE_MEDIA_ROOT", str(folder / "demo-media"))
    _setup_django()
    click.echo(f"database: {db}")
    _call("migrate", "--noinput", "--verbosity", "0")
    _call("createcachetable")

    from ronghe.platform import demo as demo_data

    if demo_data.is_loaded():
        click.echo("demo data already loaded (use --reset to start over)")
    else:
        demo_data.load_demo(echo=click.echo)
    _collect_static()
    worker = None if no_worker else _start_worker()
    url = f"http://{host}:{port}/"
    click.echo("")
    click.echo(f"融合 ronghe demo: {url}   (API: {url}api/docs/ · admin: {url}admin/)")
    click.echo("demo logins (synthetic data; the password is the same for every role):")
    for label, username, password in demo_data.logins():
        click.echo(f"  {username:<13} {password:<12} {label}")
    click.echo("Ctrl-C stops the server" + ("" if no_worker else " and the task worker"))
    _serve(host, port, threads, worker)


def deploy_problems(allow_sqlite: bool) -> list[str]:
    """Why these settings are unsafe to serve the public with (empty when they are not)."""
    from django.conf import settings
    from django.core import checks

    if settings.DEBUG:
        return ["RONGHE_DEBUG=1 shows tracebacks and settings to every visitor; unset it"]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and not allow_sqlite:
        return ["the database is SQLite; set DATABASE_URL to PostgreSQL (or pass --allow-sqlite for a "
                "single-machine installation)"]
    if settings.SECURE_SSL_REDIRECT and not settings.RONGHE_TRUSTED_PROXY:
        return ["RONGHE_HTTPS=1 needs RONGHE_TRUSTED_PROXY (the address of the TLS proxy in front): waitress "
                "speaks plain HTTP, so without it every request would be redirected to https again and again"]
    found = [m for m in checks.run_checks(include_deployment_checks=True)
             if m.level >= checks.WARNING and not m.is_silenced()]
    return [f"{m.id} {' '.join(m.msg.split()).split('. ')[0].rstrip('.')}" for m in found]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--allow-sqlite", is_flag=True, help="Serve from SQLite (one machine, few writers).")
def serve(host: str, port: int, threads: int, allow_sqlite: bool) -> None:
    """Production server (waitress); PostgreSQL via DATABASE_URL; run `ronghe worker` beside it.

    Refuses to start, with one line saying why, on settings unsafe for the public: no RONGHE_SECRET_KEY, DEBUG,
    SQLite without --allow-sqlite, HTTPS without a trusted proxy, or any warning of Django's `check --deploy`
    (RONGHE_SILENCED_CHECKS names deliberate exceptions).
    """
    from ronghe.errors import InputError

    if not os.environ.get("RONGHE_SECRET_KEY"):  # before Django starts, so no key file is generated either
        raise InputError("RONGHE_SECRET_KEY is not set; production needs its own secret key "
                         "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')")
    _setup_django()
    problems = deploy_problems(allow_sqlite)
    if problems:
        raise InputError(f"refusing to serve: {'; '.join(problems)}")
    pending = unapplied_migrations()
    if pending:
        raise InputError(f"the database has {len(pending)} unapplied migration(s) ({', '.join(pending[:3])}"
                         f"{', …' if len(pending) > 3 else ''}); run `ronghe manage migrate` first")
    _call("createcachetable")
    click.echo(f"serving on http://{host}:{port}/ with {threads} threads")
    _serve(host, port, threads)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--no-scheduler", is_flag=True, help="Do not enqueue the periodic tasks from this worker.")
@click.pass_context
def worker(ctx: click.Context, no_scheduler: bool) -> None:
    """Run the background task worker (django-tasks database backend); extra options go to db_worker.

    Unless --no-scheduler, it also enqueues the periodic tasks (demand expiry, …) at their intervals.
    """
    _setup_django()
    from django.core.management import execute_from_command_line

    if not no_scheduler:
        from ronghe.platform.core.schedule import start_scheduler

        start_scheduler()

    execute_from_command_line(["ronghe worker", "db_worker", *ctx.args])


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Django's management commands: `ronghe manage migrate`, `ronghe manage createsuperuser`, …"""
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ronghe manage", *ctx.args])


def register(main: click.Group) -> None:
    """Attach the platform commands to the top-level group."""
    from ronghe.platform.cli_audit import audit
    from ronghe.platform.deals.cli import export
    from ronghe.platform.demodata import demo_data_command

    for command in (demo, serve, worker, manage, audit, export, demo_data_command()):
        main.add_command(command)
