"""Topical analgesics and compounded products (their ingredient lists), medical foods and unusual oral
suspensions (one concern of the medications package)."""
from __future__ import annotations

MODALITIES: tuple[str, ...] = ()
ATTRIBUTES: dict[str, object] = {}


def is_topical(s: str, low: str, attrs: dict) -> bool:
    """A product applied to the skin, or compounded: its form is a cream, gel, ointment, patch or spray, or the
    request says compound."""
    return attrs.get("form") in ("cream", "patch") or "compound" in low


def read(s: str, low: str, fields: dict) -> None:
    """Set ``fields["modality"]``, the kind and the ingredient attributes of a topical or compounded product."""
