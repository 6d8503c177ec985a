"""Tests for checker.requests.normalize_request."""
from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.models import Request
from checker.requests import PASSIVE_MODALITIES, normalize_request, request_core
from checker.rules import known_modalities

IN_SCOPE = {"imaging", "electrodiagnostic", "therapy"}
MODALITIES = {"mri", "ct", "bone_scan", "spect", "dexa", "xray", "ultrasound", "arthrogram", "myelogram", "pet",
              "emg_ncs", "emg", "ncs", "pt", "ot", "aquatic", "chiro", "acupuncture", "massage", "work_conditioning"}
REGIONS = {"cervical", "thoracic", "lumbar", "sacroiliac", "spine", "shoulder", "elbow", "hand_wrist", "hip", "pelvis",
           "knee", "ankle_foot", "head", "chest", "abdomen", "upper_extremity", "lower_extremity"}

# (request text, expected fields). Only the listed fields are checked; "regions" is compared as a list.
CASES: list[tuple[str, dict]] = [
    # ---- imaging
    ("MRI of the lumbar spine", dict(category="imaging", modality="mri", regions=["lumbar"], laterality=None)),
    ("Lumbar MRI w/o contrast", dict(modality="mri", regions=["lumbar"], contrast="without")),
    ("MRI L-spine with and without contrast", dict(modality="mri", regions=["lumbar"], contrast="with_and_without")),
    ("MRI of the LS spine w/wo", dict(modality="mri", regions=["lumbar"], contrast="with_and_without")),
    ("MRI of the low back with contrast", dict(modality="mri", regions=["lumbar"], contrast="with")),
    ("C-spine MRI", dict(modality="mri", regions=["cervical"])),
    ("MRI of the neck without gadolinium", dict(modality="mri", regions=["cervical"], contrast="without")),
    ("Repeat MRI of the left knee", dict(modality="mri", regions=["knee"], laterality="left", repeat=True)),
    ("Updated MRI of the cervical spine", dict(modality="mri", repeat=True)),
    ("MRI/CT of the spine and pelvis", dict(category="imaging", modality="mri", regions=["spine", "pelvis"])),
    ("Open MRI of the lumbosacral spine without contrast",
     dict(modality="mri", regions=["lumbar"], contrast="without")),
    ("MR arthrogram of the left hip", dict(modality="arthrogram", regions=["hip"], laterality="left")),
    ("CT scan for cervical spine without contrast",
     dict(category="imaging", modality="ct", regions=["cervical"], contrast="without")),
    ("Cervical CT scan", dict(modality="ct", regions=["cervical"])),
    ("CT of the abdomen and pelvis with IV contrast", dict(modality="ct", regions=["abdomen", "pelvis"], contrast="with")),
    ("CT myelogram of the lumbar spine", dict(modality="myelogram", regions=["lumbar"])),
    ("X-rays of the left shoulder", dict(modality="xray", regions=["shoulder"], laterality="left")),
    ("One (1) x-ray of the T-spine", dict(modality="xray", regions=["thoracic"], quantity=1)),
    ("Bilateral knee radiographs", dict(modality="xray", regions=["knee"], laterality="bilateral")),
    ("Labs to include: Chest X-ray", dict(category="imaging", modality="xray", regions=["chest"])),
    ("Pre-op chest x-ray", dict(category="imaging", modality="xray", regions=["chest"], postsurgical=False)),
    ("DEXA scan", dict(category="imaging", modality="dexa", regions=[])),
    ("Bone density study of the hips", dict(modality="dexa", regions=["hip"], laterality="bilateral")),
    ("One bone scan of the spine", dict(modality="bone_scan", regions=["spine"], quantity=1)),
    ("TECHNICIAN BONE SCAN TOTAL SPINE QTY:1.00", dict(modality="bone_scan", regions=["spine"], quantity=1)),
    ("One (1) bone scan/SPECT study 3 dimensional images between 8/5/2013 and 10/20/2013",
     dict(modality="bone_scan", quantity=1, retrospective_date=date(2013, 8, 5))),
    ("Three phase bone scan of the right foot",
     dict(modality="bone_scan", regions=["ankle_foot"], laterality="right", quantity=None)),
    ("SPECT scan of the lumbar spine", dict(modality="spect", regions=["lumbar"])),
    ("PET/CT of the chest", dict(modality="pet", regions=["chest"])),
    ("Ultrasound of the right shoulder", dict(category="imaging", modality="ultrasound", regions=["shoulder"])),
    ("Retrospective MRI of the right wrist (DOS: 10/12/2016)",
     dict(modality="mri", regions=["hand_wrist"], retrospective_date=date(2016, 10, 12))),
    ("retro DOS 8/5/13 lumbar x-rays", dict(modality="xray", retrospective_date=date(2013, 8, 5))),
    ("MRI of the brain without contrast", dict(modality="mri", regions=["head"], contrast="without")),
    # ---- electrodiagnostic
    ("EMG/NCS of the bilateral hand",
     dict(category="electrodiagnostic", modality="emg_ncs", regions=["hand_wrist", "upper_extremity"],
          laterality="bilateral")),
    ("EMG/NCV of both lower extremities", dict(modality="emg_ncs", regions=["lower_extremity"], laterality="bilateral")),
    ("NCS/EMG LUE", dict(modality="emg_ncs", regions=["upper_extremity"], laterality="left")),
    ("Electromyography of the right upper extremity", dict(modality="emg", laterality="right")),
    ("Nerve conduction velocity study, left leg", dict(modality="ncs", regions=["lower_extremity"])),
    ("Electrodiagnostic studies of the upper extremities", dict(modality="emg_ncs", laterality="bilateral")),
    ("Electroencephalogram", dict(category="test", modality="eeg", in_scope=True)),
    ("SSEP of the lower extremities", dict(category="test", modality="ssep", in_scope=True)),
    # ---- therapy
    ("Twelve sessions of physical therapy for the low back",
     dict(category="therapy", modality="pt", regions=["lumbar"], sessions=12)),
    ("Physical therapy 2-3 times a week for 6 weeks", dict(modality="pt", frequency_per_week=3, weeks=6, sessions=18)),
    ("Post-op physical therapy 2 times a week for 4 weeks",
     dict(modality="pt", postsurgical=True, frequency_per_week=2, weeks=4, sessions=8)),
    ("Physical therapy two times a week for three weeks for the lumbar spine",
     dict(modality="pt", frequency_per_week=2, weeks=3, sessions=6, regions=["lumbar"])),
    ("Physical therapy once weekly for a month", dict(modality="pt", frequency_per_week=1, weeks=4, sessions=4)),
    ("PT 3x/week x 4 weeks, right shoulder",
     dict(modality="pt", frequency_per_week=3, weeks=4, sessions=12, laterality="right")),
    ("Physical therapy 2x4", dict(modality="pt", frequency_per_week=2, weeks=4, sessions=8)),
    ("Physical therapy 1 times 8", dict(modality="pt", sessions=8)),
    ("Additional physical therapy x 12 for the neck", dict(modality="pt", sessions=12, repeat=True,
                                                           regions=["cervical"])),
    ("Physical therapy to the knee 2 times a week for 3 weeks (6)", dict(modality="pt", sessions=6)),
    ("Physical therapy 3 times a week times 4 weeks", dict(sessions=12, frequency_per_week=3, weeks=4)),
    ("Post-surgical physical therapy (8 sessions) for the right hand",
     dict(modality="pt", sessions=8, postsurgical=True, regions=["hand_wrist"])),
    ("Occupational therapy, six visits, left wrist", dict(modality="ot", sessions=6, laterality="left")),
    ("PT/OT for the left foot a dozen visits", dict(modality="pt", sessions=12)),
    ("Aquatic therapy twice weekly for four weeks", dict(modality="aquatic", frequency_per_week=2, weeks=4, sessions=8)),
    ("Pool therapy #6", dict(modality="aquatic", sessions=6)),
    ("Chirophysio therapy for the thoracic spine", dict(modality="chiro", regions=["thoracic"])),
    ("Chiropractic manipulation of the mid back, 6 visits", dict(modality="chiro", sessions=6, regions=["thoracic"])),
    ("Spinal manipulation 1 times 6", dict(modality="chiro", sessions=6)),
    ("Referral to chiropractor for evaluation of neck pain, twice a week for 3 weeks",
     dict(category="therapy", modality="chiro", sessions=6, regions=["cervical"])),
    ("Acupuncture sessions cervical spine #8", dict(modality="acupuncture", sessions=8)),
    ("Acupuncture 1 to 2 times per week for 3 weeks", dict(modality="acupuncture", frequency_per_week=2, weeks=3,
                                                          sessions=6)),
    ("Massage therapy for the upper back, 4 sessions", dict(modality="massage", sessions=4)),
    ("Work conditioning 10 visits", dict(modality="work_conditioning", sessions=10)),
    ("Manual therapy 2 times a week for 2 weeks", dict(modality="chiro", sessions=4)),
    ("Therapeutic exercises 6 sessions", dict(modality="pt", sessions=6)),
    ("Physical therapy evaluation for the right ankle", dict(modality="pt", regions=["ankle_foot"])),
    # ---- out of scope: drugs, injections, surgery, DME, consults, programs, labs, passive modalities
    ("Norflex 100mg #60", dict(category="medication", in_scope=True, modality="muscle_relaxant", quantity=60, sessions=None)),
    ("Pepcid 20mg", dict(category="medication", in_scope=True, modality="h2_blocker")),
    ("Lidocaine 5% patches #30", dict(category="medication", quantity=30)),
    ("Diazepam 5 mg one tablet before the MRI", dict(category="medication", modality="benzodiazepine")),
    ("Retrospective Tizanidine 4mg #60 (DOS: 3/2/2016)", dict(category="medication", retrospective_date=date(2016, 3, 2))),
    ("Topical compound cream 240 grams", dict(category="medication")),
    ("Left L4-5 transforaminal epidural steroid injection under fluoroscopy",
     dict(category="injection", regions=["lumbar"], laterality="left")),
    ("Ultrasound guided cortisone injection, right shoulder", dict(category="injection")),
    ("Platelet-rich plasma injection to the left elbow", dict(category="injection", regions=["elbow"])),
    ("Right knee arthroscopy with partial meniscectomy", dict(category="surgery", regions=["knee"])),
    ("Lumbar fusion L4-S1", dict(category="surgery")),
    ("Manipulation under anesthesia of the right shoulder", dict(category="surgery")),
    ("TENS unit purchase", dict(category="equipment")),
    ("Lumbar support brace", dict(category="equipment", regions=["lumbar"])),
    ("Cold therapy unit 14 day rental", dict(category="equipment")),
    ("Initial exam", dict(category="consultation")),
    ("Physical exam 2 times 8", dict(category="consultation", modality="office_visit")),
    ("TOC to ortho spine surgeon eval and treatment", dict(category="consultation")),
    ("Orthopedic consultation for review of the MRI", dict(category="consultation")),
    ("Functional capacity evaluation", dict(category="test")),
    ("Functional restoration program, 10 days", dict(category="program")),
    ("Acute inpatient rehabilitation physical therapy and occupational therapy 7-10 days",
     dict(category="program")),
    ("Comprehensive psychological testing", dict(category="test")),
    ("Urine drug screen", dict(category="test")),
    ("Pre-op labs: PT/PTT", dict(category="test", modality="preop_lab")),
    # passive modalities given in the clinic are therapy with their own modality; as devices they are DME
    ("Electrical stimulation 1 times 8", dict(category="therapy", modality="e_stim", sessions=8, in_scope=True)),
    ("Ultrasound 1 times 8", dict(category="therapy", modality="ultrasound_therapy", sessions=8)),
    ("Therapeutic ultrasound to the right shoulder", dict(category="therapy", modality="ultrasound_therapy",
                                                          regions=["shoulder"])),
    ("Ultrasound of the right shoulder", dict(category="imaging", modality="ultrasound")),
    ("Infrared therapy 2 times a week for 2 weeks", dict(category="therapy", modality="infrared", sessions=4)),
    ("Unknown shockwave treatments", dict(category="therapy", modality="shockwave", regions=[])),
    ("ESWT right shoulder x3", dict(category="therapy", modality="shockwave", regions=["shoulder"], sessions=3)),
    ("Cervical traction 2x4", dict(category="therapy", modality="traction", regions=["cervical"], sessions=8)),
    ("Cold laser therapy 6 sessions for the knee", dict(category="therapy", modality="laser", sessions=6)),
    ("Hot/cold packs 2 times a week for 3 weeks", dict(category="therapy", modality="heat_cold", sessions=6)),
    ("Physical therapy with ultrasound and e-stim 2x3 lumbar", dict(category="therapy", modality="pt", sessions=6)),
    # a stimulator rental is the Chronic Pain guidelines' one-month home trial (a purchase stays equipment)
    ("Interferential unit rental", dict(category="therapy", modality="e_stim", in_scope=True)),
    ("TENS unit 30-day home trial", dict(category="therapy", modality="e_stim")),
    ("Lumbar traction unit, home use, purchase", dict(category="therapy", modality="traction", regions=["lumbar"])),
    # preoperative requests
    ("Pre-op chest x-ray", dict(category="imaging", modality="xray", regions=["chest"], preoperative=True)),
    ("Chest x-ray prior to surgery", dict(modality="xray", preoperative=True)),
    ("Preoperative medical clearance", dict(category="consultation", preoperative=True)),
    ("Chest x-ray", dict(modality="xray", regions=["chest"], preoperative=False)),
    ("Post-op physical therapy 2x4", dict(modality="pt", postsurgical=True, preoperative=False)),
    ("Associated surgical service: Cold compression therapy 30 day rental",
     dict(category="equipment", modality="cold_therapy_unit", in_scope=True)),
    ("Ice machine purchase", dict(category="equipment")),
    ("H-wave unit", dict(category="equipment")),
    ("Biofeedback, four sessions", dict(category="program", sessions=4)),
    ("Gym membership for 6 months", dict(category="program")),
    ("Follow up office visit times 2", dict(category="consultation", quantity=2)),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:50] for c in CASES])
