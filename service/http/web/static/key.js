/** The API key prompt in the page header, shown when the API answers 401. */
import { apiKey } from "./api.js";

/** Wire the header's key form; returns `ask(reason)`, a promise resolved once a key is entered. */
export function keyPrompt() {
  const form = document.getElementById("key-form");
  const input = document.getElementById("key-input");
  const message = document.getElementById("key-message");
  const status = document.getElementById("key-status");
  const waiting = [];
  const showStatus = () => { status.hidden = !apiKey.get(); };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    apiKey.set(key);
    input.value = "";
    form.hidden = true;
    showStatus();
    waiting.splice(0).forEach((resolve) => resolve());
  });
  document.getElementById("key-forget").addEventListener("click", () => {
    apiKey.forget();
    showStatus();
  });
  showStatus();

  return function ask(reason) {
    message.textContent = reason;
    form.hidden = false;
    input.focus();
    return new Promise((resolve) => waiting.push(resolve));
  };
}
