/**
 * One story: title, sources and duplicate groups, the brief, and (when the response has them) its
 * facts, where sources disagree, and what changed since an earlier version (a desk story's `changes`). Every sentence, fact and disputed value is a citable item:
 * hover previews its citations, click, Enter or Space pins them, and the cited spans are marked in
 * the story's articles, shown side by side, each scrolled to its first span.
 */
import { articlePane } from "./articles.js";
import { count, el } from "./dom.js";
import { foldedCopies } from "./documents.js";

// Hover, click, tap or keyboard: "select" fits them all, where "point at" reads oddly on a touch screen.
const SELECT_PROMPT = "Select a sentence to see its sources.";

/** A fact as a reader says it: what it counts or dates, and the value as its first source writes it. */
const factText = (fact) => `${fact.slot}: ${fact.written}`;
const sourcesOf = (item) => (typeof item.sources === "number" ? item.sources : item.sources?.length);

/** The items of a story that cite: brief sentences, facts, disputed values, and changes since a version. */
function citableItems(story) {
  const changes = story.changes;
  return [...(story.brief?.sentences ?? []), ...(story.facts ?? []), ...(story.disagreements ?? []).flatMap((d) => d.values ?? []),
          ...(changes?.new_sentences ?? []), ...(changes?.contradicted ?? []).flatMap(contradictionItems)];
}

/** A contradicted sentence of the earlier brief, and the new sources' sentences that state otherwise, as two citable items. */
function contradictionItems(contradiction) {
  return [contradiction.sentence, { citations: contradiction.contradicted_by }];
}

/** The ids whose articles a story shows: each duplicate group's representative and every cited document. */
export function shownIds(story) {
  const citations = citableItems(story).flatMap((item) => item.citations ?? []);
  const wanted = new Set([...story.duplicate_groups.map((group) => group.representative),
                          ...citations.map((citation) => citation.document_id)]);
  return [...story.document_ids.filter((id) => wanted.has(id)), ...[...wanted].filter((id) => !story.document_ids.includes(id))];
}

function groupsView(id, label, groups) {
  return el("div", { class: "groups" }, el("span", { id }, label),
    el("ul", { "aria-labelledby": id }, groups.map((group) => el("li", {},
      el("span", { class: "doc-id" }, group.representative),
      foldedCopies(group.members.filter((id) => id !== group.representative), group.similarity)))));
}

function rejectedView(brief) {
  return brief.rejected?.length > 0 && el("details", { class: "rejected" },
    el("summary", {}, `${count(brief.rejected.length, "generated sentence")} removed by verify`),
    el("ul", {}, brief.rejected.map((r) => el("li", {}, el("q", {}, r.text), ` ${r.reason}`,
      r.replaced_by && el("span", {}, " Replaced by: ", el("q", {}, r.replaced_by))))));
}

/** "What changed since version N": new sources, new sentences and facts, and contradicted sentences, each citable. */
function changesView(story, changes, citable, sources) {
  const facts = Object.entries(changes.new_facts).filter(([, values]) => values.length > 0);
  const nothing = changes.new_sources.length + changes.new_sentences.length + changes.contradicted.length === 0;
  return el("section", { class: "changes" },
    el("h4", {}, `What changed since version ${changes.since_version}`),
    nothing && el("p", { class: "meta" }, "Nothing new since that version."),
    changes.new_sources.length > 0 && groupsView(`new-sources-${story.id}`, "New sources:", changes.new_sources),
    changes.new_sentences.length > 0 && el("div", { class: "new-sentences" }, el("p", { class: "slot" }, "New sentences"),
      el("ul", {}, changes.new_sentences.map((sentence) => el("li", {}, citable("span", "new-sentence", sentence, sentence.text, sources(sentence)))))),
    facts.length > 0 && el("dl", { class: "new-facts" }, facts.flatMap(([kind, values]) => [el("dt", {}, `New ${kind}`), el("dd", {}, values.join(", "))])),
    changes.contradicted.length > 0 && el("div", { class: "contradicted" }, el("p", { class: "slot" }, "Contradicted by new sources"),
      el("ul", {}, changes.contradicted.map((contradiction) => {
        const [sentence, otherwise] = contradictionItems(contradiction);
        return el("li", {}, citable("span", "old-sentence", sentence, sentence.text), " ",
                  citable("span", "contradicted-by", otherwise, `(${count(otherwise.citations.length, "new sentence")} say otherwise)`));
      }))));
}

