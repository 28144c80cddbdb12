"""The automatic inspection of one transcript (QA-1), pure: no database. Worked examples with their literal lines."""

from __future__ import annotations

import pytest
from qa_entries import ENTRIES

from arrears.quality.inspect import TranscriptError, Weights, inspect, parse
from arrears.quality.inspect.homophones import Vocabulary, correct

COMPLIANT = """\
坐席:您好，我是东兴银行信用卡中心的小王，请问是张伟先生本人吗？
客户:是我，什么事？
坐席:张先生，来电是提醒您信用卡的还款，您的账单已经逾期35天，欠款共计5230元。
坐席:逾期会影响您的征信记录，罚息也会每天增加。
坐席:请问您什么时候方便还款？
客户:最近手头紧，下个月发工资吧。
坐席:如果一次性还不上，可以申请分3期还款。
客户:好的，谢谢你。
"""


def run(text: str, **options):
    return inspect(parse(text), entries=ENTRIES, **options)


def steps_of(result) -> dict[str, int | None]:
    return {s.step: s.line for s in result.steps}


def rules_of(result) -> list[tuple[str, int | None]]:
    return [(f.rule, f.line) for f in result.findings]


def test_a_compliant_call_shows_every_step_with_the_line_that_says_it():
    """Clause: CALL-2 — greet, purpose, identity, facts, consequences, ability, suggestion, each with its evidence;
    nothing found, the full score, a thankful borrower."""
    result = run(COMPLIANT, consequences_required=True)
    assert steps_of(result) == {
        "greeted": 1,
        "purpose_stated": 3,
        "identity_verified": 1,
        "facts_stated": 3,
        "consequences_stated": 4,
        "ability_asked": 5,
        "suggestion": 7,
    }
    evidence = {s.step: s.evidence for s in result.steps}
    assert evidence["consequences_stated"] == "逾期会影响您的征信记录，罚息也会每天增加。"
    assert evidence["suggestion"] == "如果一次性还不上，可以申请分3期还款。"
    assert result.findings == ()
    assert result.score == 100
    assert result.satisfaction.level == "satisfied"
    assert result.satisfaction.reasons == (("thanks", "好的，谢谢你。", 8),)


def test_the_consequences_are_required_from_the_second_stage_only():
    """Clause: CALL-4 — at DPD 31–60 the script stresses the consequences; the same call without them is complete at
    DPD 10 and misses one step at DPD 45, which costs the policy's points for a missing step."""
    without = COMPLIANT.replace("坐席:逾期会影响您的征信记录，罚息也会每天增加。\n", "")
    early = run(without, consequences_required=False)
    assert early.findings == ()
    assert early.score == 100
    late = run(without, consequences_required=True, weights=Weights(script_incomplete=12))
    assert [(f.rule, f.detail) for f in late.findings] == [("script_incomplete", ("consequences_stated",))]
    assert late.score == 88


def test_the_policys_example_is_caught_as_said_and_as_a_recogniser_mishears_it():
    """Clause: LANG-1 — 不还钱就起诉你家人 and its homophones 起素你加人 on the agent's line, with the line as evidence."""
    for said in ("你再不还钱就起诉你家人", "你再不还钱就起素你加人", "那个你再不换钱就起述你家仁"):
        result = run(f"坐席:喂，你好\n客户:干嘛\n坐席:{said}\n")
        assert rules_of(result) == [("prohibited_language", 3)], said
        assert result.findings[0].evidence == said
        assert result.findings[0].detail[0] == "third_party:起诉 家人"
        assert result.score == 60


def test_prohibited_language_is_judged_on_the_agents_lines_only_and_not_where_it_is_negated():
    """Clause: LANG-1 — a borrower who insults the agent breaks no rule of the bank's (it shows in satisfaction);
    an agent reassuring that the family will not be contacted is not threatening it."""
    result = run(
        "坐席:您好，我是东兴银行的小李，请问是刘洋本人吗？\n"
        "客户:是我，你们这帮骗子，烦死了，我要投诉你们\n"
        "坐席:您放心，我们不会联系您的家人，也不会联系您的单位。\n"
    )
    assert [f.rule for f in result.findings if f.rule == "prohibited_language"] == []
    assert result.satisfaction.level == "dissatisfied"
    assert {cue for cue, _, _ in result.satisfaction.reasons} == {"complaint", "anger"}


