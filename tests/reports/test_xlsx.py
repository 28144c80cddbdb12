"""The reports' tables as XLSX and CSV (`arrears.reports.xlsx`), read back from the file's own XML."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from arrears.reports.xlsx import Sheet, csv_bytes, sheet_names, workbook

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ATTACK = "=cmd|' /C calc'!A0"
HEADERS = ["级别", "期初逾期金额", "已回收", "回收率", "贷款笔数", "月末"]


def recovery_sheet(name: str = "回收率 2026-03") -> Sheet:
    return Sheet(
        name,
        HEADERS,
        [
            ["轻度", 1_234_567, Decimal("9876.545"), Decimal("0.8123"), 12, date(2026, 3, 31)],
            [ATTACK, None, 5, Decimal("0.5"), 3, None],
        ],
        money_columns={1, 2},
        rate_columns={3},
    )


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - the workbook's own XML, made in the test


class Book:
    """An XLSX read with the standard library: each cell's type, value, number format and formula."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        shared = parse(self.zip.read("xl/sharedStrings.xml"))
        self.strings = ["".join(t.text or "" for t in si.iter(f"{NS}t")) for si in shared.iter(f"{NS}si")]
        styles = parse(self.zip.read("xl/styles.xml"))
        codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.iter(f"{NS}numFmt")}
        xfs = styles.find(f"{NS}cellXfs")
        self.formats = [codes.get(xf.get("numFmtId"), "General") for xf in xfs.findall(f"{NS}xf")]
        book = parse(self.zip.read("xl/workbook.xml"))
        self.sheets = [s.get("name") for s in book.iter(f"{NS}sheet")]

    def cells(self, sheet: int = 1) -> dict[str, tuple]:
        """'B2' → (kind, value, number format, formula or None)."""
        out = {}
        for c in parse(self.zip.read(f"xl/worksheets/sheet{sheet}.xml")).iter(f"{NS}c"):
            v, f = c.find(f"{NS}v"), c.find(f"{NS}f")
            fmt = self.formats[int(c.get("s", "0"))]
            if c.get("t") == "s":
                out[c.get("r")] = ("text", self.strings[int(v.text)], fmt, None)
            else:
                out[c.get("r")] = ("number", None if v is None else v.text, fmt, None if f is None else f.text)
        return out


def test_amounts_rates_counts_and_dates_are_numbers_with_their_formats():
    cells = Book(workbook([recovery_sheet()])).cells()
    assert cells["A1"] == ("text", "级别", "General", None)
    assert cells["A2"] == ("text", "轻度", "General", None)
    assert cells["B2"] == ("number", "12345.67", "#,##0.00", None)  # 1,234,567 fen
    kind, value, fmt, _f = cells["C2"]  # Decimal yuan, half-up to the fen: 9,876.55
    assert (kind, fmt) == ("number", "#,##0.00")
    assert Decimal(value).quantize(Decimal("0.01")) == Decimal("9876.55")
    assert cells["C3"] == ("number", "0.05", "#,##0.00", None)  # 5 fen
    assert cells["D2"] == ("number", "0.8123", "0.00%", None)
    assert cells["E2"] == ("number", "12", "General", None)
    assert cells["F2"] == ("number", "46112", "yyyy-mm-dd", None)  # 2026-03-31 counted from 1899-12-30
    assert "B3" not in cells  # None: an empty cell
    assert "F3" not in cells


def test_a_formula_in_someones_words_stays_text():
    data = workbook([recovery_sheet()])
    cells = Book(data).cells()
    assert cells["A3"] == ("text", ATTACK, "General", None)
    assert b"<f>" not in Book(data).zip.read("xl/worksheets/sheet1.xml")
    for text in ("+SUM(A1:A2)", "-2+3", "@SUM(1)", "http://example.com/x"):
        (cell,) = [c for r, c in Book(workbook([Sheet("s", ["h"], [[text]])])).cells().items() if r == "A2"]
        assert cell == ("text", text, "General", None)


