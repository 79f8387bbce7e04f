"""Platform commands for `ronghe` (demo, serve, worker, demo-data, manage)."""

import click


def register(main: click.Group) -> None:
    """Attach the platform commands to the top-level group."""
