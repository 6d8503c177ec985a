"""Head words, body regions, laterality, contrast and request flags: the tables :mod:`checker.requests` reads."""
from __future__ import annotations

import re
from typing import Optional

from checker.regex_cache import compile_stored as _rx  # module-level patterns: compiled code kept between runs

# --------------------------------------------------------------------------- drugs, levels
_DOSE = _rx(
    r"(?<![a-z])[0-9]+(?:\.[0-9]+)?\s*(?:mg|mcg|µg|ug|meq|gm|grams?|g|ml|cc|%|percent)(?![a-z])"
    r"|[0-9]\s*(?:mg|mcg)\s*/")                   # on the lower-cased text
_LEVEL = _rx(r"\b[CTLS][0-9]{1,2}(?:\s*-\s*[CTLS]?[0-9]{1,2})?\b")

# --------------------------------------------------------------------------- head words
# (group name, lowercase pattern, case-sensitive pattern). The lowercase patterns run without re.I on a
# lowercased copy of the text and start with a plain letter, so the regex engine skips a failing
# alternative on its first character; the case-sensitive ones (abbreviations: PT, OT, CT, MR...) run
# on the original text. Every head starts a word. Names: i_<modality> imaging,
# e_<modality> electrodiagnostic, t_<modality> therapy, o_<kind> other, s_specialist (other only when
# a consult word is present), u_us ultrasound (imaging or therapeutic, decided later).
_HEADS: list[tuple[str, Optional[str], Optional[str]]] = [
    # other heads first: they win ties at the same position
    ("o_mua", r"manipulations?\s+under\s+(?:general\s+)?an(?:a)?esthesia", r"MUA\b"),
    ("o_program",
     r"functional\s+restoration|multi-?\s*disciplinary|inter-?\s*disciplinary|"
     r"(?:chronic\s+)?pain\s+(?:management\s+)?program|in-?\s*patient|acute\s+rehab\w*|"
     r"rehab\w*\s+(?:unit|facility|center|hospital)|skilled\s+nursing|nursing\s+(?:facility|home|care)|"
     r"home\s+(?:health\s+)?(?:aides?|care)\b|home\s+health\s+(?:nurs\w*|services?)|caregiver|nurse\b|gym\b|membership|ymca\b|taxi\b|"
     r"weight\s+(?:loss|watchers)|detox\w*|transportation|transport\b|hospitali[sz]\w*|admission|residential|"
     r"(?:cognitive|behaviou?ral)\s+(?:behaviou?ral\s+)?therap\w*|psychotherap\w*|counsel+ing|"
     r"speech\s+therap\w*|vision\s+therap\w*|(?:cardiac|pulmonary)\s+rehab\w*",
     r"(?:FRP|HELP|SNF|CBT|HHA)\b"),
    ("o_injection",
     r"inject\w*|blocks?\b|epidural|facet\w*|radio-?\s*frequency|ablation|rhizotom\w*|neurotom\w*|platelet|"
     r"prolotherap\w*|botox|botulinum|trigger\s+points?|viscosupplement\w*|synvisc|hyaluron\w*|shots?\b|"
     r"aspiration|arthrocentesis|neuroplast\w*|neurolytic|biops\w*|adhesiolys\w*|mbbs?\b|tpis?\b|"
     r"euflexxa|orthovisc|supartz|hyalgan|monovisc|durolane|gelsyn",
     r"(?:ESIs?|RFA|PRP|TFESIs?|ILESIs?|LESIs?|CESIs?|CSIs?|SNRBs?)\b"),
    ("o_surgery",
     r"arthroscop\w*|surg(?:ery|eries|ical)\b|repair\b|reconstruct\w*|fusion\b|arthrodesis|laminectom\w*|"
     r"laminotom\w*|(?:micro)?discectom\w*|foraminotom\w*|decompression|release\b|replacement|arthroplast\w*|"
     r"fixation|implant\w*|stimulator|pump\b|operation\b|(?:knee|shoulder|hip|ankle|wrist|elbow)\s+scope\b|[a-z]\w*ectomy\b|[a-z]\w*otomy\b",
     r"(?:ORIF|RCR|ACDF|TKA|THA|TKR|THR|TLIF|PLIF|ALIF|XLIF|E?CTR)\b"),
    ("o_dme",
     r"braces?\b|orthos[ie]s|orthotics?\b|insoles?|splints?\b|slings?\b|pillows?|wraps?\b|canes?\b|walkers?|"
     r"wheel\s*chairs?|scooters?|crutch\w*|collars?\b|supports?\b|belts?\b|mattress\w*|beds?\b|chairs?\b|"
     r"commode|shower|grab\s+bars?|hearing\s+aids?|gloves?|wipes\b|garments?|stockings?|sleeves?|cushions?|"
     r"rental|purchase|equipment|kits?\b|pads?\b|tape\b|taping|compression|unit\b|machine\b|"
     r"continuous\s+passive\s+motion|toilet|game\s*ready|polar\s*care|vasc?utherm\w*|rollator\w*|immobili[sz]er",
     r"(?:DME|CPM|T?LSO)\b"),
    # passive single modalities the catalog does not cover stay "other" (devices, biofeedback, thermography)
    ("o_passive",
     r"thermograph\w*|biofeedback|iontophoresis|phonophoresis|paraffin|diathermy|whirlpool|"
     r"vasopneumatic|h-?\s*wave",
     None),
    ("o_lab",
     r"labs?\b|laborator\w*|urin\w*|drug\s+(?:screen|test)\w*|toxicolog\w*|blood\b|panel\b|genetic|"
     r"electrocardiogra\w*|electroencephalogra\w*|evoked\s+potential\w*|sleep\s+stud\w*|polysomnogra\w*|"
     r"pulmonary\s+function|echocardiogra\w*|stress\s+test|neuro-?\s*psych\w*|psycholog\w*|psych\b|psychiatr\w*|"
     r"functional\s+capacity|grip\s+(?:strength\s+)?test\w*|jamar|range\s+of\s+motion|muscle\s+test\w*",
     r"(?:CBC|CMP|BMP|PTT|INR|EKG|ECG|EEG|VNG|DNA|SSEPs?|FCE|ROM|UD[ST]s?|UA)\b"),
    # visits to a physician: examinations, office and follow-up visits, clearance, transfers of care (consultation)
    ("o_visit",
     r"exam(?:ination)?s?\b|clearance|office\s+visits?|follow[\s-]*up\s+(?:office\s+)?visits?|"
     r"transfer\s+of\s+care|second\s+opinion|impairment\s+rating|report\b|consult\w*|"
     r"medications?\s+management|f/u\s+(?:office\s+)?visits?|post-?\s*op(?:erative)?\s+(?:office\s+)?visits?",
     r"(?:TOC|QME|AME|IME|RTC)\b"),
    ("o_drug",
     r"tablets?\b|tabs?\b|capsules?|caps\b|creams?\b|gel\b|ointment|lotion|patch(?:es)?\b|spray\b|suspension|"
     r"solution\b|compound\w*|topical|refills?|supply\b|medications?|prescription|by\s+mouth|orally\b|drugs?\b|"
     r"lidoderm|norco\b|tramadol|ultram|opioid\w*|narcotic\w*|fioricet|esgic|soma\b|viagra|cialis|colace|"
     r"salonpas|lidopro|terocin|anecream|cyclophene|ketophene|fanatrex|synapryn|tabradol|deprizine|dicopanol|"
     r"theramine|sentra\b|trepadone|gabadone|percura|medrox|menthoderm|flector|pennsaid|medical\s+foods?",
     r"PO\b"),
    ("s_specialist",
     r"surgeon|orthop(?:a)?edi\w*|ortho\b|neurolog\w*|neurosurg\w*|physiatr\w*|"
     r"physical\s+medicine\s+(?:and|&)\s+rehab\w*|"
     r"pain\s+(?:management|medicine|specialist|interventionist)|rheumatolog\w*|podiatr\w*|internist|"
     r"internal\s+medicine|specialist|physician|doctor|cardiolog\w*|urolog\w*|gastroenterolog\w*|"
     r"endocrinolog\w*|dentist|dental|ophthalmolog\w*|optometr\w*|audiolog\w*|otolaryngolog\w*",
     r"(?:M\.?D\.?|ENT|PM\s*&\s*R)\b"),
    # imaging
    ("i_arthrogram", r"arthrogra\w*", r"MR\s*-?\s*[Aa]rthro\w*"),
    ("i_myelogram", r"myelogra\w*", None),
    ("i_dexa", r"d(?:e)?xa\b|bone\s+(?:mineral\s+)?densit\w*|densitometr\w*", None),
    ("i_bone_scan", r"bone\s+scan\w*|scintigra\w*|nuclear\s+(?:medicine\s+)?bone|radionuclide|"
                    r"(?:three|3|triple)[\s-]*phase\s+bone", None),
    ("i_spect", r"spect\b", None),
    ("i_pet", r"positron", r"PET\b"),
    ("i_mra", None, r"MRA\b"),
    ("i_mri", r"f?mri'?s?\b|magnetic\s+resonance", r"MR\b"),
    ("i_ct", r"ct(?=\s*-?\s*scan)|cat\s+scan|computed\s+(?:axial\s+)?tomograph\w*", r"CTA?\b"),
    ("i_xray", r"x\s*-?\s*rays?\b|xrays?\b|radiograph\w*|plain\s+films?|roentgen\w*", None),
    ("u_us", r"ultrasound\w*|ultrasonograph\w*|sonogra\w*|doppler\b|duplex\b", None),
    # electrodiagnostic
    ("e_emg_ncs", r"electro-?\s*diagnostic\w*", r"EDX\b"),
    ("e_emg", r"emgs?\b|electromyogra\w*", None),
    ("e_ncs", r"nc[sv]s?\b|nerve\s+conduction", r"NCT\b"),
    # therapy
    ("t_work_conditioning", r"work\s+(?:hardening|conditioning|simulation)", None),
    ("t_aquatic", r"aqua\w*|pool\s+(?:therap\w*|exercises?)|water\s+therap\w*|hydrotherap\w*", None),
    ("t_chiro", r"chiropract\w*|chiro-?\s*physio\w*|chiro\b|manipulat\w*|manual\s+(?:therap\w*|medicine)",
     r"(?:CMT|OMT)\b"),
    ("t_acupuncture", r"(?:electro-?\s*)?acupunct\w*", None),
    ("t_massage", r"massag\w*", None),
    ("t_ot", r"occupational\s+therap\w*|hand\s+therap\w*", r"OT\b"),
    # passive modalities given in the clinic (therapy; a device, rental or purchase makes them DME below)
    ("t_e_stim", r"electr(?:ical|ic|o)[\s-]*(?:muscle\s+|nerve\s+)?stim\w*|e-?\s*stim\w*|interferential|"
                 r"galvanic|transcutaneous\s+electrical", r"(?:EMS|NMES|IFC|TENS)\b"),
    ("t_infrared", r"infra-?\s*red", None),
    ("t_shockwave", r"(?:extracorporeal\s+)?shock\s*-?\s*wave", r"ESWT\b"),
    ("t_traction", r"traction", None),
    ("t_laser", r"(?:cold\s+|low[\s-]+level\s+)?laser\b", r"LLLT\b"),
    ("t_heat_cold", r"hot\s*(?:/|and|&)?\s*cold|hot\s+packs?|cold\s+packs?|heat\b|ice\b|cryo\w*|"
                    r"hydrocollator|cold\b", None),
    ("t_pt", r"physical\s+therap\w*|physio-?\s*therap\w*|physio\b|physical\s+medicine|"
             r"therapeutic\s+(?:exercises?|activit\w*)|home\s+health\s+(?:pt|physical)\b|"
             r"neuromuscular\s+re-?\s*education|gait\s+training|rehab(?:ilitation)?\b",
     r"PT\b(?!\s*/\s*(?:PTT|INR))"),
]


