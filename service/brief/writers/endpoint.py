"""An OpenAI-compatible chat-completions endpoint as the generator: Ollama, vLLM, llama.cpp's server, TGI.

The service sends the same messages it would give a local model and verifies the replies the
same way. Timeouts and retries are the `openai` client's (exponential backoff on connection
errors, 408, 429 and 5xx); what still fails becomes `GeneratorUnavailable` naming the endpoint.
"""

from __future__ import annotations

import threading

from ...errors import Cancelled, GeneratorUnavailable, StartupError
from ...settings import Settings
from .engine import Message

HEALTH_TIMEOUT = 2.0
CHARS_PER_TOKEN = 4  # no tokenizer here: prompts are sized by characters, with room to spare


class EndpointEngine:
    is_seq2seq = False
    architecture = "endpoint"

    def __init__(self, settings: Settings) -> None:
        import openai

        if not settings.endpoint_url:
            raise StartupError("BRIEF_ENGINE=openai needs BRIEF_ENDPOINT_URL (e.g. http://127.0.0.1:11434/v1)")
        self.url = settings.endpoint_url.rstrip("/")
        self.name = settings.endpoint_model or "default"
        self.settings = settings
        self.context_tokens = settings.context_tokens or 4096
        self._openai = openai
        self.client = openai.OpenAI(base_url=self.url, api_key=settings.endpoint_api_key or "none",
                                    timeout=settings.endpoint_timeout, max_retries=settings.endpoint_retries)

    def count(self, text: str) -> int:
        return len(text) // CHARS_PER_TOKEN + 1

    def generate(self, messages: list[Message], max_new_tokens: int, cancel: threading.Event,
                 grammar: str | None = None) -> tuple[str, int]:
        if cancel.is_set():
            raise Cancelled("generation stopped: the request was cancelled")
        options = {"temperature": self.settings.temperature, "seed": self.settings.seed} if self.settings.sampling \
            else {"temperature": 0.0}
        try:
            reply = self.client.chat.completions.create(model=self.name, messages=messages,  # type: ignore[call-overload]
                                                        max_tokens=max_new_tokens, **options)
        except self._openai.APITimeoutError as exc:
            raise GeneratorUnavailable(f"generation endpoint {self.url} did not answer within "
                                       f"{self.settings.endpoint_timeout:g} s (BRIEF_ENDPOINT_TIMEOUT), "
                                       f"{self.settings.endpoint_retries} retries") from exc
        except self._openai.APIConnectionError as exc:
            raise GeneratorUnavailable(f"generation endpoint {self.url} is unreachable ({exc.__cause__ or exc}) "
                                       f"after {self.settings.endpoint_retries} retries") from exc
        except self._openai.APIStatusError as exc:
            raise GeneratorUnavailable(f"generation endpoint {self.url} answered {exc.status_code}: "
                                       f"{exc.message[:200]}") from exc
        if cancel.is_set():
            raise Cancelled("generation stopped: the request was cancelled")
        text = (reply.choices[0].message.content or "").strip() if reply.choices else ""
        tokens = reply.usage.completion_tokens if reply.usage else self.count(text)
        return text, int(tokens)

    def health(self) -> str | None:
        """None when `GET /models` answers 200, else why not."""
        try:
            self.client.with_options(timeout=HEALTH_TIMEOUT, max_retries=0).models.list()
        except self._openai.APIStatusError as exc:
            return f"generation endpoint {self.url} answered {exc.status_code}"
        except self._openai.APIError as exc:
            return f"generation endpoint {self.url} is unreachable ({exc.__cause__ or exc})"
        return None
