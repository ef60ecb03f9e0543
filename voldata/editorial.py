"""The editors' own text: a folder of Markdown and CSV files, read and checked before a build runs.

``voldata editorial --year Y --out DIR`` writes the template (:func:`write_template`):
one Markdown file per chapter that offers slots, named by the chapter's key
(``01_general_report.md``, ``03_practice_and_cases.md``, ``04_district_development.md``,
``05_appendix.md``), whose ``## `` headings are the slots, each with a one-line
instruction in an HTML comment; and two tables with their header rows,
``大事记.csv`` (日期,事件) and ``政策文件.csv`` (名称,发文机关,文号,日期).

:func:`read_editorial` reads a filled folder into an :class:`Editorial`. Nothing is
dropped silently: a heading that names no slot, text before the first slot, a
slot given twice, a file the edition would not read, a malformed CSV row or a
personal number (ID or phone, :mod:`voldata.personal`) stops with an
:class:`EditorialError` naming the file and line or row. Comments
(``<!-- … -->``) are the template's instructions and are left out. An empty slot
is not an error: it is left out of the edition and listed (:attr:`Editorial.empty`).

The English edition takes the editors' text from the folder's ``en/`` subfolder
(:data:`ENGLISH_FOLDER`): the same file names, the same ``## `` slot headings (the slot
names stay as the Chinese template writes them) and the same CSV headers, read and checked
the same way (:attr:`Editorial.english`). The template writes it too, with instructions in
English. A slot filled in Chinese but not in English is left out of the English page with
a note; :attr:`Editorial.empty_en` lists the empty English slots.

The text is data from people: the chapters show it with the edition's safe
renderer (no raw HTML, no links) and publish the tables as escaped text.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from voldata import reference
from voldata.personal import LABELS, find_personal_numbers

__all__ = [
    "CASE_PREFIX",
    "ENGLISH_FOLDER",
    "TABLES",
    "Editorial",
    "EditorialError",
    "chapter_slots",
    "read_editorial",
    "write_template",
]

CASE_PREFIX = "案例："
#: The subfolder of the editorial folder holding the English edition's text.
ENGLISH_FOLDER = "en"
# Chapter key -> its title and its fixed slots with their one-line instruction (chapter 03's slots are free cases).
_FIXED_SLOTS: dict[str, tuple[str, dict[str, str]]] = {
    "01_general_report": (
        "总报告",
        {
            "前言": "编者的前言，放在摘要之后：本年度工作的背景与报告的编写说明。",
            "问题与挑战": "本年度社区志愿服务面临的主要问题与挑战（可用列表）。",
            "发展展望": "下一年度的发展展望与建议。",
        },
    ),
    "03_practice_and_cases": ("实务经验篇", {}),
    "04_district_development": ("区域发展篇", {}),
    "05_appendix": (
        "附录",
        {
            "编委会": "编委会名单（只写姓名和职务，不写电话等联系方式）。",
            "参考文献": "参考文献，一条一行（可用编号列表）；不支持链接，网址以文字写出。",
        },
    ),
}
_CASE_INSTRUCTION = (
    "每个案例一个“## 案例：案例名称”标题，可写任意多个（复制本节即可增加）；案例放在数据分析的案例之后。"
)
_DISTRICT_INSTRUCTION = "{name}的编者文字：本区年度工作的特色与经验，放在本区概况的最后。"
# The template of the English edition's text (``en/``): the same slots, instructions in English.
_TITLES_EN = {
    "01_general_report": "General report",
    "03_practice_and_cases": "Practice and cases",
    "04_district_development": "District development",
    "05_appendix": "Appendix",
}
_INSTRUCTIONS_EN = {
    "前言": "The editors' preface, shown after the summary: the year's background and how the report was written.",
    "问题与挑战": "The main problems and challenges of community volunteering this year (a list is fine).",
    "发展展望": "The outlook and recommendations for next year.",
    "编委会": "The editorial board (names and positions only, no telephone numbers or other contacts).",
    "参考文献": "References, one per line (a numbered list is fine); links are not supported, write addresses as text.",
}
_CASE_INSTRUCTION_EN = (
    "One heading '## 案例：<case title>' per case study, as many as you like (copy this section to add one); "
    "the title after '案例：' may be English. Cases follow the data analysis's cases."
)
_DISTRICT_INSTRUCTION_EN = "The editors' text for {name}: the district's work and experience of the year, shown last."
_FILE_NOTE_EN = (
    "English text of the English edition. Each '## ' heading is a slot: keep the heading exactly as it is (the slot "
    "names are the Chinese ones) and write the text below it (Markdown: paragraphs, lists, bold, ### sub-headings). "
    "HTML and links are not supported and are shown as written. A slot left empty is left out of the English "
    "edition with a note. Write no ID or telephone numbers. Comments like this line do not appear in the report. "
    "The CSV files keep their Chinese header rows; write the rows in English."
)
# CSV tables: file name -> (table key, header, date columns, optional columns).
TABLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "大事记.csv": ("chronicle", ("日期", "事件"), ("日期",), ()),
    "政策文件.csv": ("policies", ("名称", "发文机关", "文号", "日期"), ("日期",), ("文号",)),
}
_FILE_NOTE = (
    "每个“## ”标题是一个栏目：标题不能改动，正文写在标题下面（Markdown：段落、列表、加粗、### 小标题）。"
    "不支持 HTML 和链接，它们按原文显示。留空的栏目不出现在报告中。请勿写入身份证号码、电话号码。"
    "形如本行的注释不会出现在报告中。"
)

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_UNSPACED_HEADING = re.compile(r"^ {0,3}#{1,2}[^#\s]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_DATE_FORMATS = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), True),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), True),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), False),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), False),
)


class EditorialError(ValueError):
    """The editorial folder cannot be used as it is; the message names the file and line or row."""


def _district_slots() -> tuple[str, ...]:
    return tuple(reference.district_names().values())


def chapter_slots(key: str) -> tuple[str, ...]:
    """The fixed slots chapter ``key`` offers, in order (``()`` for chapter 03, whose cases are free)."""
    if key == "04_district_development":
        return _district_slots()
    return tuple(_FIXED_SLOTS[key][1]) if key in _FIXED_SLOTS else ()


@dataclass(frozen=True)
class Editorial:
    """The editors' text of one edition, checked.

    ``slots`` maps each filled slot to its Markdown; ``cases`` lists the filled
    case studies as (title, Markdown) in the editors' order; ``tables`` holds the
    filled CSV tables by key (``chronicle``, ``policies``); ``empty`` names the
    slots and tables left empty. ``folder`` is None when no folder was given.
    ``english`` holds the English edition's text (the ``en/`` subfolder; None
    when there is none).
    """

    folder: Path | None = None
    slots: dict[str, str] = field(default_factory=dict)
    cases: tuple[tuple[str, str], ...] = ()
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    empty: tuple[str, ...] = ()
    english: Editorial | None = None

    @property
    def supplied(self) -> bool:
        return self.folder is not None

    def text(self, slot: str) -> str | None:
        """The Markdown of ``slot``, or None when it is empty or not supplied."""
        return self.slots.get(slot)

    @property
    def filled(self) -> list[str]:
        """The filled slots, cases (案例：title) and tables, by name."""
        names = {key: name.removesuffix(".csv") for name, (key, *_rest) in TABLES.items()}
        return [*self.slots, *(CASE_PREFIX + title for title, _ in self.cases), *(names[k] for k in self.tables)]

    @property
    def empty_en(self) -> tuple[str, ...]:
        """The slots and tables the English edition has no text for (all of them without an ``en/`` folder)."""
        if not self.supplied:
            return ()
        if self.english is None:
            return (*_all_slots(), *(name.removesuffix(".csv") for name in TABLES))
        return self.english.empty

    def in_language(self, language: str) -> Editorial:
        """The text an edition in ``language`` {"zh", "en"} shows: this one, or the English one (empty if none)."""
        if language == "zh":
            return self
        return self.english or Editorial(folder=self.folder, empty=self.empty_en)

    def summary(self) -> dict:
        """What the manifest records: the folder, the filled and the empty slots, in Chinese and in English."""
        return {
            "folder": None if self.folder is None else str(self.folder),
            "supplied": self.supplied,
            "filled": self.filled,
            "empty": list(self.empty),
            "filled_en": [] if self.english is None else self.english.filled,
            "empty_en": list(self.empty_en),
        }


def _all_slots() -> list[str]:
    """Every slot in order, as :attr:`Editorial.empty` names them (chapter 03's cases as 案例)."""
    slots = []
    for key in _FIXED_SLOTS:
        slots += chapter_slots(key)
        if key == "03_practice_and_cases":
            slots.append(CASE_PREFIX.rstrip("："))
    return slots


def _instruction(text: str) -> str:
    return f"<!-- {text} -->"


def _template(key: str, year: int, *, english: bool = False) -> str:
    if english:
        title = f"{_TITLES_EN[key]}: the editors' text ({year})"
        note, case, district = _FILE_NOTE_EN, _CASE_INSTRUCTION_EN, _DISTRICT_INSTRUCTION_EN
    else:
        title = f"{_FIXED_SLOTS[key][0]}：编者文字（{year}年）"
        note, case, district = _FILE_NOTE, _CASE_INSTRUCTION, _DISTRICT_INSTRUCTION
    lines = [f"# {title}", "", _instruction(note), ""]
    if key == "03_practice_and_cases":
        lines += [f"## {CASE_PREFIX}", _instruction(case), ""]
    elif key == "04_district_development":
        names_en = reference.district_names_en()
        for code, name in reference.district_names().items():
            lines += [f"## {name}", _instruction(district.format(name=names_en[code] if english else name)), ""]
    else:
        for slot, instruction in _FIXED_SLOTS[key][1].items():
            lines += [f"## {slot}", _instruction(_INSTRUCTIONS_EN[slot] if english else instruction), ""]
    return "\n".join(lines)


def write_template(folder: str | Path, *, year: int) -> list[Path]:
    """Write the editorial template for ``year`` into ``folder`` (and its ``en/`` subfolder, for the English
    edition); existing files are never overwritten.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    EditorialError
        ``folder`` exists and is not a folder, or already holds a file of the template.
    """
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise EditorialError(f"{folder} exists and is not a folder")
    tables = {name: ",".join(header) + "\n" for name, (_, header, _, _) in TABLES.items()}
    contents = {f"{key}.md": _template(key, year) for key in _FIXED_SLOTS} | tables
    contents |= {f"{ENGLISH_FOLDER}/{key}.md": _template(key, year, english=True) for key in _FIXED_SLOTS}
    contents |= {f"{ENGLISH_FOLDER}/{name}": text for name, text in tables.items()}
    present = sorted(name for name in contents if (folder / name).exists())
    if present:
        raise EditorialError(f"{folder} already holds {', '.join(present)}; nothing was written (no file is replaced)")
    (folder / ENGLISH_FOLDER).mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in contents.items():
        target = folder / name
        # Excel opens a UTF-8 CSV correctly only with the byte-order mark.
        target.write_text(text, encoding="utf-8-sig" if name.endswith(".csv") else "utf-8")
        written.append(target)
    return written


def _decode(path: Path, name: str) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise EditorialError(f"{name}: not readable as UTF-8 or GB18030 text")


def _refuse_personal(text: str, where: str) -> None:
    found = find_personal_numbers(text)
    if any(found.values()):
        kinds = ", ".join(LABELS[kind] for kind, n in found.items() if n)
        raise EditorialError(
            f"{where}: holds a personal number ({kinds}); remove it, the edition publishes no personal numbers"
        )


def _without_comments(text: str) -> str:
    """Comments blanked, line breaks kept (so line numbers stay right)."""
    return _COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def _slot_name(raw: str) -> str:
    """A heading's slot: a case keeps its title as written (full-width colon or not); other names are normalised."""
    raw = raw.strip()
    if raw.startswith(("案例：", "案例:")):
        return CASE_PREFIX + raw[3:].strip()
    return reference.normalise_text(raw)


def _parse_markdown(path: Path, key: str, file: str) -> list[tuple[str, int, str]]:
    """(slot, heading line, Markdown body) for every slot heading of one chapter file named ``file`` in messages."""
    lines = _without_comments(_decode(path, file)).splitlines()
    fixed = chapter_slots(key)
    valid = [*fixed, f"{CASE_PREFIX}<案例名称>"] if key == "03_practice_and_cases" else list(fixed)
    sections: list[tuple[str, int, list[str]]] = []
    fence = None
    for number, line in enumerate(lines, start=1):
        marker = _FENCE.match(line)
        if marker and (fence is None or marker.group(1)[0] == fence):
            fence = None if fence else marker.group(1)[0]
        heading = None if fence or marker else _HEADING.match(line)
        if not (fence or marker) and _UNSPACED_HEADING.match(line):
            raise EditorialError(f"{file}, line {number}: write a space after the '#' of a heading ({line.strip()!r})")
        if heading and len(heading.group(1)) <= 2:
            level, name = len(heading.group(1)), _slot_name(heading.group(2) or "")
            if level == 1:
                if sections:
                    raise EditorialError(
                        f"{file}, line {number}: a '# ' heading inside a slot; use '### ' for sub-headings"
                    )
                continue
            is_case = key == "03_practice_and_cases" and name.startswith(CASE_PREFIX)
            if not is_case and name not in fixed:
                raise EditorialError(
                    f"{file}, line {number}: heading '## {name}' names no slot of "
                    f"{_FIXED_SLOTS[key][0]}; the slots are: {'、'.join(valid)}"
                )
            sections.append((name, number, []))
            continue
        if sections:
            sections[-1][2].append(line)
        elif line.strip():
            raise EditorialError(
                f"{file}, line {number}: text before the first '## ' slot heading would not appear anywhere; "
                "move it under a slot"
            )
    parsed = []
    seen: set[str] = set()
    for name, number, body in sections:
        text = "\n".join(body).strip()
        if name == CASE_PREFIX:
            if text:
                raise EditorialError(f"{file}, line {number}: the case has no title ('## {CASE_PREFIX}案例名称')")
            continue
        if name in seen:
            raise EditorialError(f"{file}, line {number}: slot '## {name}' is given twice")
        seen.add(name)
        for offset, line in enumerate(body, start=1):
            _refuse_personal(line, f"{file}, line {number + offset}")
        parsed.append((name, number, text))
    return parsed


def _parse_date(text: str) -> str | None:
    """``2020-03-05``, ``2020/3/5``, ``2020年3月5日`` -> ``2020-03-05``; month precision -> ``2020-03``."""
    for pattern, has_day in _DATE_FORMATS:
        match = pattern.match(text)
        if not match:
            continue
        year, month = int(match.group(1)), int(match.group(2))
        try:
            if has_day:
                return dt.date(year, month, int(match.group(3))).isoformat()
            return dt.date(year, month, 1).isoformat()[:7]
        except ValueError:
            return None
    return None


def _parse_table(path: Path, name: str) -> pd.DataFrame:
    _, header, date_columns, optional = TABLES[path.name]
    rows = list(csv.reader(io.StringIO(_decode(path, name), newline="")))
    if not rows or [cell.strip() for cell in rows[0]] != list(header):
        found = ",".join(rows[0]) if rows else "nothing"
        raise EditorialError(f"{name}, row 1: the header must be {','.join(header)}, not {found}")
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name}, row {number} (counting the header as row 1)"
        if len(row) != len(header):
            raise EditorialError(f"{where}: {len(row)} fields, expected {len(header)} ({','.join(header)})")
        record = {}
        for column, cell in zip(header, row, strict=True):
            value = cell.strip()
            _refuse_personal(value, f"{where}, column {column}")
            if not value and column not in optional:
                raise EditorialError(f"{where}, column {column}: empty")
            if column in date_columns:
                parsed = _parse_date(reference.normalise_text(value))
                if parsed is None:
                    raise EditorialError(
                        f"{where}, column {column}: {value!r} is not a date "
                        "(2020-03-05, 2020/3/5, 2020年3月5日, or a month: 2020-03, 2020年3月)"
                    )
                value = parsed
            record[column] = value
        records.append(record)
    frame = pd.DataFrame(records, columns=list(header), dtype=object)
    # A chronicle reads in date order; rows of one date keep the editors' order.
    return frame.sort_values("日期", kind="stable").reset_index(drop=True)