def _alternation(rows: list[tuple], col: int) -> re.Pattern:
    """One regex of named groups, tried at word starts only."""
    return _rx(r"\b(?=\w)(?:" + "|".join(f"(?P<{r[0]}>{r[col]})" for r in rows if r[col]) + ")")


_HEAD_LOW = _alternation(_HEADS, 1)
_HEAD_CS = _alternation(_HEADS, 2)
_HEAD_ORDER = {r[0]: i for i, r in enumerate(_HEADS)}
_CONSULT = _rx(r"\b(?=\w)(?:consult\w*|referr?al|refer\w*|evaluat\w*|eval\b|transfer\s+of\s+care|"
                      r"visits?\b|appointment|opinion|follow[\s-]*up)")           # lower-cased text
_CONSULT_CS = _rx(r"\bTOC\b")
# a surgery word followed by an evaluation word is a consultation ("Spine surgery evaluation for the lumbar")
# a consultation with a psychiatrist or psychologist is a consultation, not psychological testing
_PSYCH_CONSULT = _rx(r"\bpsych\w*\s+(?:consult\w*|referral|follow[\s-]*up|visits?|treatment)\b|\b(?:consult\w*|referral)\s+(?:to|with)\s+(?:an?\s+)?psych")
_SURGERY_CONSULT = _rx(r"\bsurg(?:ery|eries|ical)\s+(?:\w+\s+)?(?:eval\w*|consult\w*|opinion|referral|assessment)\b|"
                      r"\b(?:eval\w*|consult\w*|opinion|referral)\s+(?:\w+\s+){0,3}surg(?:ery|eries|ical)\b")
