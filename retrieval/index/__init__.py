"""Index engines behind one interface: Qdrant Edge in process, or qdrant-client."""

from retrieval.index._base import (
    IMAGE,
    SPARSE,
    TEXT,
    Conditions,
    Hit,
    IndexBackend,
    IndexPoint,
    point_id,
    product_payload,
)

__all__ = ["IMAGE", "SPARSE", "TEXT", "Conditions", "Hit", "IndexBackend", "IndexPoint",
           "point_id", "product_payload"]
