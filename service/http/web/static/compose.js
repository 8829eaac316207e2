/** The articles to brief: pasted into text boxes, or read from text and HTML files, uploaded or dropped. */
import { el } from "./dom.js";

const ACCEPT = ".txt,.md,.html,.htm,text/plain,text/html";
const strict = new TextDecoder("utf-8", { fatal: true });

/** The composer: `element` to show, `documents()` to send (entries with text, in order). */
export function composer() {
  let made = 0;
  const entries = el("div", { class: "entries" });
  const notice = el("p", { class: "notice", role: "status" });
  const picker = el("input", { type: "file", multiple: true, accept: ACCEPT, class: "visually-hidden", tabindex: -1,
                               "aria-hidden": "true", onchange: () => addFiles(picker.files) });

  const fields = () => [...entries.querySelectorAll(".entry")];
  const renumber = () => fields().forEach((entry, i) => {
    entry.querySelector("legend").textContent = `Article ${i + 1}`;
    entry.querySelector(".remove").setAttribute("aria-label", `Remove article ${i + 1}`);
  });

  function add(id = "", text = "") {
    made += 1;
    const idInput = el("input", { id: `doc-id-${made}`, class: "doc-id", placeholder: "optional", maxlength: 200 });
    const textArea = el("textarea", { id: `doc-text-${made}`, class: "doc-text", rows: 6, spellcheck: "false" });
    idInput.value = id;
    textArea.value = text;
    const entry = el("fieldset", { class: "entry" }, el("legend", {}),
      el("label", { for: idInput.id }, "Id"), idInput,
      el("label", { for: textArea.id }, "Text or HTML"), textArea,
      el("button", { type: "button", class: "remove", onclick: () => { entry.remove(); renumber(); } }, "Remove"));
    entries.append(entry);
    renumber();
    return entry;
  }

  function uniqueId(name) {
    const taken = new Set(fields().map((entry) => entry.querySelector(".doc-id").value.trim()));
    const base = name.replace(/\.[^.]*$/, "") || "article";
    let id = base;
    for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
    return id;
  }

  async function addFiles(files) {
    const added = [];
    const refused = [];
    for (const file of files) {
      let text;
      try {
        text = strict.decode(await file.arrayBuffer());
      } catch {
        refused.push(file.name);
        continue;
      }
      const blank = fields().find((entry) => !entry.querySelector(".doc-text").value);
      const entry = blank ?? add();
      entry.querySelector(".doc-id").value = uniqueId(file.name);
      entry.querySelector(".doc-text").value = text;
      added.push(file.name);
    }
    picker.value = "";
    notice.textContent = [added.length && `Added ${added.join(", ")}.`,
                          refused.length && `Not UTF-8 text, not added: ${refused.join(", ")}.`].filter(Boolean).join(" ");
  }

  const element = el("section", { class: "composer", "aria-labelledby": "compose-title" },
    el("h2", { id: "compose-title" }, "Articles"),
    el("p", { class: "dropzone" }, "Paste articles below, or drop .txt, .md and .html files anywhere in this box, or ",
       el("button", { type: "button", onclick: () => picker.click() }, "choose files"), "."),
    picker, entries,
    el("button", { type: "button", class: "add", onclick: () => add().querySelector("textarea").focus() }, "Add article"),
    notice);
  element.addEventListener("dragover", (event) => { event.preventDefault(); element.classList.add("dragging"); });
  element.addEventListener("dragleave", () => element.classList.remove("dragging"));
  element.addEventListener("drop", (event) => {
    event.preventDefault();
    element.classList.remove("dragging");
    addFiles(event.dataTransfer.files);
  });
  add();

  return {
    element,
    documents: () => fields()
      .map((entry) => ({ id: entry.querySelector(".doc-id").value.trim(), text: entry.querySelector(".doc-text").value }))
      .filter((doc) => doc.text !== "")
      .map((doc) => (doc.id ? doc : { text: doc.text })),
  };
}
