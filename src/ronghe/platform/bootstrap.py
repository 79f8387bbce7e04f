"""Starting Django from a command: settings, setup once, and the migrations the database still lacks.

The bottom of the platform's commands (``ronghe demo|serve|worker|manage|audit|demo-data``): they import this,
never each other.
"""

from __future__ import annotations

import os

SETTINGS = "ronghe.platform.settings"


def setup_django() -> None:
    """Configure Django once per process (a second call is a no-op)."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
        django.setup()


def unapplied_migrations() -> list[str]:
    """``app.migration`` names the database still lacks."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
