"""Issue 11, finding 8: /api/v1/docs loaded Swagger UI from a CDN (blank on a closed
network). It is served from swagger-ui-dist (npm) now, and every page carries a
Content-Security-Policy that allows no outside source and no inline script."""

import re

from django.test import Client


def test_every_page_sends_a_policy_with_no_outside_source(world, login):
    for client, url in [
        (Client(), "/"),
        (Client(), "/submit/"),
        (login("erin"), "/work/tickets/"),
        (login("erin"), "/dashboard/"),
        (login("erin"), "/api/v1/docs"),
    ]:
        answer = client.get(url)
        assert answer.status_code == 200, url
        policy = answer["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "http" not in policy and "unsafe-eval" not in policy


def test_the_api_docs_come_from_our_own_static_files(world, login):
    page = login("erin").get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(s.endswith("vendor/swagger-ui/swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/") for s in sources), sources
    assert Client().get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_no_template_holds_an_inline_script_or_handler():
    from pathlib import Path

    import jiceng

    templates = sorted((Path(jiceng.__file__).parent / "templates").rglob("*.html"))
    assert len(templates) >= 50  # the templates were found
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=\"", text), path
