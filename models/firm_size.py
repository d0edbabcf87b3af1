"""A firm's size class under the EU definitions, from its staff headcount, turnover and balance-sheet total.

- Micro, small and medium-sized enterprises: Commission Recommendation 2003/361/EC, Annex, Article 2. A category
  applies when the headcount is below its ceiling and the turnover or the balance-sheet total (either is enough)
  is within its ceiling; a firm belongs to the smallest category that applies.
- Small mid-caps: Commission Recommendation (EU) 2025/1099 of 21 May 2025: not an SME, fewer than 750 staff, and
  turnover up to EUR 150 million or balance-sheet total up to EUR 129 million.

The figures are the firm's own; the definitions also add those of partner and linked enterprises, which Tremplin
does not ask for, so the wording on the page says so. Where the figures given cannot settle the class, the class
is None and `is_sme` may still be settled (e.g. 300 staff is not an SME whatever the money).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.rules import MET, UNKNOWN, UNMET, Facts, Status, fits_under
from models.text import N_, Text

# (class, staff below, turnover at most EUR, balance-sheet total at most EUR), smallest first.
CEILINGS: tuple[tuple[str, int, float, float], ...] = (
    ("micro", 10, 2_000_000, 2_000_000),
    ("small", 50, 10_000_000, 10_000_000),
    ("medium", 250, 50_000_000, 43_000_000),
    ("small_midcap", 750, 150_000_000, 129_000_000),
)


@dataclass(frozen=True)
class SizeClass:
    size: str | None  # micro, small, medium, small_midcap, large; None when the figures do not settle it
    is_sme: Status  # MET: an SME under the EU definition; UNMET: not one; UNKNOWN: the figures do not tell
    explanation: Text

    by_staff: str | None = None  # when `size` is not settled: the class the headcount alone points to

    @property
    def best_guess(self) -> str | None:
        """The class used to pick a programme's benefit: the settled one, else what the headcount alone says
        (so a 300-staff firm without figures is not shown an SME-only benefit)."""
        return self.size or self.by_staff


def size_class(facts: Facts) -> SizeClass:
    statuses = [(name, fits_under(facts, staff, turnover, balance)) for name, staff, turnover, balance in CEILINGS]
    size: str | None = None
    for name, status in statuses:
        if status is MET:
            size = name
            break
        if status is UNKNOWN:
            break  # a smaller class might still apply: the class is not settled
    else:
        size = "large"
    medium = dict(statuses)["medium"]
    by_staff = None
    if size is None and facts.employees is not None:
        by_staff = next((name for name, staff, _, _ in CEILINGS if facts.employees < staff), "large")
    return SizeClass(size, medium, _explain(size, medium, facts), by_staff)


_NAMES = {
    "micro": N_("Under the EU definition your business is a micro enterprise (fewer than 10 staff)."),
    "small": N_("Under the EU definition your business is a small enterprise (fewer than 50 staff)."),
    "medium": N_("Under the EU definition your business is a medium-sized enterprise (fewer than 250 staff)."),
}


_NOT_SME = {
    # (too many staff, a small mid-cap)
    (True, False): N_("Under the EU definition your business is not an SME: it has 250 staff or more."),
    (True, True): N_(
        "Under the EU definition your business is not an SME: it has 250 staff or more. It is a small mid-cap (fewer than 750 staff)."
    ),
    (False, False): N_(
        "Under the EU definition your business is not an SME: its turnover is above EUR 50 million and its "
        "balance-sheet total above EUR 43 million."
    ),
    (False, True): N_(
        "Under the EU definition your business is not an SME: its turnover is above EUR 50 million and its "
        "balance-sheet total above EUR 43 million. It is a small mid-cap."
    ),
}


def _explain(size: str | None, is_sme: Status, facts: Facts) -> Text:
    if size in _NAMES:
        return Text(_NAMES[size])
    if is_sme is UNMET:
        too_many_staff = facts.employees is not None and facts.employees >= 250
        return Text(_NOT_SME[(too_many_staff, size == "small_midcap")])
    if is_sme is MET:
        return Text(N_("Under the EU definition your business is an SME; give your turnover or balance-sheet total to know which kind."))
    return Text(N_("Tremplin cannot tell yet whether your business is an SME under the EU definition: give its staff and turnover."))
