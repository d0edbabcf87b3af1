"""The reach preview and insights pages, on stored assessments, with small groups withheld."""

from __future__ import annotations

from tests.factories import make_programme, make_request
from tests.webapp.admin_helpers import make_staff, sign_in
from tests.webapp.test_pages import check_page
from webapp.admin import curation
from webapp.db import write_transaction

SMALL_ONLY = make_programme(
    id="fr-test-small-firms",
    rules=[
        {"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."},
        {"type": "max_employees", "limit": 50, "text": "Open to firms with fewer than 50 employees."},
    ],
)


def assess(client, count: int, employees: int, country: str = "FR") -> None:
    for _ in range(count):
        assert client.post("/api/v1/assessments", json=make_request({"employees": employees, "country": country})).status_code == 201


def test_reach_preview_counts_stored_firms_before_publishing(client, app_context, with_catalogue):
    assess(client, 12, employees=20)
    assess(client, 11, employees=120)
    assess(client, 3, employees=20, country="DE")
    with write_transaction():
        curation.save(SMALL_ONLY, creating=True)  # a draft: not matched yet, but its reach can be previewed
    sign_in(client, make_staff("viewer"))
    response = client.get(f"/admin/programmes/{SMALL_ONLY.id}/reach")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    cells = html.split("All firms", 1)[1].split("</table>", 1)[0]
    # 12 small French firms eligible, 11 French firms not; the 3 German firms are outside the programme's territory:
    # it is never shown to them, so they are not counted as refusals, and their number (under 10) is withheld.
    assert [c.split(">")[-1] for c in cells.split("</td>")[:3]] == ["12", "not shown", "11"]
    assert "Open to firms with fewer than 50 employees. (11 firms)" in html
    assert "Fewer than 10 firms outside where it serves never see it" in html
    by_country = html.split("By country", 1)[1].split("</table>", 1)[0]
    assert "DE" not in by_country and "Germany" not in by_country


def test_insights_page_shows_aggregates_with_charts_and_tables(client, app_context, with_catalogue):
    assess(client, 12, employees=20)
    assess(client, 4, employees=400, country="DE")
    sign_in(client, make_staff("viewer"))
    response = client.get("/admin/insights")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    assert "16 assessments." in html
    for heading in ("Assessments over time", "Readiness", "Most matched programmes", "Where the catalogue is thin", "Fairness"):
        assert heading in html
    assert html.count('role="img"') == 2 and "not shown" in html
    assert 'style="' not in html
