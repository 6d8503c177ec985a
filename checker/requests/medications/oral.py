"""Systemic drugs by generic name and class: opioids, NSAIDs, PPIs and H2 blockers, muscle relaxants,
anticonvulsants, antidepressants, benzodiazepines and sleep aids (one concern of the medications package)."""
from __future__ import annotations

MODALITIES: tuple[str, ...] = ()
ATTRIBUTES: dict[str, object] = {}


def read(s: str, low: str, fields: dict) -> None:
    """Set ``fields["modality"]`` (the drug class the criteria name), the kind and the drug attributes."""
