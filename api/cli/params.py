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
from collections.abc import Callable, Sequence
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


def command_options(
    receives: str,
    added: Sequence[inspect.Parameter],
    build: Callable[[dict[str, Any], dict[str, Any]], Any],
) -> Callable[[F], F]:
    """Give a command the options ``added`` in place of its parameter ``receives``.

    typer reads the generated signature; when the command runs, the values of ``added`` are
    taken out and ``build(values, others)`` (``others``: the command's remaining arguments)
    makes the object the command receives as ``receives``.
    """
    names = {p.name for p in added}

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        hints = typing.get_type_hints(func, include_extras=True)
        kept = [
            p.replace(
                kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation)
            )
            for n, p in signature.parameters.items()
            if n != receives
        ]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            values = {n: kwargs.pop(n) for n in list(kwargs) if n in names}
            return func(**{receives: build(values, kwargs)}, **kwargs)

        parameters = [*added, *kept]
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        del wrapper.__wrapped__  # typer must read the generated signature, not the original
        return typing.cast(F, wrapper)

    return decorate


def option_parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    """A keyword-only command parameter (``annotation``: ``Annotated[type, typer.Option]``)."""
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def model_options(model: type[BaseModel], flags: dict[str, str]) -> Callable[[F], F]:
    """Give a command one option per field of ``model``; it receives the instance as
    ``params`` (a ``--flag: message`` user error when a value breaks the model's rules)."""
    added = []
    for name, field in model.model_fields.items():
        option = typer.Option(flags[name], help=_help(name, field), show_default=True)
        default = field.default
        added.append(
            option_parameter(
                name,
                Annotated[_cli_type(field.annotation), option],
                default.isoformat() if isinstance(default, date) else default,
            )
        )

    def build(values: dict[str, Any], _others: dict[str, Any]) -> BaseModel:
        try:
            return model(**values)
        except ValidationError as exc:
            raise UserError(validation_message(exc, flags)) from None

    return command_options("params", added, build)


#: The planning options of ``plan``, ``map`` and ``sheets``.
plan_parameter_options = model_options(PlanParameters, PLAN_FLAGS)