/** The section for one story; `texts` maps document ids to the text that was sent. */
export function storyView(story, texts) {
  const facts = story.facts ?? [];
  const disagreements = story.disagreements ?? [];
  const panes = new Map(shownIds(story).map((id) => {
    const text = texts.get(id) ?? "";
    const html = /^\s*</.test(text) ? "HTML as sent: a citation is the stretch of markup that holds the sentence." : null;
    return [id, articlePane(id, text, html)];
  }));
  const row = el("div", { class: "articles", "aria-label": "Articles of this story" }, [...panes.values()].map((p) => p.element));
  const citedIn = el("p", { class: "cited-in", "aria-live": "polite" }, SELECT_PROMPT);
  let pinned = null;

  function show(item) {
    const byDocument = new Map();
    for (const citation of item?.citations ?? []) {
      byDocument.set(citation.document_id, [...(byDocument.get(citation.document_id) ?? []), citation]);
    }
    let firstPane = null;
    for (const [id, pane] of panes) {
      if (pane.mark(byDocument.get(id) ?? []) && firstPane === null) firstPane = pane.element;
    }
    if (firstPane) row.scrollLeft = firstPane.offsetLeft;  // the row is the panes' offset parent
    citedIn.textContent = item ? `Cited in ${[...byDocument.keys()].join(", ") || "no document"}.` : SELECT_PROMPT;
    return firstPane;
  }

  function citable(tag, cls, item, ...content) {
    const node = el(tag, { class: `citable ${cls}`, role: "button", tabindex: 0, "aria-pressed": "false" }, ...content);
    const pin = () => {
      pinned?.node.setAttribute("aria-pressed", "false");
      pinned = { node, item };
      node.setAttribute("aria-pressed", "true");
      const firstPane = show(item);
      const { top, bottom } = row.getBoundingClientRect();
      if (firstPane && (top > window.innerHeight || bottom < 0)) firstPane.scrollIntoView({ block: "nearest" });
    };
    node.addEventListener("click", pin);
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pin();
      }
    });
    node.addEventListener("mouseenter", () => show(item));
    node.addEventListener("mouseleave", () => show(pinned?.item));
    return node;
  }

  const sources = (item) => sourcesOf(item) !== undefined &&
    el("sup", { class: "sources", title: "independent sources" }, count(sourcesOf(item), "source"));
  const brief = story.brief;
  const section = el("section", { class: "story", dataset: { storyId: story.id }, "aria-labelledby": `title-${story.id}` },
    el("header", { class: "story-head" },
      el("h3", { id: `title-${story.id}`, tabindex: -1 }, story.title ?? story.id),
      el("p", { class: "meta" }, `${count(story.sources, "source")} · ${count(story.document_ids.length, "document")}`,
         brief ? ` · writer ${brief.writer}${brief.model ? ` (${brief.model}: ${brief.written} of ${brief.sentences.length} sentences written)` : ""}${brief.fallback ? " · topped up with evidence" : ""}`
           : " · no brief yet"),
      groupsView(`groups-${story.id}`, "Sources:", story.duplicate_groups)),
    el("div", { class: "reading" },
      el("div", { class: "brief-column" },
        brief && el("p", { class: "brief" }, brief.sentences.flatMap((sentence) => [citable("span", "sentence", sentence, sentence.text, sources(sentence)), " "])),
        facts.length > 0 && el("section", { class: "facts" }, el("h4", {}, "Facts"),
          el("ul", {}, facts.map((fact) => el("li", {}, citable("span", "fact", fact, factText(fact), sources(fact)))))),
        disagreements.length > 0 && el("section", { class: "disagreements" }, el("h4", {}, "Sources differ"),
          disagreements.map((d) => el("div", { class: "disagreement" },
            el("p", { class: "slot" }, d.slot),
            el("ul", {}, d.values.map((value) => el("li", {}, citable("span", "value", value, value.written, sources(value)))))))),
        brief && rejectedView(brief),
        story.changes && changesView(story, story.changes, citable, sources),
        citedIn),
      row));
  return section;
}
