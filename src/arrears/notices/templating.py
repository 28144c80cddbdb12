"""Placeholders in notice and script templates: what each purpose may and must say, checking, rendering.

How this works
--------------
A template's subject and text hold placeholders written as a name in braces, `{due_date}`; `{{` and `}}` are a
literal brace. `PLACEHOLDERS` says, for each purpose, which names are allowed, which the text must contain
(REM-2: a reminder states the amount due, the due date and the bank's contact details; LTR-1: the notice its
deadline) and whether a subject is required or refused. `check_template` refuses anything else before a
version is saved (LANG-2: what legal review approves is exactly what is sent): an unknown name, attribute or
index access (`{name.upper}`, `{contract[0]}`), conversions (`{name!r}`) and format specs (`{amount_due:>10}`),
braces that do not pair up, an empty text, a missing required placeholder; for an SMS, a text whose rendering
with `sample_values` is longer than `SMS_MAX_CHARS`; for the notice wording, anything but exactly one line
`---` (text above it is printed before the figures tables, text below it after them, `split_notice`).

Values are strings, formatted by the caller in the borrower's language (amounts as `3,256.78`, without a unit:
the text says 元 or CNY; dates as `2026年12月15日` or `15 December 2026`); `render` only substitutes them.

Pure: no Django import. Messages are English format strings marked with `gettext_noop` so that they are
extracted for translation; `TemplateProblem` keeps the untranslated message and its values, and the actions
(`arrears.notices.template_actions`) translate them where a person sees them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NOTICE_SPLIT",
    "PLACEHOLDERS",
    "SMS_MAX_CHARS",
    "SUBJECT_MAX_CHARS",
    "MissingValue",
    "Spec",
    "TemplateProblem",
    "check_template",
    "paragraphs",
    "placeholders_in",
    "render",
    "sample_values",
    "split_notice",
]

SMS_MAX_CHARS = 300  # a long SMS of a few segments; anything longer is a letter, not a reminder
SUBJECT_MAX_CHARS = 200  # `Template.subject` and `Notice.subject`
NOTICE_SPLIT = "---"  # the line separating the notice wording above the figures tables from the wording below


def gettext_noop(message: str) -> str:
    """Marks `message` for translation (makemessages extracts `gettext_noop`); it is translated where shown."""
    return message


@dataclass(frozen=True)
class Spec:
    """What one purpose's template may contain.

    `allowed`: the placeholder names, in the order they are offered; `required`: names the text (not the
    subject) must contain; `subject`: "required" (an email) or "none" (SMS, printed wording, a script);
    `max_chars`: the longest the text may be once rendered with `sample_values`; `split`: the text is the
    notice wording, in two parts separated by a line `---`.
    """

    allowed: tuple[str, ...]
    required: tuple[str, ...] = ()
    subject: Literal["required", "none"] = "none"
    max_chars: int | None = None
    split: bool = False


_BANK = ("bank_name", "bank_hotline", "bank_email", "bank_address")
_REMINDER = ("name", "amount_due", "due_date", "contract", "instalment", *_BANK)
_REMINDER_REQUIRED = ("amount_due", "due_date", "bank_hotline")  # REM-2
_ACK = ("name", "complaint_ref", "received_on", "investigation_due", *_BANK)
_ACK_REQUIRED = ("complaint_ref", "investigation_due", "bank_hotline")
_OUTCOME = ("name", "complaint_ref", "received_on", "finding", *_BANK)
_OUTCOME_REQUIRED = ("complaint_ref", "finding", "bank_hotline")
_CLAIMS = ("principal", "interest", "penalty", "compound", "total")
_COMPLAINT = (
    *_BANK,
    "name",
    "id_number",
    "address",
    *_CLAIMS,
    "filing_date",
    "contracts",
    "loan_terms",
    "earliest_due",
    "dpd",
    "calls",
    "letters",
    "court",
)
_COMPLAINT_REQUIRED = ("bank_name", "name", "id_number", "address", *_CLAIMS, "filing_date", "contracts")
_MANDATE = (
    *_BANK,
    "agency",
    "agency_code",
    "placement_ref",
    "name",
    "contracts",
    "overdue_total",
    "placed_on",
    "last_day",
    "days",
    "commission",
)
_MANDATE_REQUIRED = ("bank_name", "agency", "placement_ref", "overdue_total", "placed_on", "last_day", "commission")

PLACEHOLDERS: Mapping[str, Spec] = {
    "reminder_sms": Spec(_REMINDER, _REMINDER_REQUIRED, "none", max_chars=SMS_MAX_CHARS),
    "reminder_email": Spec(_REMINDER, _REMINDER_REQUIRED, "required"),
    "letter_email": Spec(
        ("name", "reference", "total_overdue", "deadline", "contracts", "as_of", *_BANK),
        ("reference", "deadline", "bank_hotline"),
        "required",
    ),
    "letter_notice": Spec(("name", "total_overdue", "deadline", "as_of", *_BANK), ("deadline",), "none", split=True),
    "call_script": Spec(("name", "dpd", "overdue_total", "bank_name", "collector")),
    # CMP-2: the acknowledgement names the complaint and when its investigation ends; CMP-4: the outcome says what
    # was found (`finding`, one of two fixed sentences). Neither speaks of a debt.
    "complaint_ack_sms": Spec(_ACK, _ACK_REQUIRED, "none", max_chars=SMS_MAX_CHARS),
    "complaint_ack_email": Spec(_ACK, _ACK_REQUIRED, "required"),
    "complaint_outcome_sms": Spec(_OUTCOME, _OUTCOME_REQUIRED, "none", max_chars=SMS_MAX_CHARS),
    "complaint_outcome_email": Spec(_OUTCOME, _OUTCOME_REQUIRED, "required"),
    # LIT-1: the statement of claim (起诉状) of the litigation file: the bank as plaintiff, the borrower as defendant
    # (name, ID number and address in full: it goes to the court), the claims to the filing date (each figure the
    # finance core's), the contracts and the facts. Printed, so no subject.
    "litigation_complaint": Spec(_COMPLAINT, _COMPLAINT_REQUIRED),
    # AGY-2: the mandate a placement is made under — collection only, no violence, harassment or abusive means;
    # the agency, the case (the borrower's name, the contracts, the overdue total), the period and the commission.
    "agency_mandate": Spec(_MANDATE, _MANDATE_REQUIRED),
}

# Realistic values for previews and the SMS length check; long rather than short (the name of a bank, an
# address), so that a text that fits here fits in practice.
_SAMPLE_BANK = {
    "bank_name": "示例商业银行",
    "bank_hotline": "400-800-0000",
    "bank_email": "collections@bank.example.com",
    "bank_address": "上海市浦东新区世纪大道8号 示例商业银行个人信贷部",
}
_SAMPLE: dict[str, dict[str, str]] = {
    "zh-hans": {
        "name": "张三丰",
        "amount_due": "3,256.78",
        "due_date": "2026年12月15日",
        "contract": "L2026000123",
        "instalment": "11",
        "reference": "LTR-20261128-000042",
        "total_overdue": "8,431.20",
        "deadline": "2026年12月8日",
        "contracts": "L2026000123、L2026000456",
        "as_of": "2026年11月28日",
        "dpd": "12",
        "overdue_total": "3,412.55",
        "collector": "李敏（工号 C0217）",
        "complaint_ref": "CMP-20261128-000042",
        "received_on": "2026年11月28日",
        "investigation_due": "2026年12月3日",
        "finding": "经调查，您反映的情况属实。我行已对相关人员作出处理，并已落实整改。",
        "id_number": "110101199003071234",
        "address": "上海市徐汇区漕溪北路1200弄15号1802室",
        "principal": "41,572.36",
        "interest": "1,506.27",
        "penalty": "752.18",
        "compound": "27.34",
        "total": "43,858.15",
        "filing_date": "2026年12月15日",
        "loan_terms": "合同编号L2026000123，借款本金60,000.00元，年利率4.35%，期限24个月，还款方式为等额本息，"
        "起始日2026年1月15日",
        "earliest_due": "2026年6月15日",
        "calls": "14",
        "letters": "2",
        "court": "上海市徐汇区人民法院",
        "agency": "上海示例信息咨询服务有限公司",
        "agency_code": "AGY-00000042",
        "placement_ref": "PLC-20261128-000042",
        "placed_on": "2026年11月28日",
        "last_day": "2027年2月25日",
        "days": "90",
        "commission": "12.50%",
    },
    "en": {
        "name": "张三丰",
        "amount_due": "3,256.78",
        "due_date": "15 December 2026",
        "contract": "L2026000123",
        "instalment": "11",
        "reference": "LTR-20261128-000042",
        "total_overdue": "8,431.20",
        "deadline": "8 December 2026",
        "contracts": "L2026000123, L2026000456",
        "as_of": "28 November 2026",
        "dpd": "12",
        "overdue_total": "3,412.55",
        "collector": "Li Min (staff no. C0217)",
        "complaint_ref": "CMP-20261128-000042",
        "received_on": "28 November 2026",
        "investigation_due": "3 December 2026",
        "finding": "Our investigation found that your complaint is justified. We have dealt with those responsible "
        "and put right what went wrong.",
        "id_number": "110101199003071234",
        "address": "上海市徐汇区漕溪北路1200弄15号1802室",
        "principal": "41,572.36",
        "interest": "1,506.27",
        "penalty": "752.18",
        "compound": "27.34",
        "total": "43,858.15",
        "filing_date": "15 December 2026",
        "loan_terms": "contract L2026000123, principal CNY 60,000.00 at 4.35% a year over 24 months, equal "
        "instalments, from 15 January 2026",
        "earliest_due": "15 June 2026",
        "calls": "14",
        "letters": "2",
        "court": "Xuhui District People's Court, Shanghai",
        "agency": "Shanghai Example Information Consulting Co., Ltd.",
        "agency_code": "AGY-00000042",
        "placement_ref": "PLC-20261128-000042",
        "placed_on": "28 November 2026",
        "last_day": "25 February 2027",
        "days": "90",
        "commission": "12.50%",
    },
}


class TemplateProblem(ValueError):
    """A template that cannot be saved or rendered. `message` is the untranslated format string, `params` its
    values; `str()` is the English text (what was wrong and what to do)."""

    def __init__(self, message: str, **params: str) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params)

    def __str__(self) -> str:
        return self.message % self.params


class MissingValue(TemplateProblem, KeyError):
    """`render` was given no value for a placeholder in the text (`name` says which)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            gettext_noop("No value was given for the placeholder {%(name)s}; the text cannot be filled in."),
            name=name,
        )


