"""Labels and locale formats for maps and sheets (English and Simplified Chinese).

:class:`Translator` looks labels up in :mod:`maps.messages`; the ``format_*`` functions write
dates, clock times, durations and distances the way each locale reads them. Plan times are
seconds from local midnight of the plan date; a time past midnight is shown as a next-day time
(``00:30 (+1)`` / ``次日00:30``, or the next date in a full date-time). Outputs turn plan
seconds into aware local date-times first (:mod:`maps.sheets.times`) and print those with
:meth:`Translator.clock_at` and :meth:`Translator.datetime_at`.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from datetime import date, timedelta
from typing import Any, Final

from maps.messages import LANGUAGES, MESSAGES

DAY_S = 24 * 3600

#: Environment variable giving the default language of the command line and its files.
LANG_ENV: Final = "GRIDPATROL_LANG"

#: Fields of a message that hold a shift band (``"08-16"``, ``"day"``): the translator writes
#: them the way the locale names shifts (see :func:`band_label`).
BAND_FIELDS: Final = frozenset({"band", "shift"})

_BAND = re.compile(r"^(\d{1,2})\s*[-–]\s*(\d{1,2})$")


def check_lang(lang: str) -> str:
    """Return the canonical code of ``lang`` (``en``, ``zh-CN``; case and ``_`` tolerated).

    Raises
    ------
    ValueError
        If ``lang`` is not supported, listing the supported languages.
    """
    key = str(lang).strip().replace("_", "-").lower()
    aliases = {"zh": "zh-CN", "zh-cn": "zh-CN", "zh-hans": "zh-CN", "en": "en", "en-us": "en"}
    if key in aliases:
        return aliases[key]
    raise ValueError(f"lang: unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}")


def default_lang() -> str:
    """The language asked for by ``GRIDPATROL_LANG`` (checked), else ``"en"``."""
    value = os.environ.get(LANG_ENV, "").strip()
    if not value:
        return LANGUAGES[0]
    try:
        return check_lang(value)
    except ValueError as exc:
        raise ValueError(f"{LANG_ENV}: {exc}") from None


def band_label(band: str, lang: str) -> str:
    """A shift band as a coordinator names it.

    ``"08-16"`` stays ``08-16`` in English and is ``白班（08:00–16:00）`` in Chinese
    (早班 from 04:00, 白班 from 08:00, 晚班 from 12:00, 夜班 from 20:00 and before 04:00);
    a band ending past midnight says so (``晚班（18:00–次日02:00）``). The day-level band of
    dates-only data (``"day"``) is ``全天``. Anything else is returned as it is.
    """
    code = check_lang(lang)
    text = str(band).strip()
    if code == "en":
        return text
    if text.lower() in {"day", "all", "whole day"}:
        return str(MESSAGES["band.day"][code])
    match = _BAND.match(text)
    if not match:
        return text
    start, end = int(match[1]), int(match[2])
    if not (0 <= start <= 24 and 0 <= end <= 24):
        return text
    if 4 <= start < 8:
        name = "band.early"
    elif 8 <= start < 12:
        name = "band.day_shift"
    elif 12 <= start < 20:
        name = "band.evening"
    else:
        name = "band.night"
    end_text = f"{end:02d}:00" if end > start or end == 24 else f"次日{end:02d}:00"
    return f"{MESSAGES[name][code]}（{start:02d}:00–{end_text}）"


def category_label(category: str, lang: str) -> str:
    """An incident category in ``lang``: a name the synonym table of
    :mod:`geo.hotspots.weights` knows (``"Break and Enter"``, ``盗窃电动车``,
    ``bicycle_theft``) is shown by its canonical category (``入室盗窃``); others as given."""
    from geo.hotspots.weights import DEFAULT_SYNONYMS, DEFAULT_WEIGHTS, normalise_name

    code = check_lang(lang)
    name = normalise_name(category)
    canonical = DEFAULT_SYNONYMS.get(name) or name.replace(" ", "_")
    key = f"cat.{canonical}"
    if key in MESSAGES and (canonical in DEFAULT_WEIGHTS or canonical == "unknown"):
        return str(MESSAGES[key][code])
    return str(category)


_JOB_PATTERNS: Final = (
    ("job.Routing", re.compile(r"^Routing (?P<units>\d+) units over (?P<tasks>\d+) tasks$")),
    ("job.Coverage curve", re.compile(r"^Coverage curve (?P<fleet>.+), shift (?P<shift>\S+)$")),
)


def job_message(message: str | None, lang: str) -> str:
    """A background job's stored (English) progress message in ``lang``; a message the
    catalogue does not know (an error's own text) is returned as it is."""
    text = str(message or "")
    code = check_lang(lang)
    if code == "en" or not text:
        return text
    key = f"job.{text}"
    if key in MESSAGES:
        return str(MESSAGES[key][code])
    for name, pattern in _JOB_PATTERNS:
        match = pattern.match(text)
        if match:
            fields = match.groupdict()
            if "fleet" in fields:
                fleet_key = f"fleet.{fields['fleet']}"
                if fleet_key in MESSAGES:
                    fields["fleet"] = str(MESSAGES[fleet_key][code])
            if "shift" in fields:
                fields["shift"] = band_label(fields["shift"], code)
            return str(MESSAGES[name][code]).format(**fields)
    return _note_text(text, code, 0)


def _note_field(name: str, value: str, code: str, depth: int) -> str:
    """A field of a matched note in ``code``: shift bands, fleets and modes by name, a nested
    sentence by the note patterns; anything else (numbers, ids, names) as it is."""
    if name in BAND_FIELDS | {"other", "risk"}:
        return band_label(value, code)
    if name == "shifts":
        return "、".join(band_label(b, code) for b in re.split(r",\s*|\s+and\s+", value) if b)
    if name == "blocks":  # "07-15 x3, 15-23 x4": shifts with their people
        people = str(MESSAGES["note.people"][code])
        return (
            "、".join(
                f"{band_label(m[1], code)} {people.format(n=m[2])}"
                for m in re.finditer(r"(\S+) x(\d+)", value)
            )
            or value
        )
    if name in {"fleet", "mode", "travel_mode"}:
        key = f"{name.removeprefix('travel_')}.{value}"
        return str(MESSAGES[key][code]) if key in MESSAGES else value
    named = f"note.{name}.{value}"
    if named in MESSAGES:
        return str(MESSAGES[named][code])
    if name in _note_nested() and depth < 2:
        return _note_text(value, code, depth + 1)
    return value


_VALIDATION_HEAD: Final = re.compile(r"^(?P<n>\d+) validation errors? for (?P<model>\S+)$")
_VALIDATION_MSG: Final = re.compile(
    r"^(?P<message>.*?)"
    r"(?: \[type=[^,\]]+(?:, input_value=(?P<value>.*?))?(?:, input_type=[^\]]+)?\])?$"
)


def _validation_text(text: str, code: str) -> str | None:
    """A pydantic ``ValidationError`` (a job's request no longer valid) in ``code``: one item
    per field, its message translated when the catalogue knows it; ``None`` when ``text`` is
    not one."""
    lines = text.splitlines()
    head = _VALIDATION_HEAD.match(lines[0]) if lines else None
    if head is None:
        return None
    items: list[str] = []
    field = ""
    for line in lines[1:]:
        if not line.startswith(" "):
            field = line.strip()
        elif not line.startswith("    "):
            match = _VALIDATION_MSG.match(line.strip())
            message = match["message"] if match else line.strip()
            value = (match["value"] if match else None) or "–"
            items.append(
                str(MESSAGES["note.error.validation_item"][code]).format(
                    field=field, message=_note_text(message, code, 1), value=value
                )
            )
    return str(MESSAGES["note.error.validation"][code]).format(
        n=head["n"],
        model=head["model"],
        errors="；".join(items),
    )


def _note_text(text: str, code: str, depth: int) -> str:
    from maps.catalog.notes import PATTERNS

    validation = _validation_text(text, code) if depth == 0 else None
    if validation is not None:
        return validation

    for key, pattern in PATTERNS:
        match = pattern.match(text)
        if match:
            fields = {k: _note_field(k, v, code, depth) for k, v in match.groupdict().items()}
            return str(MESSAGES[key][code]).format(**fields)
    return text


def _note_nested() -> frozenset[str]:
    from maps.catalog.notes import NESTED

    return NESTED


def note_text(note: str | None, lang: str) -> str:
    """A note of a plan or staffing run, or a job's error, in ``lang``.

    ``geo`` and ``planner`` write notes in English (they stay so in ``plan.json`` and
    ``--json`` outputs); a note the patterns of :mod:`maps.catalog.notes` know is written in
    ``lang`` with the values of the English sentence; any other text is returned as it is.

    Examples
    --------
    >>> note_text("Both stations are illustrative.", "zh-CN")
    '两处驻地均为示意位置。'
    >>> note_text("something new", "zh-CN")
    'something new'
    """
    text = str(note or "")
    code = check_lang(lang)
    if code == "en" or not text:
        return text
    return _note_text(text, code, 0)


class Translator:
    """Labels of one language.

    Parameters
    ----------
    lang
        ``"en"`` or ``"zh-CN"``.

    Examples
    --------
    >>> Translator("zh-CN")("word.unit")
    '巡组'
    """

    def __init__(self, lang: str | None = "en") -> None:
        self.lang = default_lang() if lang is None else check_lang(lang)

    def __call__(self, key: str, **fields: Any) -> str:
        """The label ``key`` with ``fields`` filled in.

        Raises
        ------
        KeyError
            If ``key`` is not in the catalogue.
        """
        try:
            text = MESSAGES[key][self.lang]
        except KeyError:
            raise KeyError(f"message key {key!r} is not in maps.messages") from None
        if not fields:
            return text
        for name in BAND_FIELDS & fields.keys():
            if isinstance(fields[name], str):
                fields[name] = band_label(fields[name], self.lang)
        return text.format(**fields)

    def get(self, key: str, default: str, **fields: Any) -> str:
        """The label ``key``, or ``default`` when the catalogue has no such key."""
        return self(key, **fields) if key in MESSAGES else default

    @property
    def is_chinese(self) -> bool:
        return self.lang == "zh-CN"

    def band(self, band: str) -> str:
        """The shift band ``band`` as the locale names it (:func:`band_label`)."""
        return band_label(band, self.lang)

    def category(self, category: str) -> str:
        """The incident category ``category`` in this language (:func:`category_label`)."""
        return category_label(category, self.lang)

    def job(self, message: str | None) -> str:
        """A job's progress message in this language (:func:`job_message`)."""
        return job_message(message, self.lang)

    def note(self, note: str | None) -> str:
        """A plan's or staffing run's note, or a job error, in this language
        (:func:`note_text`)."""
        return note_text(note, self.lang)

    def mode(self, mode: str) -> str:
        """A patrol mode (``foot``, ``bicycle``, ``car``) in this language."""
        return self.get(f"mode.{mode}", mode)

    # ---- formats -----------------------------------------------------------------------
    def date(self, day: date) -> str:
        """``2024-03-05`` / ``2024年3月5日``."""
        return format_date(day, self.lang)

    def clock(self, seconds: float) -> str:
        """Clock time of ``seconds`` from midnight; next-day times marked."""
        return format_clock(seconds, self.lang)

    def datetime(self, day: _dt.date, seconds: float) -> str:
        """Date and clock time of ``seconds`` from midnight of ``day``."""
        return format_datetime(day, seconds, self.lang)

    def clock_at(self, when: _dt.datetime, plan_date: _dt.date) -> str:
        """Clock time of the local date-time ``when``, marked when it is not on ``plan_date``."""
        return format_local_clock(when, plan_date, self.lang)

    def datetime_at(self, when: _dt.datetime) -> str:
        """Date and clock time of the local date-time ``when``."""
        return format_local_datetime(when, self.lang)

    def duration(self, seconds: float) -> str:
        """``12 min``, ``1 h 05 min`` / ``12分钟``, ``1小时5分钟``."""
        return format_duration(seconds, self.lang)

    def distance(self, metres: float) -> str:
        """``850 m``, ``6.3 km`` / ``850米``, ``6.3公里``."""
        return format_distance(metres, self.lang)

    def percent(self, share: float) -> str:
        """A share 0..1 as a percentage."""
        return self("fmt.percent", p=100.0 * share)


def _split(seconds: float) -> tuple[int, int, int]:
    """(days, hours, minutes) of ``seconds`` from midnight, rounded to the minute."""
    total_min = round(float(seconds) / 60.0)
    days, minute_of_day = divmod(total_min, 24 * 60)
    return days, minute_of_day // 60, minute_of_day % 60


def format_date(day: date, lang: str) -> str:
    """Format ``day`` for ``lang``: ``2024-03-05`` or ``2024年3月5日``."""
    if check_lang(lang) == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def format_clock(seconds: float, lang: str) -> str:
    """Format a time of day given in seconds from local midnight of the plan date.

    Times on the next day (``seconds >= 86400``) are marked: ``00:30 (+1)`` or ``次日00:30``.
    Negative times (the day before) are marked ``(-1)`` / ``前日``.
    """
    days, hour, minute = _split(seconds)
    return mark_day(f"{hour:02d}:{minute:02d}", days, lang)


def mark_day(clock: str, days: int, lang: str) -> str:
    """``clock`` marked as ``days`` after the plan date: ``00:30 (+1)`` / ``次日00:30``,
    ``00:30 (+2)`` / ``00:30（+2日）``; ``clock`` itself on the plan date."""
    code = check_lang(lang)
    if days == 0:
        return clock
    if days == 1:
        return str(MESSAGES["fmt.next_day"][code]).format(clock=clock)
    if code == "zh-CN":
        return f"{clock}（{days:+d}日）"
    return f"{clock} ({days:+d})"


def format_local_clock(when: _dt.datetime, plan_date: date, lang: str) -> str:
    """``HH:MM`` of the local date-time ``when`` (seconds dropped), marked as a next-day time
    when its date is after ``plan_date`` (see :func:`mark_day`)."""
    days = (when.date() - plan_date).days
    return mark_day(f"{when.hour:02d}:{when.minute:02d}", days, lang)


def format_local_datetime(when: _dt.datetime, lang: str) -> str:
    """Date and ``HH:MM`` of the local date-time ``when``: ``2024-03-05 16:30`` /
    ``2024年3月5日 16:30``."""
    return f"{format_date(when.date(), lang)} {when.hour:02d}:{when.minute:02d}"


def format_datetime(day: date, seconds: float, lang: str) -> str:
    """Format the instant ``seconds`` after local midnight of ``day``: ``2024-03-05 16:30`` /
    ``2024年3月5日 16:30`` (a time past midnight shows the next date)."""
    days, hour, minute = _split(seconds)
    return f"{format_date(day + timedelta(days=days), lang)} {hour:02d}:{minute:02d}"


def format_duration(seconds: float, lang: str) -> str:
    """Format a duration rounded to the minute."""
    code = check_lang(lang)
    total = round(float(seconds) / 60.0)
    if total < 60:
        return str(MESSAGES["fmt.minutes"][code]).format(n=total)
    return str(MESSAGES["fmt.hours_minutes"][code]).format(h=total // 60, m=total % 60)


def format_distance(metres: float, lang: str) -> str:
    """Format a distance: metres below 1 km, else km with one decimal."""
    code = check_lang(lang)
    if metres < 1000:
        return str(MESSAGES["fmt.m"][code]).format(m=float(metres))
    return str(MESSAGES["fmt.km"][code]).format(km=float(metres) / 1000.0)
