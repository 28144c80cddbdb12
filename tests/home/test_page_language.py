"""Every page is in one language (the reader's): the document says which (`<html lang>`, read by screen readers
and by the browser's hyphenation and spelling), and the header names the reader's role in that language, never
as the name stored in Chinese."""

from __future__ import annotations

import re

import pytest

from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "role"),
    [("en", "supervisor"), ("zh-hans", "催收主管")],
)
def test_the_page_says_its_language_and_names_the_role_in_it(client, language, role):
    user = make_user("supervisor", username="head-of-desk")
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.search(r"<html[^>]*>", page).group(0) == f'<html lang="{language}">'
    header = re.search(r'<div class="who">(.*?)<form', page, re.S).group(1)
    assert " ".join(header.split()) == f"head-of-desk · {role}"