def test_normalize(text: str, expected: dict) -> None:
    r = normalize_request(text)
    assert isinstance(r, Request)
    assert r.text == text
    for field, value in expected.items():
        assert getattr(r, field) == value, (field, getattr(r, field), value)
    # imaging, electrodiagnostic and therapy are always in scope; another category when its module names a
    # modality the catalog has criteria for
    assert r.in_scope == (r.category in IN_SCOPE or (r.category != "other" and r.modality is not None))
    assert r.kind  # every item says what it is, in scope or not
    if r.category == "other":
        assert r.modality is None


def test_long_heading_uses_the_original_request() -> None:
    heading = ("Ten sessions of physical therapy for the left knee was the original request. Four sessions of "
               "physical therapy for the left knee was authorized by the Claims Administrator. The remaining IMR "
               "eligible portion of the original request, Six sessions of physical therapy for the left knee is: Upheld")
    assert request_core(heading) == "Ten sessions of physical therapy for the left knee"
    r = normalize_request(heading)
    assert (r.category, r.modality, r.sessions, r.laterality, r.regions) == ("therapy", "pt", 10, "left", ["knee"])
    only_remaining = ("Acupuncture for six sessions was authorized by the Claims Administrator. The remaining IMR "
                      "eligible portion of the original request, Acupuncture for two sessions is: Upheld")
    assert request_core(only_remaining) == "Acupuncture for two sessions"
    assert normalize_request(only_remaining).sessions == 2


