"""Command-line options generated from one definition, :class:`api.requests.PlanParameters`.

:func:`plan_parameter_options` adds one typer option per field of the request model (flag,
default and help from the model) to a command and hands the command the checked request as
``params``. The service's request body extends the same model, so ``gridpatrol plan`` and
``POST /plans`` take the same options with the same defaults and bounds.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from api.cli.app import UserError
from api.requests import PLAN_FLAGS, PlanParameters

F = TypeVar("F", bound=Callable[..., Any])


def _cli_type(annotation: Any) -> Any:
    """The type typer parses a field as: dates and choices as text (the model checks them)."""
    args = typing.get_args(annotation)
    optional = type(None) in args
    inner = [a for a in args if a is not type(None)]
    base = inner[0] if optional and len(inner) == 1 else annotation
    if base is date or typing.get_origin(base) is typing.Literal:
        base = str
    return base | None if optional else base


def _help(name: str, field: Any) -> str:
    text = str(field.description or name)
    choices = typing.get_args(field.annotation)
    if typing.get_origin(field.annotation) is typing.Literal:
        text += f" One of: {', '.join(str(c) for c in choices)}."
    return text


def validation_message(exc: ValidationError, flags: dict[str, str]) -> str:
    """A model's validation errors as ``--flag: message`` lines (the option the user typed)."""
    lines = []
    for error in exc.errors():
        where = error["loc"][0] if error["loc"] else ""
        flag = flags.get(str(where), str(where))
        got = error.get("input")
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{flag}: {message} (got {got!r})")
    return "; ".join(lines)


def model_options(model: type[BaseModel], flags: dict[str, str]) -> Callable[[F], F]:
    """Give a command one option per field of ``model``; it receives the instance as
    ``params`` (a ``--flag: message`` user error when a value breaks the model's rules)."""

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        hints = typing.get_type_hints(func, include_extras=True)
        kept = [p for n, p in signature.parameters.items() if n != "params"]
        names = set(model.model_fields)
        added = []
        annotations = {n: hints[n] for n in signature.parameters if n != "params" and n in hints}
        for name, field in model.model_fields.items():
            option = typer.Option(flags[name], help=_help(name, field), show_default=True)
            annotation = Annotated[_cli_type(field.annotation), option]  # type: ignore[valid-type]
            default = field.default
            if isinstance(default, date):
                default = default.isoformat()
            added.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
                )
            )
            annotations[name] = annotation

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            values = {n: kwargs.pop(n) for n in list(kwargs) if n in names}
            try:
                params = model(**values)
            except ValidationError as exc:
                raise UserError(validation_message(exc, flags)) from None
            return func(params=params, **kwargs)

        ordered = [
            p.replace(
                kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation)
            )
            for p in kept
        ] + added
        wrapper.__signature__ = signature.replace(parameters=ordered)  # type: ignore[attr-defined]
        wrapper.__annotations__ = annotations
        del wrapper.__wrapped__  # typer must read the generated signature, not the original
        return typing.cast(F, wrapper)

    return decorate


#: The planning options of ``plan``, ``map`` and ``sheets``.
plan_parameter_options = model_options(PlanParameters, PLAN_FLAGS)
