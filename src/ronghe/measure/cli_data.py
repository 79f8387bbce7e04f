"""`ronghe data …`: import, list and fetch IO tables in the local store."""

import click


@click.group()
def data() -> None:
    """The local table store ($RONGHE_DATA_DIR)."""