def test_decision_suffix_and_prefix_removed() -> None:
    assert request_core("MRI of the right knee: Overturned") == "MRI of the right knee"
    assert request_core("Associated surgical service: Post-op physical therapy x 12: Upheld") == \
        "Post-op physical therapy x 12"
    r = normalize_request("Associated surgical service: Post-op physical therapy x 12: Upheld")
    assert (r.category, r.sessions, r.postsurgical) == ("therapy", 12, True)
    # 2013 layout: a blank line after every line, words hyphenated across lines
    assert request_core("Twelve sessions of physi-\n\ncal therapy for the low back:  \n\nUpheld \n") == \
        "Twelve sessions of physical therapy for the low back"
    assert request_core("X-\nrays of the left knee") == "X-rays of the left knee"


def test_dates() -> None:
    assert normalize_request("Retro EMG DOS 2/14", as_of=date(2017, 3, 1)).retrospective_date == date(2017, 2, 14)
    assert normalize_request("Retro EMG DOS 2/14").retrospective_date is None
    assert normalize_request("Retrospective x-ray of the knee on March 3, 2015").retrospective_date == date(2015, 3, 3)
    # an impossible date is ignored, not raised
    assert normalize_request("Retro MRI DOS 13/45/2016").retrospective_date is None


def test_postsurgical_from_context() -> None:
    r = normalize_request("Physical therapy after right total knee arthroplasty, 12 visits")
    assert (r.category, r.postsurgical, r.sessions) == ("therapy", True, 12)
    assert normalize_request("Physical therapy prior to knee surgery, 6 visits").postsurgical is False


