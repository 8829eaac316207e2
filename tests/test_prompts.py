"""Prompt templates: every one renders, a half-filled prompt is refused, and they ship inside the wheel."""

import subprocess
import sys
from pathlib import Path

import pytest

from service.brief.prompts import (
    Template,
    TemplateError,
    leaks_prompt,
    load_template,
    names,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", names())
def test_every_prompt_renders_with_sample_evidence(name: str) -> None:
    template = load_template(name)
    system, prompt = template.render(evidence="[1] Mexico sent 37 people.\n[2] It was the third transfer.",
                                     max_words=120, count=2, context="Mexico's government spoke.", reference="It")
    assert "Mexico sent 37 people." in prompt and "$" not in prompt
    assert system is None or "$" not in system
    assert template.name.endswith(("-v1", "-v2", "-v3"))


def test_model_families_have_both_prompts() -> None:
    assert {"instruct", "t5", "seq2seq", "instruct-fuse", "t5-fuse", "seq2seq-fuse"} <= set(names())
    assert {"instruct-compress", "instruct-resolve"} <= set(names())  # the rewrites a small instruct model is given


def test_missing_variable_is_refused() -> None:
    template = Template(name="x", prompt="Summarize $evidence in $max_words words.")
    with pytest.raises(TemplateError, match="max_words"):
        template.render(evidence="text")


def test_unknown_template_key_is_refused() -> None:
    with pytest.raises(ValueError):
        Template.model_validate({"name": "x", "prompt": "p", "temperature": 0.1})


def test_prompt_wording_is_recognised_in_output() -> None:
    assert leaks_prompt("Write one sentence that says what these sentences say.")
    assert not leaks_prompt("Mexico has extradited 37 cartel members to the United States.")


def test_an_installed_wheel_carries_its_prompts(tmp_path: Path) -> None:
    """Build the wheel, install it into an empty target folder, and load every template from there."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(tmp_path / "dist"), str(ROOT)], check=True, cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("brief_service-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    str(tmp_path / "site"), str(wheel)], check=True, cwd=tmp_path)
    script = ("import service, service.brief.prompts as p; print(service.__file__); "
              "print(sorted(p.names())); print(p.load_template('instruct-fuse').name)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"})
    location, found, name = result.stdout.splitlines()
    assert location.startswith(str(tmp_path / "site"))
    assert set(names()) == set(eval(found)) and name == load_template("instruct-fuse").name
