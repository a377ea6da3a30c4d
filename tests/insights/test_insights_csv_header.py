"""Every CSV download says its charset once: "text/csv; charset=utf-8"."""

import pytest

CSV_URLS = [
    "/insights/rounds/{}/results-legs.csv",
    "/insights/rounds/{}/results-statements.csv",
    "/insights/rounds/{}/development.csv",
    "/insights/rounds/{}/results-legs.csv?sep=semicolon&lang=en",
]


@pytest.mark.parametrize("url", CSV_URLS)
def test_insights_csv_content_type(hr_client, seeded, url):
    response = hr_client.get(url.format(seeded.rnd.id))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]


def test_people_template_csv_content_type(hr_client):
    response = hr_client.get("/people/template.csv")
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]
