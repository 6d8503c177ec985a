"""Topical analgesics and compounded products (their ingredient lists), medical foods and unusual oral
suspensions (one concern of the medications package).

A product is read from its name (``topicals.yaml``: Lidoderm, Lidopro, Terocin, Salonpas, Fanatrex, Theramine...)
and from the generic names the request lists ("Flurbiprofen 20%, Baclofen 5%, ... in cream base",
"Gabapentin 10%/Cyclobenzaprine 6%"). Its ``ingredients`` are a set attribute, so a rule can say "a compound with
any ingredient that is not recommended is not recommended". The modality follows what the product is:

``topical_compound``    two or more active ingredients (menthol and camphor are counter-irritants, not counted)
``topical_nsaid``       one NSAID (diclofenac, flurbiprofen, ketoprofen...)
``topical_lidocaine``   lidocaine alone (patch, cream, ointment or gel: the ``form`` attribute says which)
``topical_capsaicin``   capsaicin alone
``topical_salicylate``  methyl salicylate (with or without menthol): Salonpas, Ben-Gay
``topical_other``       one other agent applied to the skin (gabapentin, cyclobenzaprine, baclofen, ketamine...)
``medical_food``        Theramine, Sentra, Trepadone... or "medical food"
``oral_suspension``     a compounded or unusual oral liquid (Fanatrex, Synapryn, Tabradol, Deprizine, Dicopanol)

A topical product whose ingredients are not named ("topical compound cream") is out of scope with its kind: the
criteria judge ingredients, and nothing is guessed.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from checker.datafiles import YamlLoader  # libyaml where available
from checker.regex_cache import compile_stored as _rx

TABLE_FILE = Path(__file__).resolve().parent / "topicals.yaml"

MODALITIES: tuple[str, ...] = (
    "topical_compound", "topical_nsaid", "topical_lidocaine", "topical_capsaicin", "topical_salicylate",
    "topical_other", "medical_food", "oral_suspension",
)

COUNTER_IRRITANTS = frozenset({"menthol", "camphor"})
NSAIDS = frozenset({"diclofenac", "flurbiprofen", "ketoprofen", "ibuprofen", "naproxen", "indomethacin", "piroxicam",
                    "meloxicam"})


@functools.lru_cache(maxsize=1)
def _table() -> tuple[dict, dict, re.Pattern, re.Pattern]:
    data = yaml.load(TABLE_FILE.read_text(encoding="utf-8"), Loader=YamlLoader) or {}
    products = {k.lower(): v for k, v in (data.get("products") or {}).items()}
    ingredients = data.get("ingredients") or {}
    prod_rx = re.compile(r"(?<![a-z])(" + "|".join(re.escape(p) for p in sorted(products, key=len, reverse=True))
                         + r")(?![a-z])")
    ing_rx = re.compile(r"(?<![a-z])(?:" + "|".join(f"(?P<{k}>{v})" for k, v in ingredients.items()) + r")(?![a-z])")
    return products, ingredients, prod_rx, ing_rx


INGREDIENTS: tuple[str, ...] = tuple(yaml.load(TABLE_FILE.read_text(encoding="utf-8"), Loader=YamlLoader)["ingredients"])

ATTRIBUTES: dict[str, object] = {
    "ingredients": ("set", INGREDIENTS),   # the product's ingredients, generic names
    "active_ingredients": "number",        # ingredients other than the counter-irritants menthol and camphor
    "capsaicin_pct": "number",             # capsaicin strength in percent, when stated or known for the product
}

_PCT = _rx(r"[0-9]\s*%|mg\s*/\s*g(?:m|ram)?\b")
_MEDICAL_FOOD = _rx(r"\bmedical\s+foods?\b")
_CAPSAICIN_PCT = _rx(r"\bcapsaicin\s*(?:cream\s*)?\(?\s*([0-9]*\.?[0-9]+)\s*%")
# the strengths of a product whose label is well known, when the request gives only its percentages
_KNOWN_CAPSAICIN = {"lidopro": 0.0325, "terocin": 0.025, "medrox": 0.0375, "dendracin": 0.0375, "zostrix": 0.025}
_ORAL_FORMS = ("suspension",)


def is_topical(s: str, low: str, attrs: dict) -> bool:
    """A product applied to the skin, or compounded, or an unusual formulation this module reads: its form is a
    cream, gel, ointment, patch, spray or an oral suspension, the request says compound or medical food, it names
    a product of ``topicals.yaml``, or its strength is a percentage or mg per gram (oral drugs are dosed in mg)."""
    if attrs.get("form") in ("cream", "patch", "suspension") or "compound" in low:
        return True
    if _MEDICAL_FOOD.search(low) or _PCT.search(low):
        return True
    return _table()[2].search(low) is not None


def read(s: str, low: str, fields: dict) -> None:
    """Set ``fields["modality"]``, the kind and the ingredient attributes of a topical or compounded product."""
    products, _, prod_rx, ing_rx = _table()
    attrs = fields.setdefault("attributes", {})
    named = [m.group(1) for m in prod_rx.finditer(low)]
    ingredients: list[str] = []
    form = None
    for p in named:
        entry = products.get(p) or {}
        ingredients.extend(entry.get("ingredients") or [])
        form = form or entry.get("form")
    ingredients.extend(m.lastgroup for m in ing_rx.finditer(low))
    ingredients = list(dict.fromkeys(ingredients))

    have = attrs.get("form")
    if form == "medical_food" or _MEDICAL_FOOD.search(low):
        modality = "medical_food"
    elif (have in _ORAL_FORMS or (have is None and form == "suspension")) and not (
            have in ("cream", "patch") or form in ("cream", "patch")):
        modality = "oral_suspension"
        attrs["form"] = "suspension"
    else:
        if have not in ("cream", "patch") and form in ("cream", "patch"):
            attrs["form"] = form
        modality = _topical_modality(ingredients)

    if ingredients:
        attrs["ingredients"] = ingredients
    attrs["active_ingredients"] = len([i for i in ingredients if i not in COUNTER_IRRITANTS])
    m = _CAPSAICIN_PCT.search(low)
    if m:
        try:
            attrs["capsaicin_pct"] = float(m.group(1))
        except ValueError:
            pass
    elif "capsaicin" in ingredients:
        known = next((_KNOWN_CAPSAICIN[p] for p in named if p in _KNOWN_CAPSAICIN), None)
        if known is not None:
            attrs["capsaicin_pct"] = known

    fields["modality"] = modality
    what = {
        "topical_compound": "topical compound", "topical_nsaid": "topical NSAID",
        "topical_lidocaine": "topical lidocaine", "topical_capsaicin": "topical capsaicin",
        "topical_salicylate": "topical salicylate", "topical_other": "topical",
        "medical_food": "medical food", "oral_suspension": "oral suspension",
    }.get(modality or "", "topical product (ingredients not stated)")
    if modality == "topical_lidocaine" and attrs.get("form"):
        what += f" {attrs['form']}"
    listed = ", ".join(i.replace("_", " ") for i in ingredients if i != "amino_acids")
    fields["kind"] = f"medication: {what}" + (f" ({listed})" if listed else "")


def _topical_modality(ingredients: list[str]) -> str | None:
    """The modality of a product applied to the skin, from its ingredients (None: not named)."""
    actives = [i for i in ingredients if i not in COUNTER_IRRITANTS]
    if not ingredients:
        return None
    if not actives:  # menthol or camphor alone: a counter-irritant, judged with the salicylates (MTUS p. 105)
        return "topical_salicylate"
    if len(actives) > 1:
        return "topical_compound"
    only = actives[0]
    if only == "lidocaine":
        return "topical_lidocaine"
    if only in NSAIDS:
        return "topical_nsaid"
    if only == "capsaicin":
        return "topical_capsaicin"
    if only == "methyl_salicylate":
        return "topical_salicylate"
    return "topical_other"
