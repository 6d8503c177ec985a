"""Requests for medications (category ``medication``): oral and injected-free systemic drugs, topical and compounded
products, medical foods and unusual formulations.

See :mod:`checker.requests.kinds` for the contract. One concern per module:

``common``   what every drug request carries: the form (tablet, cream, patch, suspension...), refills, days' supply.
``oral``     systemic drugs by generic name and class (opioids, NSAIDs, PPIs, muscle relaxants...).
``topical``  topical analgesics and compounds (their ingredient lists), medical foods and oral suspensions.

``read`` sends a topical or compounded product to ``topical`` and anything else to ``oral``.
"""
from __future__ import annotations

from . import common, oral, topical

CATEGORY = "medication"
MODALITIES: tuple[str, ...] = tuple(dict.fromkeys(oral.MODALITIES + topical.MODALITIES))
ATTRIBUTES: dict[str, object] = {**common.ATTRIBUTES, **oral.ATTRIBUTES, **topical.ATTRIBUTES}


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a medication request (see :mod:`checker.requests.kinds`)."""
    fields["modality"] = None
    attrs = fields.setdefault("attributes", {})
    common.read(s, low, attrs)
    if topical.is_topical(s, low, attrs):
        topical.read(s, low, fields)
    else:
        oral.read(s, low, fields)
