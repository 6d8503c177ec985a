"""Requests for surgery and its associated surgical services (category ``surgery``).

See :mod:`checker.requests.kinds` for the contract. Until criteria of this category are encoded, ``MODALITIES``
is empty and ``read`` leaves the modality unset, so the item is reported out of scope with its kind.
"""
from __future__ import annotations

CATEGORY = "surgery"
MODALITIES: tuple[str, ...] = ()
ATTRIBUTES: dict[str, object] = {}


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a surgery request (see :mod:`checker.requests.kinds`)."""
    fields["modality"] = None
