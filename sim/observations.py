"""Observed series from a pilot or a comparable launch: a CSV file, read as data and checked.

One row per period, dated by the period's last day (``YYYY-MM-DD``, increasing); the series
columns are keys of :data:`sim.measures.SERIES`, in its units:

========================  ========  ==================================================
column                    unit      what a row holds
========================  ========  ==================================================
``date``                  date      the last day of the period the row covers
``new_customers``         persons   persons who became customers during the period
``active``                persons   active users on the row's date (a stock, not a sum)
``orders``                count     orders booked as sales during the period
``gmv``                   yuan      GMV during the period, in yuan (元), not 万元 or cents
``source``                text      where the row's figures come from (not fitted)
========================  ========  ==================================================

A cell left empty is a period not observed. Lines starting with ``#`` are comments. Rows may
be daily, weekly or any spacing: the first period starts on the launch day. Every problem is
one line naming the file, the row and what is allowed.

    >>> obs = parse("date,new_customers\\n2024-03-07,12\\n2024-03-14,15\\n2024-03-21,19\\n"
    ...             "2024-03-28,30\\n", "pilot.csv")
    >>> obs.launch_default().isoformat(), obs.days(obs.launch_default()).tolist()
    ('2024-03-01', [7, 14, 21, 28])
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sim.errors import ScenarioError
from sim.measures import COUNT, PERSONS, SERIES, YUAN

# Observable series: SERIES keys, whether a row holds the period's sum (a flow) or the value
# on its date (a stock), and whether values are whole numbers.
FLOW, STOCK = "flow", "stock"
COLUMNS = {"new_customers": FLOW, "active": STOCK, "orders": FLOW, "gmv": FLOW}
WHOLE = {k for k in COLUMNS if SERIES[k].unit in (PERSONS, COUNT)}
assert {SERIES[k].unit for k in COLUMNS} <= {PERSONS, COUNT, YUAN}
# A row of a flow holds the period's sum: its name is the vocabulary's, per period, not per day.
PER_PERIOD = {"en": ("per day", "per period"), "zh": ("每日", "每期")}
assert all(SERIES[k].name(lang).count(day) == 1 for k in COLUMNS if COLUMNS[k] == FLOW
           for lang, (day, _) in PER_PERIOD.items())
NOTE = "source"
ALLOWED = ("date", *COLUMNS, NOTE)
MIN_ROWS = 4          # fewer dated rows cannot pin down a growth curve and its uncertainty
MAX_BYTES = 5_000_000  # a daily series of ten years is ~200 kB
MAX_DAYS = 3_650      # the engine's longest horizon (market.days)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def label(column: str, lang: str = "en") -> str:
    """A column's name from :data:`sim.measures.SERIES`, per period for a flow."""
    name = SERIES[column].name(lang)
    return name.replace(*PER_PERIOD[lang]) if COLUMNS[column] == FLOW else name


class DataError(ScenarioError):
    """A data file that cannot be used: ``FILE: WHERE: MESSAGE``, in English and Chinese."""


@dataclass(frozen=True)
class Observations:
    """A parsed series file: the dates, each column's values (NaN: not observed) and each
    row's cited source."""
    source: str
    dates: tuple[date, ...]
    values: dict[str, np.ndarray]
    notes: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return list(self.values)

    def launch_default(self) -> date:
        """The day the first period starts when the launch is not given: one typical spacing
        (the median gap between rows) before the first date, plus a day."""
        gaps = np.diff([d.toordinal() for d in self.dates])
        return self.dates[0] - timedelta(days=int(np.median(gaps)) - 1)

    def days(self, launch: date) -> np.ndarray:
        """The engine day each row's period ends on (the launch day is day 1; day 0 is the
        founders')."""
        return np.array([(d - launch).days + 1 for d in self.dates], np.int64)

    def check(self, launch: date, population: float | None) -> None:
        """Refuse a launch after the first row, a horizon the engine cannot run, and counts
        larger than the market they come from."""
        first, last = self.days(launch)[[0, -1]]
        if first < 1:
            raise DataError(self.source, "date", f"the first row ({self.dates[0]}) is before the launch "
                            f"day {launch}; give a launch on or before it",
                            zh=f"第一行({self.dates[0]})早于上线日 {launch};上线日须不晚于第一行")
        if last > MAX_DAYS:
            raise DataError(self.source, "date", f"the last row is {last:,} days after the launch "
                            f"{launch}; at most {MAX_DAYS:,} days can be simulated",
                            zh=f"最后一行在上线日 {launch} 之后 {last:,} 天;最多可仿真 {MAX_DAYS:,} 天")
        if population is None:
            return
        for column, largest in (("active", np.nanmax), ("new_customers", np.nansum)):
            total = largest(self.values[column]) if column in self.values else 0
            if total > population:
                raise DataError(self.source, column, f"{total:,.0f} persons, more than the {population:,.0f} "
                                "persons of the market the data come from; give the market's size "
                                "(--population) or fit it", zh=f"{total:,.0f} 人,超过数据所属市场的 "
                                f"{population:,.0f} 人;请给出市场规模(--population)或拟合它")


