"""`shopagent train embedded`: fit the embedded tier on the configured catalog."""

from __future__ import annotations

from typing import Any

import typer


def register(*, app: Any, train: Any, evals: Any, tools: Any, sessions: Any) -> None:
    @train.command("embedded")
    def train_embedded(
        force: bool = typer.Option(False, help="Train even if the artifact fits the catalog."),
        demo: bool = typer.Option(
            True, help="Build the demo catalog first if the index is empty (development)."
        ),
        epochs: int = typer.Option(20, help="Epochs over the generated turns."),
        scale: float = typer.Option(1.0, help="Generated turns, relative to the default mix."),
        progress: bool = typer.Option(True, help="Show progress bars."),
    ) -> None:
        """Generate turns from the catalog and train the embedded NLU model (CPU, ~1 min)."""
        import json

        from shopagent.retrieval import ensure_demo_catalog, open_catalog
        from shopagent.settings import get_settings
        from shopagent.training.embedded import TrainConfig, catalog_snapshot, ensure_model, train

        settings = get_settings()
        catalog = open_catalog(settings)
        if demo and catalog.count() == 0:
            catalog.close()
            catalog = ensure_demo_catalog(settings, progress=progress)
        try:
            cfg = TrainConfig(epochs=epochs, scale=scale)
            out = settings.embedded_model_path
            if force:
                products, facets = catalog_snapshot(catalog)
                if not facets.get("category"):
                    raise typer.BadParameter("the catalog is empty: ingest products first")
                train(products, facets, out, cfg, progress=progress)
            else:
                ensure_model(settings, catalog, progress=progress, cfg=cfg)
        finally:
            catalog.close()
        manifest = json.loads((out / "manifest.json").read_text())
        typer.echo(f"embedded model in {out}")
        typer.echo(json.dumps(manifest["metrics"], indent=1))
