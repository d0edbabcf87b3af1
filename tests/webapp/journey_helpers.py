"""Walk the SME journey with the Flask test client, as a person would with a browser."""

from __future__ import annotations

from models.readiness import load_bank
from programmes.vocabulary import DIMENSIONS

ABOUT = {"name": "Atelier Dupont", "country": "FR", "sector": "C", "employees": "42"}
BUSINESS = {
    "region": "FR-IDF",
    "annual_turnover_amount": "4,500,000",
    "annual_turnover_currency": "EUR",
    "balance_sheet_total_amount": "",
    "balance_sheet_total_currency": "EUR",
    "founded_year": "2016",
    "annual_growth_pct": "25",
    "independent": "yes",
}
LEVELS = {"strategy": "1", "skills": "0", "data": "2", "cloud": "3", "compute": "0", "funding": "1", "governance": "0"}
GOALS = {"goals": ["upskill_staff", "find_expert_advice"], "cofunding_capacity_pct": "30"}


def start(client, path: str = "quick") -> str:
    response = client.post("/start", data={"path": path})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("/about")
    return location.split("/")[2]


def best_answers() -> dict[str, list[str] | str]:
    answers: dict[str, list[str] | str] = {}
    for question in load_bank().questions:
        best = max(question.options, key=lambda o: o.points)
        answers[question.id] = [o.id for o in question.options if o.points > 0] if question.kind == "multiple" else best.id
    return answers


def complete(client, path: str = "quick") -> str:
    token = start(client, path)
    assert client.post(f"/p/{token}/about", data=ABOUT).status_code == 302
    assert client.post(f"/p/{token}/business", data=BUSINESS).status_code == 302
    answers = best_answers()
    for dimension in DIMENSIONS:
        quick = {"level": LEVELS[dimension]}
        data = quick if path == "quick" else {q.id: answers[q.id] for q in load_bank().questions_for(dimension)}
        response = client.post(f"/p/{token}/{dimension}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    response = client.post(f"/p/{token}/goals", data=GOALS)
    assert response.headers["Location"].endswith(f"/p/{token}/check")
    return token