# ---------------------------------------------------------------------------- properties
_VOCAB = st.sampled_from([
    "MRI", "CT", "x-ray", "EMG", "NCV", "PT", "physical therapy", "chiropractic", "acupuncture", "of the", "left",
    "right", "bilateral", "lumbar", "cervical", "knee", "2", "x", "times", "a week", "for", "weeks", "sessions",
    "#", "(", ")", "/", "-", "mg", "%", "twelve", "one", "DOS:", "10/12/2016", "99/99/99", "w/o", "contrast",
    "post-op", "repeat", "injection", "QTY:", "1.00", "was the original request.", "original request,", "is:",
    "Upheld", "999", "0", "0.5", "\n", ":", ",", "İ", "ß", "ﬁ", "٣",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(_VOCAB, max_size=25).map(" ".join)))
def test_any_text_gives_a_request(text: str) -> None:
    r = normalize_request(text)
    assert isinstance(r, Request)
    assert r.text == text
    assert r.in_scope == (r.category in IN_SCOPE or (r.category != "other" and r.modality is not None))
    assert r.kind
    for value in (r.sessions, r.weeks, r.frequency_per_week, r.quantity):
        assert value is None or value >= 0
    if r.category in IN_SCOPE:
        assert r.modality in MODALITIES
    elif r.modality is not None:
        assert r.modality in known_modalities()
    assert set(r.regions) <= REGIONS
    assert len(r.regions) == len(set(r.regions))


