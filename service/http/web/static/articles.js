/**
 * One article as the reader sent it, shown as text, with cited spans marked. For an HTML page the
 * text is the markup itself: a citation is a stretch of it (`text[start:end]`), tags included.
 */
import { el } from "./dom.js";
import { utf16Offsets } from "./offsets.js";

/** Sorted spans, overlapping ones joined. */
function merged(spans) {
  const out = [];
  for (const { start, end } of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && start < last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** A pane for document `id`: `element`, and `mark(spans)` to mark these spans (code-point offsets). */
export function articlePane(id, text, note) {
  const unit = utf16Offsets(text);
  const body = el("div", { class: "article-text", tabindex: 0, role: "region", "aria-label": `Text of ${id}` }, text);
  const element = el("article", { class: "article", dataset: { documentId: id } },
    el("h4", {}, id), note && el("p", { class: "note" }, note), body);

  function mark(spans) {
    const parts = [];
    let at = 0;
    for (const { start, end } of merged(spans)) {
      const from = unit(start);
      const to = unit(end);
      parts.push(text.slice(at, from), el("mark", { class: "cited", dataset: { start, end } }, text.slice(from, to)));
      at = to;
    }
    parts.push(text.slice(at));
    body.replaceChildren(...parts);
    element.classList.toggle("is-cited", spans.length > 0);
    const first = body.querySelector("mark");
    if (first) body.scrollTop = first.offsetTop - body.clientHeight / 3;
    return first !== null;
  }

  return { element, mark };
}
