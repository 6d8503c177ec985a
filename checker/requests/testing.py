"""Requests for tests: laboratory, drug screening, functional and psychological testing (category ``test``).

See :mod:`checker.requests.kinds` for the contract. The modalities are the tests the catalog has criteria for:

``udt``
    urine drug testing / drug screen / toxicology (MTUS Chronic Pain 2009 "Drug testing" and "Opioids").
``preop_lab``
    a pre-operative laboratory test (ODG "Preoperative lab testing"); which ones are named is the set attribute
    ``labs`` (``cbc``, ``metabolic_panel`` (CMP, BMP, electrolytes, creatinine), ``coagulation`` (PT, PTT, INR),
    ``urinalysis``). A lab named without a surgery in sight is still read as ``preop_lab``: its rules apply only
    when the request says pre-op or the record plans a surgery; otherwise no rule applies.
``ecg``
    an electrocardiogram (ODG "Preoperative electrocardiogram (ECG)"; other ECGs find no rule in play).
``eeg``
    electroencephalography (ODG Head "EEG (neurofeedback)"/"Electroencephalography"); QEEG/brain mapping and
    video EEG are other entries and stay out of scope.
``ssep``
    somatosensory evoked potentials (ODG Low Back / Neck "Evoked potential studies"); ``intraoperative`` says the
    request is for monitoring during surgery.
``fce``
    a functional capacity evaluation (ACOEM Ch 7; ODG Fitness for Duty).
``psych_testing``
    a psychological evaluation or psychological testing (MTUS Chronic Pain "Psychological evaluations");
    ``testing_only`` says the request is for testing rather than an evaluation, ``instruments_named`` that it
    names the instruments (MMPI, BDI, BHI...). Psychiatric consultations stay out of scope with their kind.
``neuropsych_testing``
    neuropsychological testing or evaluation (ODG Head "Neuropsychological testing").
``rom_testing``
    computerized range of motion, grip strength (Jamar) or muscle testing as a separate service (ODG
    "Flexibility", "Computerized muscle testing"); ``measures`` is the set of what is measured.

Every other test (sleep study, genetic testing, echocardiogram, stress test, a lab with no named test...) is
reported out of scope with its kind.
"""
from __future__ import annotations


from .heads import _PREOP
from checker.regex_cache import compile_stored as _rx  # compiled code kept between runs

CATEGORY = "test"
MODALITIES: tuple[str, ...] = ("udt", "preop_lab", "ecg", "eeg", "ssep", "fce", "psych_testing", "neuropsych_testing",
                                "rom_testing")
ATTRIBUTES: dict[str, object] = {
    "labs": ("set", ("cbc", "metabolic_panel", "coagulation", "urinalysis")),
    "measures": ("set", ("rom", "grip", "strength")),
    "intraoperative": "bool",
    "testing_only": "bool",
    "instruments_named": "bool",
}

# every pattern runs on the lower-cased request phrase
_UDT = _rx(
    r"\bdrug\s+(?:screen|test|panel)\w*|\burine\s+(?:drug|tox\w*|test\w*|screen\w*|sample)|\bud[st]s?\b|"
    r"\btox(?:icology)?\s*(?:screen|test|panel)\w*|\btoxicolog\w*|\bdrug\s+monitoring|\bpoc(?:t)?\s+(?:urine|drug)")
_UA = _rx(r"\burinalys[ie]s\b|\burine\s+analys[ie]s\b|\bua\b")
_CBC = _rx(r"\bcbc\b|complete\s+blood\s+count|\bhemoglobin\b|\bhematocrit\b|\bh\s*(?:&|/)\s*h\b")
_METABOLIC = _rx(r"\bcmp\b|\bbmp\b|\bchem(?:istry)?[\s-]*(?:7|panel)|metabolic\s+panel|\belectrolytes?\b|"
                        r"\bcreatinine\b|\bbun\b|renal\s+(?:function|panel)")
