from pathlib import Path

import pytest

from service.errors import StartupError
from service.settings import Settings, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().port == 8000
    monkeypatch.setenv("BRIEF_MAX_WORDS", "90")
    monkeypatch.setenv("BRIEF_LANGUAGES", "en, de")
    settings = load_settings()
    assert settings.max_words == 90 and settings.language_set == {"en", "de"}


def test_unknown_key_fails_and_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_MAX_WORD", "90")
    with pytest.raises(StartupError, match="BRIEF_MAX_WORD"):
        load_settings()


def test_names_are_checked_in_any_case_as_they_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("brief_max_words", "90")
    assert load_settings().max_words == 90  # pydantic-settings reads names case-insensitively...
    monkeypatch.setenv("Brief_Max_Word", "90")
    with pytest.raises(StartupError, match="Brief_Max_Word"):  # ...so a misspelt one in any case is refused
        load_settings()


def test_ill_typed_value_fails_and_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_PORT", "eighty")
    with pytest.raises(StartupError, match="BRIEF_PORT"):
        load_settings()


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(Exception):
        settings.port = 1  # type: ignore[misc]


def test_every_setting_is_documented_in_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"BRIEF_{name.upper()}" not in readme]
    assert not missing
