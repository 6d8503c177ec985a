"""The categories of disputed items beyond imaging, electrodiagnostic studies and therapy, and their modules.

Each category has one module of this package (``medications``, ``injections``, ``equipment``, ``testing``,
``consultations``, ``programs``, ``surgery``) with the same small contract:

``CATEGORY``
    the category name the module reads (``Request.category``).
``MODALITIES``
    the modalities its criteria may name in ``applies_to.modalities`` (``opioid``, ``epidural_steroid``...).
``ATTRIBUTES``
    the request attributes its criteria may test with ``{request: NAME, ...}``: name -> kind, one of
    ``"number"``, ``"bool"``, ``"category"`` or ``("set", (value, ...))`` (a set of declared values; a condition
    ``{request: ingredients, is: [a, b]}`` holds when any of them is in the set).
``read(s, low, fields)``
    given the request phrase (``s``), its lower-cased copy (``low``, same positions) and the fields read so
    far, set ``fields["modality"]`` (``None``: the catalog has no criteria for this kind of item, which is then
    reported out of scope), ``fields["kind"]`` (what the item is, for the reader: "surgery: shoulder
    arthroscopy") and ``fields["attributes"]``. It may also change ``fields["category"]`` when its reading
    shows the item belongs elsewhere.
"""
from __future__ import annotations

from typing import Optional

from . import consultations, equipment, injections, medications, programs, surgery, testing

BASE_CATEGORIES = ("imaging", "electrodiagnostic", "therapy")
CATEGORY_MODULES = {m.CATEGORY: m for m in (medications, injections, equipment, testing, consultations, programs,
                                            surgery)}
CATEGORIES = BASE_CATEGORIES + tuple(CATEGORY_MODULES) + ("other",)


def category_modalities() -> tuple[str, ...]:
    """Every modality a category module declares."""
    return tuple(m for mod in CATEGORY_MODULES.values() for m in mod.MODALITIES)


def category_attributes() -> dict[str, object]:
    """Every request attribute a category module declares: name -> kind."""
    out: dict[str, object] = {}
    for mod in CATEGORY_MODULES.values():
        for name, kind in mod.ATTRIBUTES.items():
            if name in out and out[name] != kind:
                raise ValueError(f"request attribute {name!r} is declared twice with different kinds")
            if isinstance(kind, tuple):
                bad = [v for v in kind[1] if not v.replace("_", "").isalnum() or not v.islower()]
                if kind[0] != "set" or bad:
                    raise ValueError(f"request attribute {name!r}: a set's values are lower-case names, not {bad}")
            out[name] = kind
    return out


def default_kind(category: str, modality: Optional[str], s: str) -> str:
    """What the item is, for a reader: "imaging: mri", or the category and the request phrase's first words."""
    if modality:
        return f"{category}: {modality.replace('_', ' ')}"
    words = " ".join(s.split()[:6]).strip(" ,;:.")
    return f"{category}: {words}" if words else category
