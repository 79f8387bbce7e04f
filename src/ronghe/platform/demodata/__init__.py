"""Reproducible, clearly labelled synthetic platform data: ``ronghe demo-data`` and the demo's small data set.

The rows are synthesised here (``rows``) and written only through each app's one bulk writer
(``accounts.bulk``, ``providers.bulk``, ``demand.bulk``), never beside them.

Django models are imported only inside the functions, so importing this package (to register the command)
does not need Django to be set up.
"""

from __future__ import annotations

from typing import Any

import click

#: The small data set ``ronghe demo`` shows beside its curated organizations.
SMALL_DEMO = {"manufacturers": 40, "providers": 60, "demands": 80, "demand_lists": 3}
SMALL_DEMO_SEED = 2026


def load_small_demo(seed: int = SMALL_DEMO_SEED, *, with_users: bool = False) -> Any:
    """40 manufacturers, 60 providers, 80 demands and 3 association demand lists; returns the ``Result``."""
    from ronghe.platform.demodata.generator import Spec, generate

    return generate(Spec(seed=seed, with_users=with_users, batch_size=500, **SMALL_DEMO))


def load_demo(demo: Any = None) -> str:
    """The ``demo_loader`` of ``demodata/platform.py``: the small set, after the curated users and the catalog.

    Written, like every generated set, only through the apps' bulk writers (each batch on the audit chain).
    """
    return load_small_demo().summary()


def demo_data_command() -> click.Command:
    """The ``ronghe demo-data`` click command (registered by ``ronghe.platform.cli``)."""

    @click.command("demo-data")
    @click.option(
        "--manufacturers",
        default=0,
        show_default=True,
        type=click.IntRange(0),
        help="Manufacturers (需求方) to create.",
    )
    @click.option(
        "--providers",
        default=0,
        show_default=True,
        type=click.IntRange(0),
        help="Service providers (服务商), each with a profile, offerings, certificates and cases.",
    )
    @click.option(
        "--demands",
        default=0,
        show_default=True,
        type=click.IntRange(0),
        help="Demands of the generated manufacturers.",
    )
    @click.option(
        "--offerings-per-provider",
        default=5,
        show_default=True,
        type=click.IntRange(1),
        help="Offerings per provider (distinct current catalog items).",
    )
    @click.option(
        "--demand-lists",
        default=3,
        show_default=True,
        type=click.IntRange(0),
        help="Association demand lists, joined by generated manufacturers (needs --manufacturers).",
    )
    @click.option(
        "--seed",
        default=0,
        show_default=True,
        type=click.IntRange(0),
        help="Same seed, same data; a seed already loaded is refused.",
    )
    @click.option(
        "--batch-size",
        default=2000,
        show_default=True,
        type=click.IntRange(1),
        help="Organizations (or demands) per transaction.",
    )
    @click.option(
        "--with-users",
        is_flag=True,
        help="Also create one admin login per organization (username demo<seed>-<kind><n>).",
    )
    @click.option(
        "--password",
        default="ronghe-demo",
        show_default=True,
        help="Password of the --with-users logins (hashed once for all).",
    )
    def demo_data(
        manufacturers: int,
        providers: int,
        demands: int,
        offerings_per_provider: int,
        demand_lists: int,
        seed: int,
        batch_size: int,
        with_users: bool,
        password: str,
    ) -> None:
        """Generate synthetic organizations, offerings, certificates and demands (labelled “（示例）”).

        Writes to the database of DATABASE_URL (else the platform's SQLite file); it must be migrated and
        hold the catalog.
        """
        from ronghe.errors import InputError

        _setup_django()
        from ronghe.platform.bootstrap import unapplied_migrations
        from ronghe.platform.demodata.generator import Spec, generate

        pending = unapplied_migrations()
        if pending:
            raise InputError(
                f"the database has {len(pending)} unapplied migration(s); run `ronghe manage migrate` first"
            )
        spec = Spec(
            manufacturers=manufacturers,
            providers=providers,
            demands=demands,
            offerings_per_provider=offerings_per_provider,
            demand_lists=demand_lists if manufacturers else 0,
            seed=seed,
            batch_size=batch_size,
            with_users=with_users,
            password=password,
        )
        result = generate(spec, progress=click.echo)
        click.echo(result.summary())
        click.echo(f"digest {result.digest}")

    return demo_data


def _setup_django() -> None:
    from ronghe.platform.bootstrap import setup_django

    setup_django()
