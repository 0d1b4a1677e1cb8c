"""Index engines behind one interface: Qdrant Edge in process, or qdrant-client."""

from shopagent.retrieval.index._base import (
    IMAGE,
    MAX_OPTION_INDEXES,
    OPTION_KEYS,
    SPARSE,
    TEXT,
    TEXT_ENCODER_KEY,
    UNTAGGED_TEXT_ENCODER,
    Conditions,
    Hit,
    IndexBackend,
    IndexLayout,
    IndexPoint,
    keyword_values,
    option_field,
    point_id,
    product_payload,
)

__all__ = [
    "IMAGE",
    "MAX_OPTION_INDEXES",
    "OPTION_KEYS",
    "SPARSE",
    "TEXT",
    "TEXT_ENCODER_KEY",
    "UNTAGGED_TEXT_ENCODER",
    "Conditions",
    "Hit",
    "IndexBackend",
    "IndexLayout",
    "IndexPoint",
    "keyword_values",
    "option_field",
    "point_id",
    "product_payload",
]
