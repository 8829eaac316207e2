/**
 * What became of every document sent, in the order sent: its story, or why it was left out.
 * Copies are folded under their duplicate group's representative, with the group's similarity.
 */
import { count, el } from "./dom.js";

/** Copies folded under their representative: "2 copies · similarity 0.93", opening to their ids. */
export function foldedCopies(ids, similarity) {
  return ids.length > 0 && el("details", { class: "copies" },
    el("summary", {}, `${count(ids.length, "copy", "copies")} · similarity ${similarity?.toFixed(2) ?? "unknown"}`),
    el("ul", {}, ids.map((id) => el("li", { class: "copy doc-id", dataset: { documentId: id } }, id))));
}

/** The documents list; `goToStory(id)` brings a story into view. */
export function documentsView(response, goToStory) {
  const stories = new Map(response.stories.map((story) => [story.id, story]));
  const groups = new Map(response.stories.flatMap((story) => story.duplicate_groups).map((g) => [g.representative, g]));
  const ids = new Set(response.documents.map((doc) => doc.id));
  const isCopy = (doc) => doc.duplicate_group && doc.duplicate_group !== doc.id && ids.has(doc.duplicate_group);

  const fate = (doc) => {
    if (doc.status === "left_out") return el("span", { class: "left-out" }, `left out: ${doc.reason}`);
    const story = stories.get(doc.story_id);
    return el("span", {}, "in ", el("button", { type: "button", class: "link", onclick: () => goToStory(doc.story_id) },
                                    story ? story.title : doc.story_id));
  };
  const row = (doc) => {
    const copies = response.documents.filter((other) => isCopy(other) && other.duplicate_group === doc.id);
    return el("li", { class: "document", dataset: { documentId: doc.id } },
      el("span", { class: "doc-id" }, doc.id), " ", fate(doc), doc.language && el("span", { class: "language" }, ` · ${doc.language}`),
      foldedCopies(copies.map((copy) => copy.id), groups.get(doc.id)?.similarity));
  };

  return el("section", { class: "documents", "aria-labelledby": "documents-title" },
    el("h2", { id: "documents-title" }, "Documents"),
    el("ol", {}, response.documents.filter((doc) => !isCopy(doc)).map(row)));
}
