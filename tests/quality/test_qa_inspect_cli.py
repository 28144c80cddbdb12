"""`arrears qa inspect FILE.txt [--party …] --json`: one transcript inspected with the database's list and policy."""

from __future__ import annotations

import json

import pytest

from arrears.cli import main

CALL = (
    "坐席:您好，我是东兴银行信用卡中心的小王，请问是张伟先生本人吗？\n"
    "客户:是我，什么事？\n"
    "坐席:张先生，您的信用卡已经逾期35天，欠款共计5230元。\n"
    "坐席:你再不还钱就起素你加人。\n"
    "客户:你这是威胁，我要投诉。\n"
)


@pytest.mark.django_db
def test_the_json_names_each_step_with_its_evidence_and_each_finding(tmp_path, capsys):
    """Clause: QA-1 — the interface of the issue: steps, findings, satisfaction, score."""
    path = tmp_path / "call.txt"
    path.write_text(CALL, encoding="utf-8")
    assert main(["qa", "inspect", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["step"] for s in out["steps"]] == [
        "greeted",
        "purpose_stated",
        "identity_verified",
        "facts_stated",
        "consequences_stated",
        "ability_asked",
        "suggestion",
    ]
    facts = next(s for s in out["steps"] if s["step"] == "facts_stated")
    assert facts == {
        "step": "facts_stated",
        "present": True,
        "evidence": "张先生，您的信用卡已经逾期35天，欠款共计5230元。",
        "line": 3,
        "in_order": True,
    }
    assert [(f["rule"], f["evidence"]) for f in out["findings"] if f["rule"] == "prohibited_language"] == [
        ("prohibited_language", "你再不还钱就起素你加人。")
    ]
    assert out["satisfaction"]["level"] == "dissatisfied"
    # 100 less 40 (prohibited language) and 10 for each of the steps missing (ability, suggestion)
    assert out["score"] == 40


@pytest.mark.django_db
def test_a_third_party_call_finds_the_disclosure(tmp_path, capsys):
    """Clause: PRV-1 — `--party third_party`: the other side is still 客户:."""
    path = tmp_path / "relative.txt"
    path.write_text("坐席:您好，请问周小军在吗？\n客户:他不在，我是他妈妈。\n坐席:他欠我们三万块钱，逾期80天了。\n")
    assert main(["qa", "inspect", str(path), "--party", "third_party", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["line"]) for f in out["findings"]] == [("privacy", 3)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the transcript has no lines"),
        ("坐席:你好\n没有前缀的一行\n".encode(), "does not start with 坐席: / 客户: or Agent: / Customer: (line 2)"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        ("坐席:你好\x00\n".encode(), "NUL byte"),
    ],
)
def test_a_file_that_is_not_a_transcript_is_refused_saying_what_to_fix(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main(["qa", "inspect", str(path), "--json"]) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