_COAG = _rx(r"\bpt\s*/\s*(?:ptt|inr)\b|\bptt\b|\binr\b|\bprothrombin|\bcoagulation|\bcoags?\b")
_ECG = _rx(r"\bekgs?\b|\becgs?\b|\belectrocardiogra\w*")
_EEG = _rx(r"\beegs?\b|\belectroencephalogra\w*")
_EEG_OTHER = _rx(r"\bqeeg|quantitative\s+eeg|brain\s+mapping|video[\s-]*eeg|neurofeedback")
_SSEP = _rx(r"\bsseps?\b|\bsomatosensory|\bevoked\s+potential\w*")
_INTRAOP = _rx(r"\bintra-?\s*op\w*|\bneuro-?\s*monitor\w*|\bduring\s+(?:the\s+)?surgery")
_FCE = _rx(r"functional\s+capacity|\bfces?\b|physical\s+capacity\s+eval\w*")
_PSYCH = _rx(r"\bpsycholog\w*|\bpsychometric|\bpsych\b")
_NEUROPSYCH = _rx(r"neuro-?\s*psych\w*")
_PSYCHIATRIC = _rx(r"\bpsychiatr\w*")
_PSYCH_EVAL = _rx(r"\beval\w*|\bassess\w*|\bconsult\w*|\binterview")
_PSYCH_TEST = _rx(r"\btest\w*|\bbattery|\binventor\w*|\bquestionnaire")
_INSTRUMENTS = _rx(r"\bmmpi|\bbdi\b|\bbai\b|beck\s+(?:depression|anxiety)|\bbhi\b|\bbbhi|\bmbmd\b|\bpai\b|"
                          r"\bscl-?90|\bp-?3\b|\bphq|\bgad-?7|\bmcmi|\bfabq|fear[\s-]+avoidance|\bpcs\b|"
                          r"pain\s+catastroph\w*|\bbsi\b")
_ROM = _rx(r"range\s+of\s+motion|\brom\b|flexibility|inclinomet\w*")
_GRIP = _rx(r"\bgrip\b|\bjamar\b|\bdynamomet\w*|\bpinch\b")
_STRENGTH = _rx(r"muscle\s+(?:strength\s+)?test\w*|(?<!grip\s)strength\s+test\w*|computeri[sz]ed\s+(?:muscle|strength)")

_LAB_NAMES = {"cbc": "CBC", "metabolic_panel": "metabolic panel", "coagulation": "coagulation studies",
              "urinalysis": "urinalysis"}


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a test request (see :mod:`checker.requests.kinds`)."""
    attrs: dict[str, object] = {}
    modality = None
    # "Pre-op labs: CBC": the heading's prefix is dropped from the phrase, not from what it says about the test
    if not fields.get("preoperative") and _PREOP.search(str(fields.get("text") or "").lower()):
        fields["preoperative"] = True
    kind = None
    labs = [name for name, rx in (("cbc", _CBC), ("metabolic_panel", _METABOLIC), ("coagulation", _COAG),
                                  ("urinalysis", _UA)) if rx.search(low)]
    if _UDT.search(low) and not _UA.search(low):
        modality, kind = "udt", "test: urine drug test"
    elif _FCE.search(low):
        modality, kind = "fce", "test: functional capacity evaluation"
    elif _NEUROPSYCH.search(low):
        modality, kind = "neuropsych_testing", "test: neuropsychological testing"
    elif _PSYCH.search(low) and not _PSYCHIATRIC.search(low):
        modality = "psych_testing"
        testing_only = bool(_PSYCH_TEST.search(low)) and not _PSYCH_EVAL.search(low)
        attrs["testing_only"] = testing_only
        attrs["instruments_named"] = bool(_INSTRUMENTS.search(low))
        kind = "test: psychological testing" if testing_only else "test: psychological evaluation"
    elif _EEG.search(low) and not _EEG_OTHER.search(low):
        modality, kind = "eeg", "test: electroencephalogram"
    elif _SSEP.search(low):
        modality, kind = "ssep", "test: somatosensory evoked potentials"
        attrs["intraoperative"] = bool(_INTRAOP.search(low))
    elif labs:
        modality = "preop_lab"
        attrs["labs"] = list(labs)
        kind = "test: " + ("pre-operative " if fields.get("preoperative") else "") + "labs: " + ", ".join(
            _LAB_NAMES[x] for x in labs)
    elif _ECG.search(low):
        modality, kind = "ecg", "test: electrocardiogram" + (" (pre-operative)" if fields.get("preoperative") else "")
    else:
        measures = tuple(name for name, rx in (("rom", _ROM), ("grip", _GRIP), ("strength", _STRENGTH))
                         if rx.search(low))
        if measures and not _UA.search(low):
            modality = "rom_testing"
            attrs["measures"] = list(measures)
            kind = "test: " + " and ".join({"rom": "range of motion", "grip": "grip strength",
                                            "strength": "muscle strength"}[m] for m in measures) + " testing"
    fields["modality"] = modality
    if kind:
        fields["kind"] = kind
    if attrs:
        fields["attributes"] = attrs
