/**
 * The desk view: a collection's stories, newest activity first, each with its version, sources,
 * brief and merges or splits; one story read with its cited articles, and what changed since an
 * earlier version. Articles can be added to a collection from here too.
 */
import { call, explain } from "./api.js";
import { composer } from "./compose.js";
import { count, el } from "./dom.js";
import { shownIds, storyView } from "./story.js";

const path = (...parts) => `/v1/collections/${parts.map(encodeURIComponent).join("/")}`;
const time = (iso) => el("time", { datetime: iso }, new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }));
const MOVES = { merged_into: "Merged into", split_into: "Split: documents went to", merged_from: "Merged in", split_from: "Split from" };

/** The view's element; `askKey` is the header's key prompt, used when the API answers 401. */
function create({ askKey }) {
  const api = (method, url, body) => call(method, url, body, askKey);
  const picker = el("select", { id: "collection", onchange: () => attempt(loadStories) });
  const status = el("p", { class: "status", role: "status" });
  const error = el("p", { class: "error", role: "alert" });
  const list = el("ol", { class: "desk-stories", "aria-labelledby": "desk-stories-title" });
  const detail = el("div", { class: "desk-story", "aria-live": "polite" });
  const texts = new Map();  // "collection/document id" -> text as sent

  async function attempt(work) {
    error.textContent = "";
    try {
      return await work();
    } catch (failure) {
      status.textContent = "";
      error.textContent = explain(failure);
      return undefined;
    }
  }

  async function loadCollections(chosen = picker.value) {
    const { collections } = await api("GET", "/v1/collections");
    picker.replaceChildren(...collections.map((c) => el("option", { value: c.name },
      `${c.name} (${count(c.stories, "story", "stories")}, ${count(c.documents, "document")})`)));
    if (collections.some((c) => c.name === chosen)) picker.value = chosen;
    status.textContent = collections.length ? "" : "No collections yet: add articles below to start one.";
    await loadStories();
  }

  async function loadStories() {
    detail.replaceChildren(el("p", { class: "meta" }, "Open a story to read it with its sources and see what changed."));
    if (!picker.value) {
      list.replaceChildren();
      return;
    }
    const { stories } = await api("GET", path(picker.value, "stories"));
    list.replaceChildren(...stories.map(storyCard));
    status.textContent = `${count(stories.length, "story", "stories")} in ${picker.value}, newest activity first.`;
  }

  const openButton = (id, label) => el("button", { type: "button", class: "link", onclick: () => attempt(() => open(id)) }, label);

  function historyView(story) {
    return story.history.length > 0 && el("ul", { class: "history" }, story.history.map((event) => el("li", {},
      `${MOVES[event.kind]} `, openButton(event.story_id, event.story_id), ` (${event.document_ids.join(", ")}) · `, time(event.at))));
  }

  function storyCard(story) {
    return el("li", { class: "desk-card", dataset: { storyId: story.id } },
      el("h3", {}, openButton(story.id, story.title ?? story.id)),
      el("p", { class: "meta" }, `${story.id} · version ${story.version} · updated `, time(story.updated_at),
         ` · ${count(story.sources, "source")} · ${count(story.document_ids.length, "document")}`,
         story.brief_pending && el("span", { class: "pending" }, "new brief due")),
      story.brief_error && el("p", { class: "brief-error", role: "status" }, `Brief failed: ${story.brief_error}`),
      el("p", { class: "brief-text" }, story.brief?.text ?? "No brief yet."),
      historyView(story));
  }

  /** Fetch the text of every article the story shows that is not yet known. */
  async function withTexts(collection, story) {
    const missing = shownIds(story).filter((id) => !texts.has(`${collection}/${id}`));
    const found = await Promise.all(missing.map((id) => api("GET", path(collection, "documents", id))));
    found.forEach((document) => texts.set(`${collection}/${document.id}`, document.text));
    return new Map(shownIds(story).map((id) => [id, texts.get(`${collection}/${id}`)]));
  }

  function versionsForm(collection, story) {
    const since = el("select", { id: "since-version" },
      Array.from({ length: story.version }, (_, v) => el("option", { value: v }, v === 0 ? "before the first brief" : `version ${v}`)));
    since.value = String(story.changes?.since_version ?? Math.max(story.version - 1, 0));
    const compare = (event) => {
      event.preventDefault();
      attempt(() => open(story.id, since.value));
    };
    return story.version > 0 && el("form", { class: "options versions", onsubmit: compare },
      el("label", { for: "since-version" }, `Version ${story.version}: changes since`), since,
      el("button", { type: "submit" }, "Show changes"));
  }

  async function open(id, since) {
    const collection = picker.value;
    status.textContent = `Opening ${id}…`;
    const query = since === undefined ? "" : `?since=${encodeURIComponent(since)}`;
    const story = await api("GET", `${path(collection, "stories", id)}${query}`);
    const section = storyView(story, await withTexts(collection, story));
    const moved = story.moved_to.length > 0 && el("p", { class: "moved" }, `This story was ${story.state}; its documents went to `,
      story.moved_to.flatMap((other, i) => [i > 0 && ", ", openButton(other, other)]), ".");
    section.querySelector(".story-head").append(...[moved, historyView(story), versionsForm(collection, story)].filter(Boolean));
    detail.replaceChildren(section);
    status.textContent = since === undefined ? `${story.title ?? id} opened.` : `Changes since version ${since} shown.`;
    section.scrollIntoView({ block: "start" });
    section.querySelector("h3").focus();
  }

  const adder = addForm(api, () => picker.value, (name) => attempt(() => loadCollections(name)), status, error);
  const refresh = () => attempt(() => loadCollections());
  attempt(() => loadCollections());

  return el("div", { class: "desk-view" },
    el("form", { class: "options", onsubmit: (event) => { event.preventDefault(); refresh(); } },
      el("label", { for: "collection" }, "Collection"), picker,
      el("button", { type: "submit" }, "Refresh")),
    status, error,
    el("div", { class: "desk" },
      el("section", { class: "desk-list" }, el("h2", { id: "desk-stories-title" }, "Stories"), list),
      detail),
    adder);
}

/** Pasted or dropped articles added to a collection (created on first use); `reload(name)` shows it. */
function addForm(api, current, reload, status, error) {
  const articles = composer();
  const name = el("input", { id: "add-collection", required: true, maxlength: 200, pattern: "[A-Za-z0-9][A-Za-z0-9._\\-]*",
                             autocomplete: "off" });
  const submit = el("button", { type: "submit", class: "primary" }, "Add to collection");

  async function add(event) {
    event.preventDefault();
    const documents = articles.documents();
    if (documents.length === 0) {
      error.textContent = "Add at least one article.";
      return;
    }
    submit.disabled = true;
    error.textContent = "";
    status.textContent = `Adding ${count(documents.length, "article")} to ${name.value}…`;
    try {
      const answer = await api("POST", path(name.value, "documents"), { documents });
      await reload(name.value);
      const added = answer.documents.filter((d) => d.status === "added").length;
      status.textContent = answer.stories ? `${count(added, "article")} added, ${count(answer.stories.length, "story", "stories")} changed.`
        : `A job (${answer.id}) is placing the articles: refresh to see them.`;
    } catch (failure) {
      status.textContent = "";
      error.textContent = explain(failure);
    } finally {
      submit.disabled = false;
    }
  }

  return el("form", { class: "compose-form add-form", onsubmit: add, onfocusin: () => { name.value ||= current(); } },
    articles.element,
    el("div", { class: "options" }, el("label", { for: "add-collection" }, "Collection name"), name, submit));
}

export const deskView = { name: "desk", title: "Desk", create };