_PRE_POST = _rx(r"(?:\b(post)(?!erior)|\bpre|\b(after)|\b(following)|\b(s/p)|\bstatus\s+(post))[\s-]*"
                       r"(?:[\w/]+[\s-]+){0,3}$")                                     # lower-cased text
_GUIDE_AFTER = _rx(r"\s*-?\s*guid(?:ed|ance)")
_GUIDE_BEFORE = _rx(r"\bunder\s+(?:\w+\s+)?$")
_US_THERAPEUTIC = _rx(r"therapeutic\s+ultrasound|ultrasound\s+(?:therap\w*|treatments?)")

# --------------------------------------------------------------------------- regions
_REGIONS: list[tuple[str, Optional[str], Optional[str]]] = [
    ("cervicothoracic", r"cervico-?\s*thoracic", None),
    ("thoracolumbar", r"thoraco-?\s*lumbar", None),
    ("cervical", r"cervical\w*|c-?\s*spine\b|neck\b", None),
    ("thoracic", r"thoracic|t-?\s*spine\b|mid(?:dle)?[\s-]*back|upper\s+back|dorsal\s+spine", None),
    ("lumbar", r"lumb\w*|l-?\s*spine\b|low(?:er)?[\s-]+back", r"(?:LBP|LS|L/S)\b"),
    ("sacroiliac", r"sacro-?\s*iliac\w*", r"SIJ?\b(?:\s+joints?)?"),
    ("total_spine", r"(?:total|whole|entire|full|complete)\s+spine", None),
    ("spine", r"spin(?:e|al)\b", None),
    ("back", r"backs?\b", None),
    ("lvl_c", None, r"C[1-8]\b"),
    ("lvl_t", None, r"T(?:1[0-2]|[1-9])\b"),
    ("lvl_l", None, r"(?:L[1-5]|S1)\b"),
    ("shoulder", r"shoulders?|rotator\s+cuff|clavic\w*|scapul\w*|acromio\w*|glenohumeral", r"AC\s+joint"),
    ("elbow", r"elbows?|epicondyl\w*|olecranon|cubital", None),
    ("hand_wrist", r"hands?\b|wrists?|fingers?|thumbs?|(?:meta)?carp\w*|digits?\b|palms?\b", None),
    ("hip", r"hips?\b|groin|acetabul\w*|femoral\s+head", None),
    ("pelvis", r"pelvi[sc]|sacr(?:al|um)\b|coccy\w*|pubi[sc]", None),
    ("knee", r"knees?\b|patell\w*|menisc\w*|tibial\s+plateau", r"(?:ACL|MCL|PCL|LCL)\b"),
    ("ankle_foot", r"ankles?|foot\b|feet\b|toes?\b|heels?\b|calcane\w*|achilles|plantar|metatars\w*|tars(?:al|us)\b",
     None),
    ("head", r"head\b|brain\w*|skull\b|cranial|face\b|facial|sinus\w*", r"TMJ\b"),
    ("chest", r"chest\b|ribs?\b|thorax\b|stern(?:um|al)", None),
    ("abdomen", r"abdom\w*", None),
    ("upper_extremity", r"upper\s+(?:extremit\w*|limbs?)|arms?\b|forearms?|humer\w*", r"(?:RUE|LUE|BUE|UEs?)\b"),
    ("lower_extremity", r"lower\s+(?:extremit\w*|limbs?)|legs?\b|thighs?|calf\b|calves\b|shins?\b|tibi\w*|"
                        r"fibul\w*|femur\b", r"(?:RLE|LLE|BLE|LEs?)\b"),
]
_REGION_LOW = _alternation(_REGIONS, 1)
_REGION_CS = _alternation(_REGIONS, 2)
_REGION_MAP = {"lvl_c": ("cervical",), "lvl_t": ("thoracic",), "lvl_l": ("lumbar",), "back": ("lumbar",),
               "cervicothoracic": ("cervical", "thoracic"), "thoracolumbar": ("thoracic", "lumbar"),
               "total_spine": ("spine",)}
