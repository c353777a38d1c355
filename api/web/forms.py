"""Reading the pages' form fields into the API's request bodies, collecting every mistake.

Fields arrive as text, so a bad value never makes FastAPI answer with JSON: each is parsed
here and every problem is reported as a message naming the field, shown above the form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ValidationError

from geo.errors import GeoInputError, condense_problems
from maps.i18n import Translator

#: Patrol modes a plan form asks a count for, in order.
MODES = ("car", "foot", "bicycle")
#: Shift bands offered on the forms (others may be typed).
BANDS = ("08-16", "16-24", "00-08", "22-06", "18-02")
#: Problems listed on a page at most (the count of the rest is given).
MAX_PROBLEMS = 200


class FormError(Exception):
    """Form values that cannot be used: plain messages and located file problems."""

    def __init__(
        self, messages: list[str], problems: list[dict[str, Any]] | None = None, total: int = 0
    ) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages
        self.problems = problems or []
        self.total = total or len(self.problems)


class FieldReader:
    """Parses text fields, remembering a message per bad field."""

    def __init__(self, t: Translator) -> None:
        self.t = t
        self.messages: list[str] = []

    def fail(self, label_key: str, message: str) -> None:
        self.messages.append(self.t("web.error.field", field=self.t(label_key), message=message))

    def integer(
        self, value: str, label_key: str, *, low: int, high: int, default: int | None = None
    ) -> int | None:
        text = value.strip()
        if not text:
            if default is None:
                self.fail(label_key, self.t("web.error.required"))
            return default
        try:
            number = int(text)
        except ValueError:
            self.fail(label_key, self.t("web.error.integer", value=text))
            return None
        if not low <= number <= high:
            self.fail(label_key, self.t("web.error.range", value=text, low=low, high=high))
            return None
        return number

    def number(
        self, value: str, label_key: str, *, low: float, high: float, default: float | None = None
    ) -> float | None:
        text = value.strip()
        if not text:
            return default
        try:
            number = float(text)
        except ValueError:
            self.fail(label_key, self.t("web.error.number", value=text))
            return None
        if not low <= number <= high:
            self.fail(label_key, self.t("web.error.range", value=text, low=low, high=high))
            return None
        return number

    def day(self, value: str, label_key: str) -> date | None:
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(label_key, self.t("web.error.date", value=text))
            return None

    def raise_if_any(self) -> None:
        if self.messages:
            raise FormError(self.messages)


def validated(model: type[BaseModel], values: dict[str, Any], t: Translator) -> Any:
    """``model`` from ``values``, or a :class:`FormError` listing every pydantic problem."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ())) or "-"
            messages.append(t("web.error.field", field=where, message=error.get("msg", "")))
        raise FormError(messages) from None


def form_error_from(exc: Exception, t: Translator) -> FormError:
    """A :class:`FormError` from the service's errors (the geo layer's located problems, a
    422 ``HTTPException`` of the API's checks, any other ``ValueError``)."""
    if isinstance(exc, GeoInputError):
        summary = str(exc).split("\n", 1)[0].rstrip(":")
        # The same error on many rows is listed once, with its count and first rows.
        shown = condense_problems(exc.problems)
        problems = [p.as_dict() for p in shown[:MAX_PROBLEMS]]
        return FormError([summary], problems, total=len(shown))
    if isinstance(exc, HTTPException):
        return FormError([str(exc.detail)])
    return FormError([str(exc)])
