"""Associated surgical services follow the surgery they belong to.

An IMR letter often lists, beside a surgery, the services that come with it: pre-operative clearance and tests,
post-operative medications, equipment and therapy ("Associated surgical service: Shoulder sling with abduction
pillow", "Pre-op labs: CBC", "Post-op physical therapy 2 times a week for 4 weeks"). Reviewers decide them with the
surgery: when the surgery is not certified, none of its services is needed.

The predictor never reads a letter's decisions. What it may use is **its own prediction** for the surgery item of
the same letter:

* when imrcheck predicts the surgery **Upheld** (not certified), each of its associated items is predicted Upheld
  with the reason ``primary_procedure_not_certified``, citing the surgery's rules;
* when it predicts the surgery certified, or the letter has no surgery item imrcheck can judge (the surgery was
  certified earlier and only its services are disputed, or the surgery is out of the catalog), each item keeps
  the prediction of its own criteria (or none, when it has none).

Which items are associated: the letter's "Associated surgical service:" prefix (request attribute ``associated``),
a pre-operative or post-operative item (``Request.preoperative`` / ``Request.postsurgical``), and, in a letter that
asks for a surgery, the tests that are the pre-operative work-up (laboratory tests, an ECG, a chest x-ray: "Labs to
include: EKG"). An item that names
a body part follows only a surgery of that part ("post-op PT for the knee" does not follow a shoulder repair);
an item that names none (labs, clearance, a drug) follows the letter's first judged surgery. A surgical
consultation is not a surgery, and an item that is itself a surgery is judged by its own criteria.

``follow_surgeries(requests, predictions)`` is called by :func:`checker.evaluate.evaluate_letter` after every item
of a letter is predicted; ``audit`` reads the same outcomes, so it follows as well.
"""
from __future__ import annotations

from typing import Optional, Sequence

from .models import Request, Result

REASON = "primary_procedure_not_certified"
# regions that say which operation an item belongs to (a chest film or an ECG names no operative site)
_OPERATIVE_SITES = {"cervical", "thoracic", "lumbar", "spine", "sacroiliac", "shoulder", "elbow", "hand_wrist",
                    "hip", "pelvis", "knee", "ankle_foot", "upper_extremity", "lower_extremity"}
_SPINE = {"cervical", "thoracic", "lumbar", "spine"}
_UPPER = {"shoulder", "elbow", "hand_wrist", "upper_extremity"}
_LOWER = {"hip", "pelvis", "knee", "ankle_foot", "lower_extremity"}


def is_surgery(req: Request) -> bool:
    """A surgery item the catalog judges (a surgical consultation is not one)."""
    return req.category == "surgery" and req.modality is not None and req.modality != "surgical_consult"


def is_associated(req: Request, with_surgery: bool = True) -> bool:
    """The item serves a surgery: the letter's "Associated surgical service:" prefix, pre-op or post-op, or (in a
    letter that asks for a surgery, ``with_surgery``) a pre-operative kind of test: labs, an ECG, a chest film."""
    if req.category == "surgery":
        return False
    if bool((req.attributes or {}).get("associated")) or req.preoperative or req.postsurgical:
        return True
    return with_surgery and (req.category == "test" or (req.category == "imaging" and req.modality == "xray"
                                                         and list(req.regions) == ["chest"]))


def _sites(req: Request) -> set[str]:
    return set(req.regions or ()) & _OPERATIVE_SITES


def _fits(item_sites: set[str], surgery_sites: set[str]) -> bool:
    if not item_sites or not surgery_sites:
        return True
    if item_sites & surgery_sites:
        return True
    # a limb named for a joint of it ("upper extremity" therapy after a shoulder repair), the spine as one part
    for group in (_SPINE, _UPPER, _LOWER):
        if item_sites & group and surgery_sites & group and (
                "upper_extremity" in item_sites | surgery_sites or "lower_extremity" in item_sites | surgery_sites
                or "spine" in item_sites | surgery_sites):
            return True
    return False


def surgery_for(req: Request, surgeries: Sequence[tuple[Request, Result]]) -> Optional[tuple[Request, Result]]:
    """The judged surgery of the letter this associated item belongs to, or None."""
    sites = _sites(req)
    for sreq, spred in surgeries:
        if _fits(sites, _sites(sreq)):
            return sreq, spred
    return None


def not_certified_result(req: Request, surgery: Request, spred: Result) -> Result:
    """The associated item's prediction when its surgery is predicted Upheld."""
    kind = surgery.kind.split(": ", 1)[-1] if surgery.kind else "the surgery"
    return Result(
        request=req.text, normalized=req, imr_outcome="Upheld", certify=False,
        status=spred.status if spred.status in ("not met", "insufficient") else "not met",
        citations=list(spred.citations), rules=list(spred.rules), reasons=[REASON],
        rationale=(f"The {kind} this service belongs to is not certified (imrcheck predicts it Upheld), so the "
                   f"associated service is not needed. The surgery: {spred.rationale}").strip(),
        evidence=list(spred.evidence), missing=list(spred.missing), criteria=list(spred.criteria),
        notes=[f"Follows imrcheck's own prediction for the surgery requested in the same letter "
               f"({surgery.text.strip()[:80]}), not the letter's decision."],
        firmness=spred.firmness, firmness_reason=spred.firmness_reason,
        as_of=spred.as_of, as_of_defaulted=spred.as_of_defaulted,
    )


def follow_surgeries(requests: Sequence[Request], predictions: Sequence[Optional[Result]]
                     ) -> list[Optional[Result]]:
    """Every item's prediction, associated items following the letter's predicted surgeries (see the module)."""
    out = list(predictions)
    surgeries = [(r, p) for r, p in zip(requests, predictions) if p is not None and is_surgery(r)
                 and p.imr_outcome is not None]
    if not surgeries:
        return out
    for i, req in enumerate(requests):
        if not is_associated(req):
            continue
        linked = surgery_for(req, surgeries)
        if linked is None:
            continue
        sreq, spred = linked
        if spred.imr_outcome == "Upheld":
            out[i] = not_certified_result(req, sreq, spred)
    return out
