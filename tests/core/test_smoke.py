def test_sign_in_page_is_served(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"Sign in to Rhythm" in response.content


def test_health_answers(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