_REGION_ORDER = {r[0]: i for i, r in enumerate(_REGIONS)}
_SPINAL = {"cervical", "thoracic", "lumbar", "sacroiliac"}
_UPPER_JOINTS = {"shoulder", "elbow", "hand_wrist"}
_LOWER_JOINTS = {"hip", "knee", "ankle_foot"}
_JOINT_REGIONS = _UPPER_JOINTS | _LOWER_JOINTS
_BACK_QUALIFIED = _rx(r"(?:low|lower|mid|middle|upper)[\s-]+$")

# --------------------------------------------------------------------------- laterality, contrast (lower-cased text)
_SIDE = _rx(
    r"\b(?=\w)(?:(?P<b>bilateral(?:ly)?\b|bilat\b|b/l\b|"
    r"both\s+(?:\w+\s+)?(?:knees?|hips?|shoulders?|hands?|wrists?|elbows?|ankles?|feet|foot|legs?|arms?|"
    r"upper|lower|sides?|extremit\w*)|"
    r"(?:knees|shoulders|hips|elbows|wrists|ankles|feet|hands|extremities|legs|arms)\b)|"
    r"(?P<l>left\b|lt\b)|(?P<r>right\b|rt\b))")
_SIDE_CS = _rx(r"\b(?:(?P<b>BUEs?|BLEs?)|(?P<l>LUE|LLE)|(?P<r>RUE|RLE))\b")
_CONTRAST = _rx(
    r"(?P<wwo>with\s*(?:and|&|/|or)\s*without|without\s*(?:and|&|/|or)\s*with|\bw\s*/\s*(?:and\s+)?w\s*/?\s*o\b|"
    r"\bw/wo\b|\bw-wo\b|pre[\s-]*and[\s-]*post[\s-]*contrast)|"
    r"(?P<wo>without\s+(?:iv\s+|intravenous\s+)?(?:contrast|gad\w*|dye)|\bw/o\b|\bwo\s+contrast|"
    r"non-?\s*contrast\w*|un-?\s*enhanced|\bno\s+contrast|\bwithout\s*$)|"
    r"(?P<w>with\s+(?:iv\s+|intravenous\s+)?(?:contrast|gad\w*|dye)|\bw/\s*contrast|\bw\s+contrast|"
    r"contrast[\s-]+enhanced|gadolinium)")