def read(path: str | Path) -> Observations:
    """Read and check a series file (see the module docstring for its columns)."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() != ".csv":
        raise DataError(name, "", f"not a CSV file; expected a .csv file with columns {', '.join(ALLOWED)}",
                        zh=f"不是 CSV 文件;需要包含以下列的 .csv 文件:{', '.join(ALLOWED)}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(name, "", "no such data file", zh="数据文件不存在") from None
    except (IsADirectoryError, PermissionError) as err:
        why = err.__class__.__name__
        raise DataError(name, "", f"cannot read data file ({why})", zh=f"无法读取数据文件({why})") from None
    return parse(raw, name)


def parse(content: bytes | str, source: str) -> Observations:
    """Parse CSV text (bytes as uploaded, or text) named ``source`` in messages."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise DataError(source, "", f"{len(content):,} bytes; at most {MAX_BYTES:,}",
                            zh=f"{len(content):,} 字节;最多 {MAX_BYTES:,}")
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(source, "", "not a CSV file: not UTF-8 text (a spreadsheet? save it as "
                            "CSV UTF-8)", zh="不是 CSV 文件:不是 UTF-8 文本(若是电子表格,请另存为 CSV UTF-8)") from None
    if "\x00" in content:
        raise DataError(source, "", "not a CSV file: it contains binary data",
                        zh="不是 CSV 文件:含有二进制数据")
    # Comment lines become blank (csv skips them) so that line numbers stay the file's own.
    lines = ["" if line.lstrip().startswith("#") else line for line in content.splitlines()]
    reader = csv.reader(lines)
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise DataError(source, f"line {reader.line_num}", f"not a CSV file: {err}",
                        zh=f"不是 CSV 文件:{err}") from None
    if not rows:
        raise DataError(source, "", f"no header row; expected columns {', '.join(ALLOWED)}",
                        zh=f"没有表头行;需要以下列:{', '.join(ALLOWED)}")
    header = [cell.strip() for cell in rows[0][1]]
    _check_header(header, source)
    body = rows[1:]
    if len(body) < MIN_ROWS:
        raise DataError(source, "", f"{len(body)} data row(s); at least {MIN_ROWS} are needed",
                        zh=f"只有 {len(body)} 行数据;至少需要 {MIN_ROWS} 行")
    series = [c for c in COLUMNS if c in header]
    dates: list[date] = []
    values = {c: np.full(len(body), np.nan) for c in series}
    notes = []
    for i, (line, row) in enumerate(body):
        where = f"line {line}"
        if len(row) != len(header):
            raise DataError(source, where, f"{len(row)} fields; the header has {len(header)}",
                            zh=f"有 {len(row)} 个字段;表头有 {len(header)} 个")
        cells = dict(zip(header, (cell.strip() for cell in row)))
        day = _date(cells["date"], source, where)
        if dates and day <= dates[-1]:
            raise DataError(source, f"{where}: date", f"{day} is not after the previous row's {dates[-1]}; "
                            "dates must increase", zh=f"{day} 不晚于上一行的 {dates[-1]};日期必须递增")
        dates.append(day)
        for c in series:
            values[c][i] = _number(cells[c], c, source, where)
        notes.append(cells.get(NOTE, ""))
    for c in series:
        if np.isnan(values[c]).all():
            raise DataError(source, c, "the column has no values", zh="该列没有任何数值")
    return Observations(source, tuple(dates), values, tuple(notes))


def _check_header(header: list[str], source: str) -> None:
    listed = ", ".join(ALLOWED)
    for c in header:
        if c not in ALLOWED:
            raise DataError(source, c or "header", f"unknown column; allowed: {listed}",
                            zh=f"未知的列;允许:{listed}")
        if header.count(c) > 1:
            raise DataError(source, c, "the column appears twice", zh="该列出现了两次")
    if "date" not in header:
        raise DataError(source, "date", f"missing column; the columns are {listed}",
                        zh=f"缺少该列;可用的列为 {listed}")
    if not any(c in header for c in COLUMNS):
        series = ", ".join(COLUMNS)
        raise DataError(source, "", f"no series column; give at least one of {series}",
                        zh=f"没有序列列;至少需要以下之一:{series}")


def _date(text: str, source: str, where: str) -> date:
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise DataError(source, f"{where}: date", f"must be a date written YYYY-MM-DD, got {text!r}",
                    zh=f"必须是 YYYY-MM-DD 格式的日期,实际为 {text!r}")


def _number(text: str, column: str, source: str, where: str) -> float:
    if text == "":
        return math.nan  # not observed in this period
    whole = column in WHOLE
    unit = SERIES[column].unit
    allowed = f"a whole number of {unit} >= 0" if whole else f"an amount in {unit} >= 0"
    allowed_zh = "≥ 0 的整数" if whole else "≥ 0 的金额(元)"
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (whole and not value.is_integer()):
        raise DataError(source, f"{where}: {column}", f"must be {allowed}, got {text!r}",
                        zh=f"必须是{allowed_zh},实际为 {text!r}")
    return value
