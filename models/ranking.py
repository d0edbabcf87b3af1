"""The ranker: a transparent, additive score in [0, 1] for programmes a firm may use.

Each factor is a number in [0, 1] computed from the profile and the programme (models/matching.py computes them
for a whole catalogue at once):

- gap_fit: how much the programme builds the firm's weakest dimensions (70 %) and its gaps in general (30 %);
- goal_fit: the share of the firm's goals the programme serves;
- stage_fit: 1 if the programme targets the firm's stage, 0.5 for a neighbouring stage, else 0;
- cost: 1 when free; 1 - the firm's share of the cost when that is within its stated co-funding capacity (or the
  capacity is not stated); a quarter of that beyond it; 0.5 when the cost is unknown;
- deadline: 1 when the programme closes within 90 days, falling to 0 at a year; 0.25 for rolling programmes;
- needs_info: 1 when some criterion is unknown. Its weight is a penalty, subtracted.

score = sum(weight_k x factor_k) - penalty x needs_info, with the positive weights adding up to 1, and the
penalty capped at the positive part so the score never falls below 0. Every factor's contribution is reported,
and the contributions add up to the score.

The estimator follows scikit-learn's contract: parameters in __init__, `fit` returns self, learned state ends in
`_`. Its default coefficients are the expert prior in ranker_prior.json (versioned JSON, never pickle).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from models.text import N_

FACTORS: tuple[str, ...] = ("gap_fit", "goal_fit", "stage_fit", "cost", "deadline")
PENALTY = "needs_info"
FEATURES: tuple[str, ...] = (*FACTORS, PENALTY)
FACTOR_LABELS: dict[str, str] = {
    "gap_fit": N_("Builds your weakest dimensions"),
    "goal_fit": N_("Serves your goals"),
    "stage_fit": N_("Suits your stage of readiness"),
    "cost": N_("Cost to your business"),
    "deadline": N_("Deadline coming up"),
    "needs_info": N_("Some facts still to confirm"),
}
PRIOR_FILE = Path(__file__).with_name("ranker_prior.json")
FORMAT = "tremplin-ranker/1"


class ProgrammeRanker(RegressorMixin, BaseEstimator):
    """Weights for the factors in FEATURES. Unfitted, it holds only parameters; `prior()` gives the expert
    prior, and `fit` learns non-negative weights from labelled rows.

    Parameters
    ----------
    version : name written into every match's model_version.
    """

    def __init__(self, version: str = "fitted") -> None:
        self.version = version

    def fit(self, X: Any, y: Any) -> ProgrammeRanker:
        """Learn weights from rows of FEATURES and outcomes in [0, 1] (1 = a good match: applied, helped).

        Non-negative least squares on the factors and on minus the needs_info flag, so every factor can only
        help and needs_info can only hurt; the positive weights are then scaled to add up to 1.
        """
        X, y = validate_data(self, X, y, reset=True)
        if X.shape[1] != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} columns ({', '.join(FEATURES)}), got {X.shape[1]}")
        signed = X.copy()
        signed[:, -1] = -signed[:, -1]
        coef = LinearRegression(positive=True, fit_intercept=False).fit(signed, y).coef_
        total = coef[:-1].sum()
        if total <= 0:
            raise ValueError("the labels give no factor a positive weight; keep the prior")
        self.weights_ = coef[:-1] / total
        self.penalty_ = float(min(coef[-1] / total, 1.0))
        return self

    def contributions(self, X: Any) -> np.ndarray:
        """Each factor's part of the score, one column per FEATURES entry; rows add up to `predict`."""
        check_is_fitted(self, ("weights_", "penalty_"))
        return self.contributions_unchecked(validate_data(self, X, reset=False))

    def contributions_unchecked(self, X: np.ndarray) -> np.ndarray:
        """`contributions` for a float array already known to be well formed (the matcher's hot path)."""
        positive = X[:, :-1] * self.weights_
        gained = positive.sum(axis=1)
        penalty = -np.minimum(self.penalty_ * X[:, -1], gained)
        return np.column_stack([positive, penalty])

    def predict(self, X: Any) -> np.ndarray:
        return self.contributions(X).sum(axis=1)

    def to_json(self) -> dict[str, Any]:
        check_is_fitted(self, ("weights_", "penalty_"))
        return {
            "format": FORMAT,
            "version": self.version,
            "weights": {name: round(float(w), 6) for name, w in zip(FACTORS, self.weights_, strict=True)},
            "needs_info_penalty": round(self.penalty_, 6),
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> ProgrammeRanker:
        if document.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        weights = document["weights"]
        if set(weights) != set(FACTORS):
            raise ValueError(f"weights must name exactly {', '.join(FACTORS)}")
        values = np.array([float(weights[name]) for name in FACTORS])
        if (values < 0).any() or not np.isclose(values.sum(), 1.0):
            raise ValueError("weights must be non-negative and add up to 1")
        ranker = cls(version=document["version"])
        ranker.weights_ = values
        ranker.penalty_ = float(document["needs_info_penalty"])
        ranker.n_features_in_ = len(FEATURES)
        return ranker


# scikit-learn's generic estimator checks (check_estimator, parametrize_with_checks) build their own data with 1 to 10
# columns. The ranker's input is exactly the six columns of FEATURES and it refuses any other width, so every check
# below fails on that refusal before it reaches what it is about. What they ask (fit returns self and keeps its
# parameters and input, refits alike, batch- and order-invariant predictions, clone, pickle, pipeline, dtypes, NaN and
# infinity refused) is asked on six columns in tests/models/test_ranker_estimator.py. Maps check name -> why it fails.
_FIXED_WIDTH = "fits on its own data of 1 to 10 columns; the ranker reads exactly the six columns of FEATURES and refuses others"
EXPECTED_FAILED_CHECKS: dict[str, str] = {
    **dict.fromkeys(
        (
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_nan_inf",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_readonly_memmap_input",
            "check_regressor_data_not_an_array",
            "check_regressors_int",
            "check_regressors_no_decision_function",
            "check_regressors_train",
            "check_supervised_y_2d",
        ),
        _FIXED_WIDTH,
    ),
    "check_fit2d_1sample": "expects an error about the single sample; the ranker first refuses the check's 10 columns "
    "(with six columns, one sample fits)",
    "check_fit2d_1feature": "expects the error for a single column to say '1 feature'; the ranker's says 'expected 6 columns "
    "(gap_fit, ...), got 1', which names what it wants instead",
    "check_positive_only_tag_during_fit": "fits on the 4 columns of the iris data made partly negative and reads the ranker's "
    "refusal of the width as a refusal of negative values (the ranker does accept negative values)",
}


@cache
def prior(path: Path = PRIOR_FILE) -> ProgrammeRanker:
    """The expert prior (read once; treat it as read-only): the weights Tremplin ranks with until it learns from real feedback."""
    with path.open(encoding="utf-8") as handle:
        return ProgrammeRanker.from_json(json.load(handle))