# --------------------------------------------------------------------------- flags (lower-cased text)
_POSTSURG = _rx(r"\bpost[\s-]*(?:op(?:erative(?:ly)?)?|surg(?:ical|ery)?)\b|\b(?:after|following)\s+"
                       r"(?:the\s+|his\s+|her\s+)?surgery|\bs/p\b|\bstatus[\s-]+post\b")
_REPEAT = _rx(
    r"\brepeat(?:ed)?\b|\bre-?\s*(?:imag\w*|scan\w*|do)\b|"
    r"\b(?:follow[\s-]*up|updated?|new|second|another|interval|additional|further)\s+(?:[\w/-]+\s+){0,3}?"
    r"(?:mri|mra|ct|x-?\s*rays?|xrays?|radiograph\w*|scans?|stud(?:y|ies)|imaging|emg|ncs|ncv|nerve|"
    r"electro\w*|bone|dexa|dxa|spect|ultrasound|sonogram|arthrogram|myelogram|films?)\b")
_PREOP = _rx(r"\bpre[\s-]*(?:op(?:erative(?:ly)?)?|surg(?:ical|ery)?|procedur\w*)\b|\bprior\s+to\s+(?:the\s+)?"
                    r"(?:surgery|operation|procedure)|\bbefore\s+(?:the\s+)?(?:surgery|operation)|"
                    r"\b(?:surgical|medical|pre-?operative)\s+clearance")            # lower-cased text
_CONTINUE = _rx(r"\b(?:additional|continued|continuing|continuation|further|more|extra|ongoing|"
                       r"repeat(?:ed)?|another|renewed|resume\w*)\b")
