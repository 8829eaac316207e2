"""Prompt templates are data: `prompts/<family>.toml`, filled with `$variables`.

A template that names a variable the caller does not give is an error: a half-filled prompt
is never sent to a model.
"""

from __future__ import annotations

import string
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class TemplateError(ValueError):
    """A template and its variables do not match."""


class Template(BaseModel):
    """A prompt, an optional system message, and whether evidence lines are shown as `[n] text`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    prompt: str
    system: str | None = None
    numbered: bool = True

    def variables(self) -> set[str]:
        found = set()
        for text in (self.prompt, self.system or ""):
            for _, named, braced, _ in string.Template.pattern.findall(text):
                found.add(named or braced)
        return found - {""}

    def render(self, **values: object) -> tuple[str | None, str]:
        """Return `(system, prompt)` with every variable filled; values the template does not use are ignored."""
        if missing := self.variables() - values.keys():
            raise TemplateError(f"prompt {self.name}: missing variables {sorted(missing)}")
        fill = {k: str(v) for k, v in values.items()}
        system = string.Template(self.system).substitute(fill) if self.system else None
        return system, string.Template(self.prompt).substitute(fill)


@lru_cache(maxsize=None)
def load_template(family: str, directory: Path = PROMPTS_DIR) -> Template:
    """The template for a model family (`instruct`, `t5`, `seq2seq`)."""
    path = directory / f"{family}.toml"
    with path.open("rb") as handle:
        return Template.model_validate(tomllib.load(handle))


def families(directory: Path = PROMPTS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))
