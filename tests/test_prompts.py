import pytest

from service.prompts import Template, TemplateError, families, load_template


@pytest.mark.parametrize("family", families())
def test_every_prompt_renders_with_sample_evidence(family: str) -> None:
    template = load_template(family)
    system, prompt = template.render(evidence="[1] Mexico sent 37 people.\n[2] It was the third transfer.",
                                     max_words=120, count=2)
    assert "Mexico sent 37 people." in prompt and "$" not in prompt
    assert system is None or "$" not in system
    assert template.name.endswith(("-v1", "-v2", "-v3"))


def test_model_families_have_prompts() -> None:
    assert {"instruct", "t5", "seq2seq"} <= set(families())


def test_missing_variable_is_refused() -> None:
    template = Template(name="x", prompt="Summarize $evidence in $max_words words.")
    with pytest.raises(TemplateError, match="max_words"):
        template.render(evidence="text")


def test_unknown_template_key_is_refused() -> None:
    with pytest.raises(ValueError):
        Template.model_validate({"name": "x", "prompt": "p", "temperature": 0.1})
