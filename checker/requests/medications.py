"""Requests for drugs: oral, topical and compounded medications (category ``medication``).

See :mod:`checker.requests.kinds` for the contract. Until criteria of this category are encoded, ``MODALITIES``
is empty and ``read`` leaves the modality unset, so the item is reported out of scope with its kind.
"""
from __future__ import annotations

CATEGORY = "medication"
MODALITIES: tuple[str, ...] = ()
ATTRIBUTES: dict[str, object] = {}


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a medication request (see :mod:`checker.requests.kinds`)."""
    fields["modality"] = None
