"""Replay datasets and the scripts that build them."""