def _spec(purpose: str) -> Spec:
    try:
        return PLACEHOLDERS[purpose]
    except KeyError:
        raise TemplateProblem(
            gettext_noop("Unknown template purpose “%(purpose)s”; choose one of %(purposes)s."),
            purpose=str(purpose),
            purposes=", ".join(PLACEHOLDERS),
        ) from None


def _near(text: str, at: int) -> str:
    return text[max(0, at - 12) : at + 12].replace("\n", " ")


def _unpaired_brace(text: str) -> int:
    """Where the first brace that does not pair up is (a `{` without its `}`, a lone `}`), else -1."""
    i = 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text[i : i + 2] in ("{{", "}}"):
            i += 2
            continue
        if char == "}":
            return i
        if char == "{":
            end = text.find("}", i + 1)
            inner = text.find("{", i + 1)
            if end == -1 or (inner != -1 and inner < end):
                return i
            i = end + 1
            continue
        i += 1
    return -1


def placeholders_in(text: str, *, field: str = "text") -> list[str]:
    """The placeholder names in `text`, in order of appearance (repeats included). Raises `TemplateProblem`
    for braces that do not pair up, `{}` or a positional `{0}`, attribute or index access, a conversion or a
    format spec; unknown names are not this function's business (`check_template`)."""
    at = _unpaired_brace(text)
    if at >= 0:
        raise TemplateProblem(
            gettext_noop(
                "The braces in the %(field)s do not pair up near “%(near)s”. A placeholder is a name in braces, "
                "e.g. {due_date}; write {{ or }} for a brace that should be printed."
            ),
            field=field,
            near=_near(text, at),
        )
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:  # a case the scan above let through; still a brace problem
        raise TemplateProblem(
            gettext_noop(
                "The braces in the %(field)s do not pair up. A placeholder is a name in braces, e.g. {due_date}; "
                "write {{ or }} for a brace that should be printed."
            ),
            field=field,
        ) from None
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        written = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
        if not name.strip() or name.strip().isdigit():
            raise TemplateProblem(
                gettext_noop(
                    "The %(field)s contains %(written)s, a placeholder without a name. Write the name in the "
                    "braces, e.g. {due_date}, or {{ and }} for braces that should be printed."
                ),
                field=field,
                written=written,
            )
        if "." in name or "[" in name:
            raise TemplateProblem(
                gettext_noop(
                    "The %(field)s contains %(written)s: placeholders are plain names, without “.” or “[…]”. "
                    "Write just the name, e.g. {%(base)s}."
                ),
                field=field,
                written=written,
                base=name.split(".")[0].split("[")[0].strip() or "name",
            )
        if conversion is not None or spec:
            raise TemplateProblem(
                gettext_noop(
                    "The %(field)s contains %(written)s: placeholders take no conversion (!) or format (:); "
                    "values come formatted for the borrower's language. Write just {%(name)s}."
                ),
                field=field,
                written=written,
                name=name.strip(),
            )
        names.append(name)
    return names


