"""The error pages are in the site's layout and the user's language, and never repeat the exception's text
(issue 15, item 1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from arrears.home import errors
from factories import make_user

pytestmark = pytest.mark.django_db


def test_a_refusal_is_a_page_of_the_site_in_chinese_without_the_permission_code(client):
    """Clause: AUTH-1 — a junior collector opening the nightly runs: 403, the site's layout (navigation, their
    name), the Chinese words; the permission's code stays in the log."""
    client.force_login(make_user("junior_collector", username="j-403"))
    response = client.get("/runs/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h2>无权访问</h2>" in html
    assert "您的角色无权访问此页面或执行此操作" in html
    assert "j-403" in html  # the layout's header: who is signed in
    assert "engine.view_runs" not in html


def test_a_missing_page_is_a_page_of_the_site_in_the_browsers_language(client):
    client.force_login(make_user("supervisor"))
    chinese = client.get("/cases/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 404
    assert "<h2>未找到</h2>" in chinese.content.decode()
    english = client.get("/cases/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h2>Not found</h2>" in english.content.decode()


def boom(request):
    raise RuntimeError("forced failure 91c2")


urlpatterns = [path("boom/", boom)]
handler500 = errors.server_error


def test_a_server_error_is_a_page_of_the_site_that_hides_the_exception(settings):
    """The 500 page: the layout and the Chinese words; the exception's text only in the log."""
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h2>服务器错误</h2>" in html
    assert "forced failure 91c2" not in html


def test_a_500_page_that_cannot_be_rendered_is_answered_in_plain_html(rf, monkeypatch):
    """If the layout itself fails (the database down, say), the words still go out, as plain HTML."""

    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors, "render", broken)
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"<h2>Server error</h2>" in response.content
