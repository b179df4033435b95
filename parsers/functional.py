"""X12 functional identifier codes (GS01, data element 479) by transaction set (ST01).

A functional group holds sets of one kind, and its GS01 names that kind: 850
purchase orders travel in a ``PO`` group, 810 invoices in ``IN``, 997s in
``FA``. Writers of outbound interchanges need the code for the set they build;
readers can use it to check a group's sets belong to it. Data only; the codes
are those of the ASC X12 code list of element 479 (the pyx12 maps agree where
they name a set, see ``tests/parsers/test_outbound.py``).
"""

from __future__ import annotations

from typing import Final

__all__ = ["FUNCTIONAL_IDS", "functional_id"]

# One "set code" pair per entry, grouped roughly by business area.
_TEXT: Final = """
180 AN  204 SM  210 IM  211 BL  214 QM  270 HS  271 HB  276 HR  277 HN  278 HI
300 RO  301 RO  304 SI  310 IO  315 QO  404 SR  410 IR
810 IN  812 CD  816 OR  820 RA  824 AG  830 PS  832 SC  834 BE  835 HP  837 HC
840 RQ  841 SP  842 NC  843 RR  844 CB  845 PA  846 IB  849 CA  850 PO  852 PD
855 PR  856 SH  857 BS  860 PC  861 RC  862 SS  863 RT  864 TX  865 CA  867 PT
869 RS  870 RS  875 OG  876 OG  879 QG  880 GP  889 QG  894 DX  895 DX
940 OW  943 AR  944 RE  945 SW  947 AW  990 GF  997 FA  999 FA
"""

FUNCTIONAL_IDS: Final[dict[str, str]] = dict(
    zip(_TEXT.split()[::2], _TEXT.split()[1::2], strict=True)
)


def functional_id(set_id: str) -> str | None:
    """GS01 for transaction set ``set_id`` ("855" -> "PR"), or None when not known."""
    return FUNCTIONAL_IDS.get(set_id)