def _check_names(purpose: str, spec: Spec, text: str, field: str) -> list[str]:
    names = placeholders_in(text, field=field)
    unknown = list(dict.fromkeys(name for name in names if name not in spec.allowed))
    if unknown:
        raise TemplateProblem(
            gettext_noop(
                "Unknown placeholder %(unknown)s in the %(field)s. A “%(purpose)s” template may use: %(allowed)s. "
                "Correct the name (without spaces), or write {{ and }} for braces that should be printed."
            ),
            unknown=", ".join("{" + name + "}" for name in unknown),
            field=field,
            purpose=purpose,
            allowed=", ".join("{" + name + "}" for name in spec.allowed),
        )
    return names


def check_template(purpose: str, subject: str, body: str, *, values: Mapping[str, str] | None = None) -> None:
    """Raise `TemplateProblem` unless `subject` and `body` make a valid template for `purpose` (see the module
    docstring). `values` (default `sample_values(purpose)`) are what the SMS length check renders with; pass
    the bank's own details to check against them."""
    spec = _spec(purpose)
    subject = subject or ""
    if not (body or "").strip():
        raise TemplateProblem(gettext_noop("The text is empty; write what the borrower or collector should read."))
    if spec.subject == "none" and subject.strip():
        raise TemplateProblem(
            gettext_noop(
                "A “%(purpose)s” template has no subject; leave the subject empty and put everything in the text."
            ),
            purpose=purpose,
        )
    if spec.subject == "required":
        if not subject.strip():
            raise TemplateProblem(
                gettext_noop("An email needs a subject; write one (e.g. the bank's name and what the email is about)."),
            )
        if "\n" in subject or "\r" in subject:
            raise TemplateProblem(gettext_noop("The subject must be a single line; remove the line breaks."))
        if len(subject) > SUBJECT_MAX_CHARS:
            raise TemplateProblem(
                gettext_noop("The subject is %(n)s characters long; keep it to %(max)s."),
                n=str(len(subject)),
                max=str(SUBJECT_MAX_CHARS),
            )
        _check_names(purpose, spec, subject, "subject")
    names = _check_names(purpose, spec, body, "text")
    missing = [name for name in spec.required if name not in names]
    if missing:
        raise TemplateProblem(
            gettext_noop(
                "The text must contain %(missing)s: a “%(purpose)s” template always states %(required)s. Add the "
                "missing placeholder(s) to the text."
            ),
            missing=", ".join("{" + name + "}" for name in missing),
            purpose=purpose,
            required=", ".join("{" + name + "}" for name in spec.required),
        )
    if spec.split:
        split_notice(body)
    if spec.max_chars is not None:
        rendered = render(body, values if values is not None else sample_values(purpose))
        if len(rendered) > spec.max_chars:
            raise TemplateProblem(
                gettext_noop(
                    "Filled in with sample values the text is %(n)s characters long; an SMS may have at most "
                    "%(max)s. Shorten it."
                ),
                n=str(len(rendered)),
                max=str(spec.max_chars),
            )


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by its value (`{{`/`}}` become braces). Raises `MissingValue` (a
    `TemplateProblem` and a `KeyError`) when a placeholder has no value, `TemplateProblem` when the text is not
    a valid template at all. Values are inserted as given (`str()` of each)."""
    names = set(placeholders_in(text))
    for name in names:
        if name not in values:
            raise MissingValue(name)
    out = []
    for literal, name, _spec_text, _conversion in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(str(values[name]))
    return "".join(out)


def split_notice(body: str) -> tuple[str, str]:
    """The notice wording's two parts: the text above the line `---` (printed before the figures tables) and
    below it (printed after them), each without surrounding blank lines. Raises `TemplateProblem` unless
    exactly one line consists only of `---`."""
    lines = (body or "").replace("\r\n", "\n").split("\n")
    at = [i for i, line in enumerate(lines) if line.strip() == NOTICE_SPLIT]
    if len(at) != 1:
        raise TemplateProblem(
            gettext_noop(
                "The notice wording needs exactly one line consisting only of --- (found %(n)s): the text above "
                "it is printed before the tables of overdue amounts and penalty interest, the text below it "
                "after them."
            ),
            n=str(len(at)),
        )
    return "\n".join(lines[: at[0]]).strip(), "\n".join(lines[at[0] + 1 :]).strip()


def paragraphs(text: str) -> list[str]:
    """`text` cut at blank lines into paragraphs (notice wording) or steps (a call script); line breaks inside
    a paragraph are kept."""
    blocks, current = [], []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def sample_values(purpose: str, language: str = "zh-hans") -> dict[str, str]:
    """Realistic values for every placeholder `purpose` allows, formatted for `language` ("zh-hans" or "en";
    anything else gets the Chinese ones): for previews and the SMS length check."""
    spec = _spec(purpose)
    pool = {**_SAMPLE.get(language, _SAMPLE["zh-hans"]), **_SAMPLE_BANK}
    return {name: pool[name] for name in spec.allowed}
