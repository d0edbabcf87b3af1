"""The ranker keeps scikit-learn's contract, stores its coefficients as JSON, and learns from labels."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone

from models.ranking import FACTORS, FEATURES, PRIOR_FILE, ProgrammeRanker, prior


def test_the_prior_is_versioned_json_with_weights_adding_up_to_one():
    document = json.loads(PRIOR_FILE.read_text(encoding="utf-8"))
    ranker = prior()
    assert document["version"] == ranker.version
    assert ranker.weights_.sum() == pytest.approx(1.0)
    assert ProgrammeRanker.from_json(ranker.to_json()).to_json() == ranker.to_json()


def test_contributions_add_up_to_the_prediction_and_stay_in_0_1():
    rng = np.random.default_rng(0)
    X = rng.random((200, len(FEATURES)))
    X[:, -1] = rng.integers(0, 2, 200)
    contributions = prior().contributions(X)
    assert np.allclose(contributions.sum(axis=1), prior().predict(X))
    assert (prior().predict(X) >= 0).all() and (prior().predict(X) <= 1).all()


def test_the_needs_info_penalty_never_pushes_a_score_below_zero():
    X = np.array([[0.05, 0, 0, 0, 0, 1.0]])
    assert prior().predict(X)[0] == pytest.approx(0.0)
    assert prior().contributions(X)[0, -1] == pytest.approx(-0.35 * 0.05)


def test_scikit_learn_contract():
    ranker = ProgrammeRanker(version="x")
    assert ranker.get_params() == {"version": "x"}
    assert clone(ranker).get_params() == ranker.get_params()
    assert not hasattr(ranker, "weights_")
    with pytest.raises(Exception, match="not fitted"):
        ranker.predict(np.zeros((1, len(FEATURES))))


def test_fit_learns_which_factors_predict_good_outcomes():
    rng = np.random.default_rng(1)
    X = rng.random((500, len(FEATURES)))
    X[:, -1] = rng.integers(0, 2, 500)
    # Firms took up programmes that served their goals, and shunned those with facts left to confirm.
    y = 0.8 * X[:, FACTORS.index("goal_fit")] - 0.2 * X[:, -1] + rng.normal(0, 0.01, 500)
    ranker = ProgrammeRanker(version="learned").fit(X, y)
    assert ranker is not None and isinstance(ranker, ProgrammeRanker)
    weights = dict(zip(FACTORS, ranker.weights_, strict=True))
    assert max(weights, key=weights.get) == "goal_fit"
    assert ranker.weights_.sum() == pytest.approx(1.0)
    assert ranker.penalty_ == pytest.approx(0.25, abs=0.05)
    assert json.loads(json.dumps(ranker.to_json()))["version"] == "learned"


def test_fit_refuses_labels_that_no_factor_explains():
    with pytest.raises(ValueError, match="keep the prior"):
        ProgrammeRanker().fit(np.ones((10, len(FEATURES))), -np.ones(10))


def test_a_tampered_coefficient_file_is_refused():
    document = prior().to_json()
    document["weights"]["cost"] = 0.9
    with pytest.raises(ValueError, match="add up to 1"):
        ProgrammeRanker.from_json(document)


def test_fit_works_on_labelled_profile_programme_outcome_triples():
    from models.matching import training_rows
    from tests.factories import TODAY, make_profile, make_programme

    wanted = make_programme(id="wanted", goals=["find_expert_advice"], builds=["cloud"])
    unwanted = make_programme(id="unwanted", goals=["scale_up"], builds=["cloud"])
    examples = []
    for employees in range(5, 60):
        profile = make_profile({"employees": employees})
        examples += [(profile, wanted, 1.0), (profile, unwanted, 0.0)]
    X, y = training_rows(examples, TODAY)
    assert X.shape == (len(examples), len(FEATURES))
    ranker = ProgrammeRanker(version="from-triples").fit(X, y)
    assert FACTORS[int(np.argmax(ranker.weights_))] == "goal_fit"
