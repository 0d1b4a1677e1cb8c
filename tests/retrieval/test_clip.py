"""The production image encoder path: a CLIP-class model from a local folder."""

from __future__ import annotations

import json

import pytest

from shopagent.errors import InvalidInput
from shopagent.retrieval import _render, open_catalog
from shopagent.retrieval.embed import make_image_encoder

from .conftest import demo_settings


def test_clip_without_a_model_path_is_a_config_error(tmp_path):
    with pytest.raises(InvalidInput) as err:
        make_image_encoder("clip", None)
    assert err.value.code == "bad_config"
    with pytest.raises(InvalidInput):
        make_image_encoder("clip", tmp_path / "missing")


@pytest.mark.slow
def test_tiny_clip_from_a_local_folder_indexes_and_searches(tmp_path):
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel

    layers = {
        "hidden_size": 32,
        "intermediate_size": 37,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
    }
    cfg = CLIPConfig(
        text_config={**layers, "vocab_size": 99},
        vision_config={**layers, "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    model_dir = tmp_path / "clip"
    CLIPModel(cfg).save_pretrained(model_dir)
    CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    ).save_pretrained(model_dir)

    (tmp_path / "a.png").write_bytes(_render.render("sofa", (40, 140, 70), "a"))
    (tmp_path / "b.png").write_bytes(_render.render("ring", (212, 170, 60), "b"))
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "A", "title": "Green Sofa", "price": 900, "images": ["a.png"]},
                {"id": "B", "title": "Gold Ring", "price": 90, "images": ["b.png"]},
            ]
        )
        + "\n"
    )
    settings = demo_settings(tmp_path / "data", image_encoder="clip", clip_model_path=model_dir)
    catalog = open_catalog(settings)
    try:
        assert catalog.images.dim == 16
        report = catalog.ingest_file(feed)
        assert report.ingested == 2 and report.images_failed == 0
        hits = catalog.visual_search(image_bytes=(tmp_path / "b.png").read_bytes(), limit=2).hits
        assert hits[0].product.id == "B" and hits[0].score > 0.99
    finally:
        catalog.close()