def test_speed() -> None:
    texts = [c[0] for c in CASES]
    for t in texts:  # warm up
        normalize_request(t)
    n = 0
    start = time.perf_counter()
    while n < 2000:
        for t in texts:
            normalize_request(t)
            n += 1
    per_request = (time.perf_counter() - start) / n
    assert per_request < 1e-3  # about 40 us on a laptop; generous for slow CI machines


# ---------------------------------------------------------------------------- real letters
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "dwc-2016"
_STOP = re.compile(r"(?:\.|below:|Upheld|Overturned)$")
_MG = re.compile(r"[0-9]\s*mg\b", re.I)
_PER_WEEK = re.compile(r"\b(?:a|per)\s+week\b|\bweekly\b", re.I)


def _pdf_text(path: Path) -> str:
    from checker.letters import extract_text

    return extract_text(path).replace("\r\n", "\n").replace("\r", "\n")


def _headings(text: str) -> list[str]:
    """The disputed-item headings: the lines before each "Claims Administrator guideline"."""
    lines = [line.strip() for line in text.split("\n")]
    out = []
    for i, line in enumerate(lines):
        if not line.startswith("Claims Administrator guideline"):
            continue
        j = i - 1
        while j >= 0 and not lines[j]:
            j -= 1
        heading = [lines[j]]
        k = j - 1
        while k >= 0:
            prev = lines[k]
            if prev and (_STOP.search(prev) or prev.isupper()) and heading[0] not in ("Upheld", "Overturned"):
                break
            if prev:
                heading.insert(0, prev)
            k -= 1
        out.append(" ".join(heading))
    return out


@pytest.fixture(scope="module")
def corpus_headings() -> list[str]:
    pdfs = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
    if not pdfs:
        pytest.skip(f"no corpus PDFs under {CORPUS}")
    headings: list[str] = []
    for pdf in pdfs:
        headings.extend(_headings(_pdf_text(pdf)))
    return headings


def test_corpus_scope(corpus_headings: list[str]) -> None:
    assert len(corpus_headings) >= 200
    results = [normalize_request(h) for h in corpus_headings]
    in_scope = [r for r in results if r.in_scope]
    assert len(in_scope) >= 110
    # a dose never puts an item in the imaging/therapy scope; a category module judges its own dosed items
    # ("injection 5cc of lidocaine and 1cc of dexamethasone to the right knee" is a knee injection)
    dosed = [r.text for r in results if _MG.search(r.text) and r.in_scope and r.category in IN_SCOPE]
    assert dosed == []
    for r in results:
        assert r.in_scope == (r.category in IN_SCOPE or (r.category != "other" and r.modality is not None))
        if r.category == "imaging":
            assert r.modality in {"mri", "ct", "bone_scan", "spect", "dexa", "xray", "ultrasound", "arthrogram",
                                  "myelogram", "pet"}
        if r.category == "therapy":
            assert r.modality in {"pt", "ot", "aquatic", "chiro", "acupuncture", "massage", "work_conditioning",
                                  *PASSIVE_MODALITIES}
        if _PER_WEEK.search(request_core(r.text)):
            assert r.frequency_per_week is not None, r.text
            if r.weeks is not None:
                assert r.sessions is not None, r.text


def test_corpus_no_imaging_word_lost(corpus_headings: list[str]) -> None:
    """A heading naming MRI/CT/x-ray/EMG/physical therapy is in scope unless it is a drug or a program."""
    key = re.compile(r"\b(?:MRI|CT|x-?rays?|EMG|NCS|NCV)\b|physical therapy|acupuncture|chiropract", re.I)
    exempt = re.compile(r"[0-9]\s*mg|inpatient|rehabilitation unit", re.I)
    missed = [h for h in corpus_headings
              if key.search(request_core(h)) and not exempt.search(h) and not normalize_request(h).in_scope]
    assert missed == []
