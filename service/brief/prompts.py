"""Prompt templates are data: `service/data/prompts/<name>.toml`, shipped inside the package, filled with `$variables`.

A template that names a variable the caller does not give is an error: a half-filled prompt
is never sent to a model. Each model family has a whole-brief template (`<family>.toml`) and a
claim-fusion template (`<family>-fuse.toml`).
"""

from __future__ import annotations

import re
import string
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PROMPTS_DIR = Path(str(resources.files("service") / "data" / "prompts"))
PHRASE_WORDS = 5  # a run of this many words of a template's own text in a brief is leaked prompt
_WORD = re.compile(r"[a-z]+")


class TemplateError(ValueError):
    """A template and its variables do not match."""


class Template(BaseModel):
    """A prompt, an optional system message and worked example, and whether and how evidence lines are numbered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    prompt: str
    system: str | None = None
    example_prompt: str | None = None  # a worked example shown to the model before the real prompt
    example_answer: str | None = None
    numbered: bool = True
    number: str = "[{n}] "  # how a numbered line starts

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

    def own_text(self) -> str:
        """The template's fixed wording (variables removed): what must never appear in a brief."""
        texts = (self.system or "", self.prompt, self.example_prompt or "", self.example_answer or "")
        return " ".join(string.Template.pattern.sub(" ", text) for text in texts)


@cache
def load_template(name: str, directory: Path = PROMPTS_DIR) -> Template:
    """The template `name` (`instruct`, `instruct-fuse`, `t5`, ...)."""
    path = directory / f"{name}.toml"
    with path.open("rb") as handle:
        return Template.model_validate(tomllib.load(handle))


def names(directory: Path = PROMPTS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))


@cache
def prompt_phrases() -> frozenset[tuple[str, ...]]:
    """Every run of `PHRASE_WORDS` words in the templates' own text, lowercased."""
    phrases: set[tuple[str, ...]] = set()
    for name in names():
        words = _WORD.findall(load_template(name).own_text().lower())
        phrases.update(tuple(words[i:i + PHRASE_WORDS]) for i in range(len(words) - PHRASE_WORDS + 1))
    return frozenset(phrases)


def leaks_prompt(sentence: str) -> bool:
    """Whether `sentence` repeats a run of the prompts' own wording."""
    words = _WORD.findall(sentence.lower())
    phrases = prompt_phrases()
    return any(tuple(words[i:i + PHRASE_WORDS]) in phrases for i in range(len(words) - PHRASE_WORDS + 1))