def read_editorial(folder: str | Path | None) -> Editorial:
    """Read and check an editorial folder; ``None`` or ``""``: no editors' text (an empty :class:`Editorial`).

    Raises
    ------
    EditorialError
        The folder does not exist, or a file in it is wrong (the message names file and line or row).
    """
    if folder is None or str(folder) == "":
        return Editorial()
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise EditorialError(f"editorial folder {folder} does not exist (write one with `voldata editorial`)")
    chinese = _read_folder(folder, "")
    english = folder / ENGLISH_FOLDER
    if english.is_dir():
        return dataclasses.replace(chinese, english=_read_folder(english, f"{ENGLISH_FOLDER}/"))
    return chinese


def _read_folder(folder: Path, prefix: str) -> Editorial:
    """One language's files of an editorial folder; ``prefix`` ("" or "en/") names them in messages."""
    expected = [f"{key}.md" for key in _FIXED_SLOTS] + list(TABLES)
    unknown = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in (".md", ".csv") and p.name not in expected)
    if unknown:
        raise EditorialError(
            f"{folder}: {', '.join(unknown)} would not be read; the edition reads {', '.join(expected)}"
        )
    slots: dict[str, str] = {}
    cases: list[tuple[str, str]] = []
    empty: list[str] = []
    for key in _FIXED_SLOTS:
        path = folder / f"{key}.md"
        parsed = _parse_markdown(path, key, prefix + path.name) if path.is_file() else []
        given = {name: text for name, _, text in parsed}
        for slot in chapter_slots(key):
            if given.get(slot):
                slots[slot] = given[slot]
            else:
                empty.append(slot)
        if key == "03_practice_and_cases":
            cases = [(name.removeprefix(CASE_PREFIX), text) for name, _, text in parsed if text]
            if not cases:
                empty.append(CASE_PREFIX.rstrip("："))
    tables: dict[str, pd.DataFrame] = {}
    for name, (table_key, *_rest) in TABLES.items():
        path = folder / name
        frame = _parse_table(path, prefix + name) if path.is_file() else None
        if frame is None or frame.empty:
            empty.append(name.removesuffix(".csv"))
        else:
            tables[table_key] = frame
    return Editorial(folder=folder.resolve(), slots=slots, cases=tuple(cases), tables=tables, empty=tuple(empty))
