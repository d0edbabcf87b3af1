"""What a benefit costs or gives back, in words that are true for its kind.

A grant or a paid service has a share the firm pays; a loan is repaid; a guarantee covers part of a loan; a tax
incentive gives back a share of eligible costs at some time; an equity investment takes a share of the company.
Wording every kind as "you pay X per cent" would say something false of loans, guarantees, tax credits and
equity, so each kind has its own sentences here, and every page, report and export shows these.
"""

from __future__ import annotations

from models.text import N_, Text
from programmes.schema import Benefit

# Kinds where the firm pays part of a price (or nothing): "free" and "you pay about X %" are meaningful.
PRICED_KINDS = frozenset({"advisory", "training", "testing_services", "in_kind_compute", "regulatory_support", "data_access"})
COST_SHARED_KINDS = frozenset({"grant", "voucher"})


def _pct(value: float) -> str:
    return f"{value:g}"


def benefit_terms(benefit: Benefit) -> tuple[Text, ...]:
    """The sentences about cost and repayment for this benefit; none when the sources say nothing about them."""
    kind, share, rate = benefit.kind, benefit.sme_share_pct, benefit.funding_rate_pct
    if kind in PRICED_KINDS:
        if share == 0:
            return (Text(N_("Free for your business")),)
        if share is not None:
            return (Text(N_("Your business pays about %(share)s per cent of the cost"), {"share": _pct(share)}),)
        return (Text(N_("What your business pays is not stated in the sources")),)
    if kind in COST_SHARED_KINDS:
        if rate is not None:
            return (Text(N_("Covers up to %(rate)s per cent of eligible costs; your business pays the rest"), {"rate": _pct(rate)}),)
        if share == 0:
            return (Text(N_("Covers all eligible costs")),)
        if share is not None:
            return (Text(N_("Your business pays about %(share)s per cent of the cost"), {"share": _pct(share)}),)
        return (Text(N_("What share of the cost it covers is not stated in the sources")),)
    if kind == "loan":
        terms = [Text(N_("A loan: your business repays it"))]
        if rate is not None:
            terms.append(Text(N_("Finances up to %(rate)s per cent of the project"), {"rate": _pct(rate)}))
        return tuple(terms)
    if kind == "guarantee":
        if rate is not None:
            return (
                Text(N_("A guarantee on a loan your business repays; it covers up to %(rate)s per cent of the loan"), {"rate": _pct(rate)}),
            )
        return (Text(N_("A guarantee on a loan your business repays; the share it covers is not stated in the sources")),)
    if kind == "tax_incentive":
        back = rate if rate is not None else (100 - share if share is not None else None)
        terms = [
            Text(N_("A tax incentive: %(rate)s per cent of eligible costs come back"), {"rate": _pct(back)})
            if back is not None
            else Text(N_("A tax incentive: the share of eligible costs that comes back is not stated in the sources"))
        ]
        if benefit.paid_when:
            terms.append(Text(N_("When: %(when)s"), {"when": benefit.paid_when}))
        else:
            terms.append(Text(N_("When it is paid is not stated in the sources")))
        return tuple(terms)
    if kind == "equity":
        return (Text(N_("An investment in your company's shares: the investor takes a stake; it is not repaid like a loan")),)
    if kind == "procurement_contract":
        return (Text(N_("A contract: the public buyer pays for the work your business delivers")),)
    return ()
