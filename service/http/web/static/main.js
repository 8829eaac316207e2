/**
 * The page's entry point. Views are registered by name and shown by the URL's fragment (`#briefs`);
 * a view is `{name, title, create(context) → element}`, created once and kept while hidden.
 */
import { briefsView } from "./briefs.js";
import { deskView } from "./desk.js";
import { el } from "./dom.js";
import { keyPrompt } from "./key.js";

const VIEWS = [briefsView, deskView];
const context = { askKey: keyPrompt() };
const root = document.getElementById("view");
const nav = document.getElementById("views");
const created = new Map();

function show() {
  const view = VIEWS.find((v) => `#${v.name}` === location.hash) ?? VIEWS[0];
  if (!created.has(view.name)) created.set(view.name, view.create(context));
  root.replaceChildren(created.get(view.name));
  for (const link of nav.querySelectorAll("a")) {
    if (link.hash === `#${view.name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

if (VIEWS.length > 1) nav.append(...VIEWS.map((view) => el("a", { href: `#${view.name}` }, view.title)));
window.addEventListener("hashchange", show);
show();
