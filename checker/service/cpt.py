"""CPT codes of common imaging, electrodiagnostic and therapy orders -> request text the checker reads.

``{site}`` is filled from the order's bodySite when the code does not name the body part (joint MRIs, therapy).
"""
from __future__ import annotations

CPT_SYSTEMS = {"http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12"}

CPT: dict[str, str] = {
    # MRI, spine
    "72141": "MRI of the cervical spine without contrast",
    "72142": "MRI of the cervical spine with contrast",
    "72156": "MRI of the cervical spine without and with contrast",
    "72146": "MRI of the thoracic spine without contrast",
    "72147": "MRI of the thoracic spine with contrast",
    "72157": "MRI of the thoracic spine without and with contrast",
    "72148": "MRI of the lumbar spine without contrast",
    "72149": "MRI of the lumbar spine with contrast",
    "72158": "MRI of the lumbar spine without and with contrast",
    # MRI, joints
    "73221": "MRI of the {site} without contrast",
    "73222": "MRI of the {site} with contrast",
    "73223": "MRI of the {site} without and with contrast",
    "73721": "MRI of the {site} without contrast",
    "73722": "MRI of the {site} with contrast",
    "73723": "MRI of the {site} without and with contrast",
    # CT, spine
    "72125": "CT of the cervical spine without contrast",
    "72128": "CT of the thoracic spine without contrast",
    "72131": "CT of the lumbar spine without contrast",
    # x-rays
    "72040": "X-ray of the cervical spine, 2-3 views",
    "72050": "X-ray of the cervical spine, 4 or 5 views",
    "72070": "X-ray of the thoracic spine, 2 views",
    "72100": "X-ray of the lumbar spine, 2-3 views",
    "72110": "X-ray of the lumbar spine, minimum of 4 views",
    "73030": "X-ray of the shoulder, minimum of 2 views",
    "73070": "X-ray of the elbow, 2 views",
    "73110": "X-ray of the wrist, minimum of 3 views",
    "73130": "X-ray of the hand, minimum of 3 views",
    "73502": "X-ray of the hip, 2-3 views",
    "73562": "X-ray of the knee, 3 views",
    "73564": "X-ray of the knee, 4 or more views",
    "73610": "X-ray of the ankle, minimum of 3 views",
    "73630": "X-ray of the foot, minimum of 3 views",
    # electrodiagnostics
    "95885": "EMG of the {site}, limited, with nerve conduction studies",
    "95886": "EMG of the {site} with nerve conduction studies",
    "95907": "Nerve conduction studies of the {site}, 1-2 studies",
    "95908": "Nerve conduction studies of the {site}, 3-4 studies",
    "95909": "Nerve conduction studies of the {site}, 5-6 studies",
    "95910": "Nerve conduction studies of the {site}, 7-8 studies",
    "95911": "Nerve conduction studies of the {site}, 9-10 studies",
    "95912": "Nerve conduction studies of the {site}, 11-12 studies",
    "95913": "Nerve conduction studies of the {site}, 13 or more studies",
    # physical therapy
    "97161": "Physical therapy evaluation and treatment of the {site}",
    "97162": "Physical therapy evaluation and treatment of the {site}",
    "97163": "Physical therapy evaluation and treatment of the {site}",
    "97110": "Physical therapy, therapeutic exercise, for the {site}",
    "97140": "Physical therapy, manual therapy, for the {site}",
    "97530": "Physical therapy, therapeutic activities, for the {site}",
    # chiropractic
    "98940": "Chiropractic manipulation of the {site}, 1-2 regions",
    "98941": "Chiropractic manipulation of the {site}, 3-4 regions",
    "98942": "Chiropractic manipulation of the {site}, 5 regions",
    "98943": "Chiropractic manipulation of the {site}, extraspinal",
    # acupuncture
    "97810": "Acupuncture of the {site}",
    "97811": "Acupuncture of the {site}",
    "97813": "Acupuncture with electrical stimulation of the {site}",
    "97814": "Acupuncture with electrical stimulation of the {site}",
}

DEFAULT_SITE = {"73221": "upper extremity joint", "73222": "upper extremity joint", "73223": "upper extremity joint",
                "73721": "lower extremity joint", "73722": "lower extremity joint", "73723": "lower extremity joint"}


def text_for(code: str, site: str = "") -> str | None:
    """The request text for a CPT code, with the body site filled in; None for codes not in the table."""
    template = CPT.get(code.strip())
    if template is None:
        return None
    site = site.strip() or DEFAULT_SITE.get(code.strip(), "")
    if site:
        return template.format(site=site)
    return template.replace(" of the {site}", "").replace(" for the {site}", "").replace(" {site}", "")
