/** The briefs view: compose articles, choose mode and length, and read one section per story. */
import { call, explain } from "./api.js";
import { composer } from "./compose.js";
import { count, el } from "./dom.js";
import { documentsView } from "./documents.js";
import { storyView } from "./story.js";

function optionsForm() {
  const mode = el("select", { id: "mode" }, ["auto", "extractive", "model"].map((m) => el("option", { value: m }, m)));
  const words = el("input", { id: "max-words", type: "number", min: 10, step: 10, placeholder: "default", inputmode: "numeric" });
  return {
    element: el("div", { class: "options" },
      el("label", { for: "mode" }, "Mode"), mode,
      el("label", { for: "max-words" }, "Words per brief"), words),
    options: () => ({ mode: mode.value, ...(words.value ? { max_words: Number(words.value) } : {}) }),
  };
}

function results(response, texts) {
  const sections = response.stories.map((story) => storyView(story, texts));
  const goToStory = (id) => {
    const section = sections.find((s) => s.dataset.storyId === id);
    section?.scrollIntoView({ block: "start" });
    section?.querySelector("h3").focus();
  };
  const timing = Object.values(response.timings_ms).reduce((a, b) => a + b, 0);
  return [
    el("h2", { id: "stories-title" }, "Stories"),
    el("p", { class: "summary" }, `${count(response.stories.length, "story", "stories")} from ${count(response.documents.length, "document")}`,
       ` · writer ${response.model.writer} · ${Math.round(timing)} ms`),
    ...sections,
    documentsView(response, goToStory),
  ];
}

/** The view's element; `askKey` is the header's key prompt, used when the API answers 401. */
function create({ askKey }) {
  const articles = composer();
  const options = optionsForm();
  const submit = el("button", { type: "submit", class: "primary" }, "Write briefs");
  const status = el("p", { class: "status", role: "status" });
  const error = el("p", { class: "error", role: "alert" });
  const output = el("div", { class: "results", "aria-labelledby": "stories-title" });

  async function write(event) {
    event.preventDefault();
    const documents = articles.documents();
    error.textContent = "";
    if (documents.length === 0) {
      error.textContent = "Add at least one article.";
      return;
    }
    submit.disabled = true;
    status.textContent = `Writing briefs for ${count(documents.length, "article")}…`;
    try {
      const response = await call("POST", "/v1/briefs", { documents, options: options.options() }, (reason) => {
        status.textContent = reason;
        return askKey(reason).then(() => { status.textContent = "Writing briefs…"; });
      });
      const texts = new Map(response.documents.map((doc, i) => [doc.id, documents[i].text]));
      output.replaceChildren(...results(response, texts));
      status.textContent = `${count(response.stories.length, "story", "stories")} written.`;
    } catch (failure) {
      status.textContent = "";
      error.textContent = explain(failure);
    } finally {
      submit.disabled = false;
    }
  }

  return el("div", { class: "briefs-view" },
    el("form", { class: "compose-form", onsubmit: write },
      articles.element, options.element, el("div", { class: "actions" }, submit, status), error),
    output);
}

export const briefsView = { name: "briefs", title: "Briefs", create };