def test_telling_a_third_party_about_the_debt_is_a_privacy_finding_and_a_neutral_message_is_not():
    """Clause: PRV-1 — in a call to a relative, the line telling the debt is the evidence; asking them to pass on a
    call-back request without saying why is compliant."""
    disclosed = run(
        "坐席:您好，我是瑞丰银行的小周，请问周小军在吗？\n"
        "客户:他不在，我是他妈妈。\n"
        "坐席:阿姨，您儿子在我们这借了三万多，已经逾期80天了。\n",
        party="third_party",
    )
    assert rules_of(disclosed) == [("privacy", 3)]
    assert disclosed.score == 70
    neutral = run(
        "坐席:您好，我是瑞丰银行的小周，请问周小军在吗？\n"
        "客户:他不在，我是他妈妈。\n"
        "坐席:那麻烦您转告他，有件私人事务需要他本人处理，请他回电，谢谢。\n",
        party="third_party",
    )
    assert neutral.findings == ()


def test_the_debt_told_before_the_person_confirmed_who_they_are_is_a_privacy_finding():
    """Clause: PRV-1 — the amount said to whoever picked up, then the identity question: the early line is found;
    the same facts after the person confirmed are not."""
    early = run(
        "坐席:喂，你好，你的信用卡已经逾期40天，欠款11250元。\n"
        "坐席:我是东兴银行的，请问您是蒋文涛先生吗？\n"
        "客户:是我。\n"
        "坐席:蒋先生，您什么时候能还款？\n"
    )
    assert ("privacy", 1) in rules_of(early)
    assert [s.in_order for s in early.steps if s.step == "facts_stated"] == [False]
    later = run(
        "坐席:您好，我是东兴银行的小高，请问您是蒋文涛先生吗？\n"
        "客户:是我。\n"
        "坐席:蒋先生，您的信用卡已经逾期40天，欠款11250元。\n"
    )
    assert [f for f in later.findings if f.rule == "privacy"] == []


def test_a_solution_offered_before_the_ability_to_repay_was_asked_is_out_of_order():
    """Clause: SCR-1 — ask about willingness and ability, then offer solutions."""
    result = run(
        "坐席:您好，我是东兴银行的小王，请问是张伟本人吗？\n"
        "客户:是我。\n"
        "坐席:您可以申请分期还款。\n"
        "坐席:请问您什么时候方便还款？\n"
    )
    assert ("script_order", 3) in rules_of(result)


def test_an_english_call_is_inspected_with_the_english_cues():
    """Clause: QA-1 — Agent:/Customer: transcripts, English cues and English entries of the LANG-1 list."""
    result = run(
        "Agent: Good morning, this is Li from the bank's collection team. Am I speaking to Mr Brown?\n"
        "Customer: Yes, speaking.\n"
        "Agent: I'm calling about your credit card, the payment is 30 days overdue, 4,200 yuan.\n"
        "Agent: Pay today or else we will sue your family, you deadbeat.\n"
        "Customer: I will complain about this call.\n"
    )
    assert result.language == "en"
    assert {"greeted", "purpose_stated", "identity_verified", "facts_stated"} <= {
        s.step for s in result.steps if s.present
    }
    assert ("prohibited_language", 4) in rules_of(result)
    assert result.satisfaction.level == "dissatisfied"


def test_homophones_are_restored_only_where_the_written_word_is_not_a_commoner_one():
    """出生 sounds like 畜生 but is the commoner word: it stays; 起素 is no word and becomes 起诉."""
    vocabulary = Vocabulary(["畜生", "起诉", "家人"], frequency={"出生": 1979, "畜生": 459, "起诉": 530}.get)
    vocabulary.frequency = lambda word: {"出生": 1979, "畜生": 459, "起诉": 530, "家人": 908}.get(word, 0)
    assert correct("请报一下您的出生日期", vocabulary) == "请报一下您的出生日期"
    assert correct("就起素你加人", vocabulary) == "就起诉你家人"


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("", "empty", None),
        ("\n  \n", "empty", None),
        ("坐席:你好\n这一行没有前缀\n", "prefix", 2),
        ("坐席:你好\n客户:\x00\n", "nul", 2),
        ("坐席:" + "啊" * 600_000, "too_long", None),
    ],
)
def test_a_transcript_that_cannot_be_read_is_refused_saying_where(text, problem, line):
    with pytest.raises(TranscriptError) as refused:
        parse(text)
    assert (refused.value.problem, refused.value.line) == (problem, line)


def test_prefixes_in_full_width_and_any_case_are_read():
    transcript = parse("坐席：您好\nAGENT: hello\ncustomer:hi\n客户: 你好\n")
    assert [(line.number, line.speaker.value, line.text) for line in transcript.lines] == [
        (1, "agent", "您好"),
        (2, "agent", "hello"),
        (3, "customer", "hi"),
        (4, "customer", "你好"),
    ]
    assert transcript.language == "zh"