def test_instants_in_local_time_and_yes_no_in_words():
    sheet = Sheet("s", ["时间", "已核实"], [[datetime(2026, 3, 31, 16, 30, tzinfo=UTC), True]])
    with translation.override("zh-hans"):
        cells = Book(workbook([sheet])).cells()
    kind, value, fmt, _f = cells["A2"]
    assert (kind, fmt) == ("number", "yyyy-mm-dd hh:mm")
    assert round(Decimal(value) * 1440) == 46113 * 1440 + 30  # 2026-04-01 00:30 in Shanghai, in minutes
    assert cells["B2"] == ("text", "是", "General", None)


def test_a_number_too_large_for_a_double_is_kept_as_text():
    cells = Book(workbook([Sheet("s", ["贷款号"], [[2**53 + 1]])])).cells()
    assert cells["A2"] == ("text", "9007199254740993", "General", None)


def test_sheet_names_follow_excels_rules():
    names = [
        "逾期回收率按类别按团队按催收员按机构按产品按月份统计表格汇总明细",
        "a[1]:b*c?d/e\\f",
        "'引号'",
        "History",
        "月报",
        "月报",
        "",
    ]
    assert sheet_names(names) == [
        "逾期回收率按类别按团队按催收员按机构按产品按月份统计表格汇总明",
        "a_1__b_c_d_e_f",
        "引号",
        "History_",
        "月报",
        "月报 (2)",
        "Sheet7",
    ]
    assert all(len(name) <= 31 for name in sheet_names(["x" * 40, "x" * 40]))
    assert Book(workbook([recovery_sheet("a/b"), recovery_sheet("A/B")])).sheets == ["a_b", "A_B (2)"]


def test_control_characters_leave_a_valid_file():
    book = Book(workbook([Sheet("s", ["备注"], [["a\x00b\x07c"]])]))
    kind, value, _fmt, _f = book.cells()["A2"]
    assert kind == "text"
    assert value.startswith("a")
    assert value.endswith("c")


def test_the_same_tables_give_the_same_bytes():
    at = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    first = workbook([recovery_sheet()], created=at)
    assert first == workbook([recovery_sheet()], created=at)
    book = Book(first)
    assert {info.date_time for info in book.zip.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = book.zip.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core) == ["2026-03-31T16:00:00Z"] * 2


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: workbook([Sheet("s", ["h"], [[0.5]])]), TypeError),
        (lambda: workbook([Sheet("s", ["h"], [[0.5]], money_columns={0})]), TypeError),
        (lambda: workbook([Sheet("s", ["h"], [[Decimal("NaN")]], rate_columns={0})]), TypeError),
        (lambda: workbook([Sheet("s", ["h"], [[datetime(2026, 3, 31, 8, 0)]])]), ValueError),  # noqa: DTZ001
        (lambda: workbook([recovery_sheet()], created=datetime(2026, 3, 31)), ValueError),  # noqa: DTZ001
        (lambda: workbook([]), ValueError),
        (lambda: Sheet("s", ["a", "b"], [[1]]), ValueError),
        (lambda: Sheet("s", ["a"], [[1]], money_columns={0}, rate_columns={0}), ValueError),
        (lambda: Sheet("s", ["a"], [[1]], money_columns={3}), ValueError),
        (lambda: csv_bytes(["a"], [[0.5]]), TypeError),
    ],
)
def test_what_is_not_a_table_is_refused(make, error):
    with pytest.raises(error):
        make()


def test_csv_is_the_table_as_the_pages_show_it():
    rows = [
        ["轻度", 1_234_567, Decimal("0.8123"), date(2026, 3, 31), True],
        [ATTACK, None, Decimal("0.5"), None, False],
        ["-12.50", -1250, Decimal("-0.01"), None, None],
    ]
    with translation.override("zh-hans"):
        data = csv_bytes(["级别", "金额", "回收率", "日期", "已核实"], rows, money_columns=[1], rate_columns=[2])
    assert (
        data
        == (
            "\ufeff级别,金额,回收率,日期,已核实\r\n"
            '轻度,"12,345.67",81.23%,2026-03-31,是\r\n'
            "'=cmd|' /C calc'!A0,,50.00%,,否\r\n"
            "-12.50,-12.50,-1.00%,,\r\n"
        ).encode()
    )
