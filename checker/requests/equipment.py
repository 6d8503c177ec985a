"""Requests for equipment: durable medical equipment, braces, devices and supplies (category ``equipment``).

See :mod:`checker.requests.kinds` for the contract. Until criteria of this category are encoded, ``MODALITIES``
is empty and ``read`` leaves the modality unset, so the item is reported out of scope with its kind.
"""
from __future__ import annotations

CATEGORY = "equipment"
MODALITIES: tuple[str, ...] = ()
ATTRIBUTES: dict[str, object] = {}


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a equipment request (see :mod:`checker.requests.kinds`)."""
    fields["modality"] = None
