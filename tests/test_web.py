"""The reading page at `/`, in a real browser (Debian's Chromium driven by Playwright) against a real server.

Set WEB_SCREENSHOTS=1 to write the screenshots the tests take into docs/screenshots/ (otherwise
they go to a temporary folder): the committed ones come from these tests.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bench.server import start_server
from service.http.page import WEB
from tests.conftest import ROOT, seed_documents
from tests.test_desk import add, briefs_written

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
API_KEY = "sesame-7f3a"
# Records every Content-Security-Policy violation the page reports, before any page script runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
"""
Shoot = Callable[[Page | Locator, str], None]
expect.set_options(timeout=90_000)  # a brief of the seeds takes seconds on a busy 2-core machine


def _server(settings: dict[str, str], folder: Path | None = None) -> Iterator[str]:
    server, base = start_server({"BRIEF_MODEL": "none", **settings}, folder)
    yield base
    server.terminate()
    server.wait(30)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _server({}, tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def keyed_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _server({"BRIEF_API_KEYS": API_KEY}, tmp_path_factory.mktemp("keyed"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context; the test fails on any script error or CSP violation in the page."""
    context = browser.new_context(viewport=LAPTOP)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    violations = page.evaluate("window.__violations")
    context.close()
    assert errors == [] and violations == [], (errors, violations)


@pytest.fixture
def shoot(tmp_path: Path) -> Shoot:
    folder = ROOT / "docs" / "screenshots" if os.environ.get("WEB_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def take(view: Page | Locator, name: str) -> None:
        view.screenshot(path=folder / f"{name}.png")

    return take


def brief(base: str, documents: list[dict[str, str]]) -> dict[str, Any]:
    """What the JSON API answers for these documents: the truth the page is checked against."""
    response = httpx.post(f"{base}/v1/briefs", json={"documents": documents, "options": {"mode": "extractive"}},
                          timeout=120)
    response.raise_for_status()
    return dict(response.json())


def paste(page: Page, documents: list[dict[str, str]]) -> None:
    """Type each document into its own article box, as a reader pasting them would."""
    for i, document in enumerate(documents):
        if i > 0:
            page.get_by_role("button", name="Add article").click()
        page.locator("input.doc-id").nth(i).fill(document["id"])
        page.locator("textarea.doc-text").nth(i).fill(document["text"])


def write(page: Page) -> None:
    page.select_option("#mode", "extractive")
    page.get_by_role("button", name="Write briefs").click()


def marked(story: Locator) -> list[tuple[str, int, int, str]]:
    """The spans marked in a story's articles: document id, start, end (from the page's data) and the text shown."""
    return [(m.evaluate("m => m.closest('.article').dataset.documentId"), int(m.get_attribute("data-start") or -1),
             int(m.get_attribute("data-end") or -1), m.text_content() or "") for m in story.locator("mark").all()]


def cited(item: dict[str, Any], texts: dict[str, str]) -> list[tuple[str, int, int, str]]:
    """The spans the API cites for a sentence (or any citable item), with `text[start:end]` of what was sent."""
    return sorted((c["document_id"], c["start"], c["end"], texts[c["document_id"]][c["start"]:c["end"]])
                  for c in item["citations"])


def assert_marks_in_view(story: Locator) -> None:
    """Every marked span lies inside the visible part of its scrolled article pane."""
    for mark in story.locator("mark").all():
        box = mark.bounding_box()
        pane = mark.locator("xpath=ancestor::div[contains(@class,'article-text')]").bounding_box()
        assert box and pane and pane["y"] - 1 <= box["y"] < pane["y"] + pane["height"], (box, pane)
    first_cited = story.locator(".article.is-cited").first.bounding_box()
    row = story.locator(".articles").bounding_box()
    assert first_cited and row and row["x"] - 1 <= first_cited["x"] < row["x"] + row["width"]


FRENCH = ("Le gouvernement a annoncé mardi une nouvelle réforme des retraites. Les syndicats ont appelé à une "
          "grève nationale la semaine prochaine, et plusieurs villes prévoient des manifestations importantes.")


def test_seeds_give_two_stories_and_a_sentence_marks_exactly_its_cited_spans(base: str, page: Page,
                                                                           shoot: Shoot) -> None:
    documents = [*seed_documents(), {"id": "in-french", "text": FRENCH}]  # briefed languages: en only
    texts = {d["id"]: d["text"] for d in documents}
    expected = brief(base, documents)
    page.goto(base)
    shoot(page, "compose")
    paste(page, documents)
    write(page)
    stories = page.locator(".story")
    expect(stories).to_have_count(2)
    for story, want in zip(stories.all(), expected["stories"], strict=True):
        expect(story.locator("h3")).to_have_text(want["title"])
        expect(story.locator(".sentence")).to_have_count(len(want["brief"]["sentences"]))
        expect(story.locator(".meta")).to_contain_text(f"{want['sources']} source")
        expect(story.locator(".groups > ul > li")).to_have_count(len(want["duplicate_groups"]))
    for name in ("facts", "disagreements"):  # a section for each story that has any, none otherwise
        assert page.locator(f".{name}").count() == sum(1 for story in expected["stories"] if story[name])

    first, sentences = stories.nth(0), expected["stories"][0]["brief"]["sentences"]
    expect(first.locator(".cited-in")).to_have_text("Select a sentence to see its sources.")  # hover, click or tap
    first.locator(".sentence").nth(0).click()
    assert sorted(marked(first)) == cited(sentences[0], texts)
    assert_marks_in_view(first)
    expect(first.locator(".sentence").nth(0)).to_have_attribute("aria-pressed", "true")
    first.locator("h3").scroll_into_view_if_needed()
    shoot(page, "story-laptop")

    page.keyboard.press("Tab")  # keyboard: the next sentence takes focus and Enter, then Space, select
    page.keyboard.press("Enter")
    assert sorted(marked(first)) == cited(sentences[1], texts)
    expect(first.locator(".sentence").nth(0)).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Tab")
    page.keyboard.press(" ")
    assert sorted(marked(first)) == cited(sentences[2], texts)
    assert_marks_in_view(first)

    first.locator(".sentence").nth(3).hover()  # hover previews, leaving restores the pinned sentence
    assert sorted(marked(first)) == cited(sentences[3], texts)
    first.locator("h3").hover()
    assert sorted(marked(first)) == cited(sentences[2], texts)

    fates = page.locator(".documents li.document")
    expect(fates).to_have_count(6)
    for fate, document in zip(fates.all(), expected["documents"], strict=True):
        if document["status"] == "left_out":
            expect(fate).to_contain_text(f"{document['id']} left out: {document['reason']}")
        else:
            story = next(s for s in expected["stories"] if s["id"] == document["story_id"])
            expect(fate).to_contain_text(f"{document['id']} in {story['title']}")
    assert [d["status"] for d in expected["documents"]].count("left_out") == 1
    shoot(page.locator(".documents"), "documents")
    fates.nth(4).get_by_role("button").click()  # a document's story link brings the story into view
    expect(page.locator(".story h3").nth(1)).to_be_focused()

    page.set_viewport_size(PHONE)
    first.locator(".sentence").nth(0).click()  # the articles sit below the brief: the cited one scrolls into view
    assert sorted(marked(first)) == cited(sentences[0], texts)
    assert first.locator(".article.is-cited").first.evaluate(
        "pane => { const r = pane.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways page scroll
    shoot(page, "story-phone")


def hostile_page(document: dict[str, str]) -> str:
    """A seed article as an HTML page with scripts, an event handler, tags and entities in its sentences,
    and characters outside the Basic Multilingual Plane before them (code points ≠ UTF-16 units)."""
    paragraphs = "\n".join(f"<p>{html.escape(line).replace('cartel', '<b>cartel</b>')}</p>"
                           for line in document["text"].splitlines() if line.strip())
    return ("<!doctype html><html><head><title>Wire</title>"
            "<script>window.__injected = 'head script'; document.title = 'pwned';</script></head>"
            "<body><nav>\U0001F30E World \U0001F4F0 News</nav><article>"
            f"{paragraphs}<img src=\"x\" onerror=\"window.__injected = 'onerror'; document.title = 'pwned'\">"
            "<script>window.__injected = 'body script'</script></article></body></html>")


def test_html_upload_is_shown_as_text_and_its_scripts_never_run(base: str, page: Page, shoot: Shoot) -> None:
    seeds = {d["id"][:3]: d for d in seed_documents()}
    page_html = hostile_page(seeds["000"])
    documents = [{"id": "wire", "text": page_html}, {"id": "000-copy", "text": seeds["000"]["text"]},
                 {"id": "001", "text": seeds["001"]["text"]}]
    texts = {d["id"]: d["text"] for d in documents}
    expected = brief(base, documents)
    page.goto(base)

    drop = page.evaluate_handle("""([name, text]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], name, {type: "text/html"}));
        return transfer; }""", ["wire.html", page_html])
    page.dispatch_event(".composer", "drop", {"dataTransfer": drop})  # drag and drop, as a browser delivers it
    expect(page.locator(".notice")).to_contain_text("Added wire.html")
    page.set_input_files("input[type=file]", files=[
        {"name": "000-copy.txt", "mimeType": "text/plain", "buffer": seeds["000"]["text"].encode()},
        {"name": "001.txt", "mimeType": "text/plain", "buffer": seeds["001"]["text"].encode()},
        {"name": "latin1.txt", "mimeType": "text/plain", "buffer": "Caf\u00e9 au lait".encode("latin-1")}])
    expect(page.locator(".notice")).to_contain_text("Not UTF-8 text, not added: latin1.txt")
    assert [page.locator(".doc-id").nth(i).input_value() for i in range(3)] == ["wire", "000-copy", "001"]
    write(page)

    expect(page.locator(".story")).to_have_count(len(expected["stories"]))
    story = page.locator(".story").nth(0)
    sentences = expected["stories"][0]["brief"]["sentences"]
    spans_with_tags = 0
    for i, sentence in enumerate(sentences):
        story.locator(".sentence").nth(i).click()
        assert sorted(marked(story)) == cited(sentence, texts)
        spans_with_tags += sum("<b>" in span[3] for span in cited(sentence, texts) if span[0] == "wire")
    assert spans_with_tags > 0  # some highlighted spans hold markup, and it shows as text
    assert_marks_in_view(story)
    wire = story.locator(".article[data-document-id='wire'] .article-text")
    expect(wire).to_contain_text("<script>window.__injected = 'body script'</script>")

    assert page.evaluate("window.__injected") is None
    assert page.title() == "Brief service"
    assert page.locator(".article img, .article script, .article b").count() == 0

    group = next(g for s in expected["stories"] for g in s["duplicate_groups"] if len(g["members"]) == 2)
    copy = next(m for m in group["members"] if m != group["representative"])
    representative = page.locator(f".documents li.document[data-document-id='{group['representative']}']")
    expect(representative.locator(".copies summary")).to_have_text(f"1 copy · similarity {group['similarity']:.2f}")
    expect(representative.locator(f"li.copy[data-document-id='{copy}']")).to_be_attached()
    expect(page.locator(".documents ol > li.document")).to_have_count(2)  # the copy is folded, not listed apart
    representative.locator("summary").click()
    page.locator(".documents").scroll_into_view_if_needed()
    shoot(page, "html-and-copies")


def test_api_key_is_asked_for_and_kept_only_for_the_session(keyed_base: str, page: Page, shoot: Shoot) -> None:
    document = next(d for d in seed_documents() if d["id"].startswith("004"))
    page.goto(keyed_base)
    paste(page, [document])
    write(page)
    expect(page.locator("#key-form")).to_be_visible()
    expect(page.locator("#key-message")).to_have_text("The service needs an API key.")
    expect(page.locator("#key-input")).to_be_focused()
    shoot(page, "api-key")
    page.fill("#key-input", "not-the-key")
    page.keyboard.press("Enter")
    expect(page.locator("#key-message")).to_have_text("The service refused that key. Enter another.")
    page.fill("#key-input", API_KEY)
    page.get_by_role("button", name="Use key").click()
    expect(page.locator(".story")).to_have_count(1)
    expect(page.locator("#key-status")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('brief-api-key')") == API_KEY
    assert page.evaluate("localStorage.length") == 0 and page.evaluate("document.cookie") == ""

    page.reload()  # the same tab keeps the key: no prompt this time
    paste(page, [document])
    write(page)
    expect(page.locator(".story")).to_have_count(1)
    expect(page.locator("#key-form")).to_be_hidden()
    page.get_by_role("button", name="Forget key").click()
    assert page.evaluate("sessionStorage.getItem('brief-api-key')") is None
    expect(page.locator("#key-status")).to_be_hidden()


def test_facts_and_disagreements_are_shown_and_cite_like_sentences(base: str, page: Page, shoot: Shoot) -> None:
    """A fact reads as what it counts and its value as written ("number of suspected cartel members: 37"), a
    disagreement as what its values count, each value as its source writes it. The seeds agree, so a disagreement
    in the API's shape, citing real spans, is added to the real response in the browser's network layer."""
    documents = seed_documents()
    texts = {d["id"]: d["text"] for d in documents}
    expected = brief(base, documents)
    first = expected["stories"][0]["brief"]["sentences"]
    [fact] = expected["stories"][0]["facts"]
    values = [{"value": "37", "written": "37", "sources": 2, "document_ids": [], "citations": first[0]["citations"][:2]},
              {"value": "36", "written": "thirty-six", "sources": 1, "document_ids": [],
               "citations": first[0]["citations"][2:]}]
    disagreement = {"kind": "count", "slot": "number of cartel members", "status": "conflict", "values": values}

    def extend(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        data["stories"][0] |= {"disagreements": [disagreement]}
        route.fulfill(response=response, json=data)

    page.route("**/v1/briefs", extend)
    page.goto(base)
    paste(page, documents)
    write(page)
    story = page.locator(".story").nth(0)
    expect(story.locator(".facts li")).to_have_text(["number of suspected cartel members: 373 sources"])
    expect(story.locator(".disagreement .slot")).to_have_text("number of cartel members")
    expect(story.locator(".disagreement li")).to_have_text(["372 sources", "thirty-six1 source"])
    expect(page.locator(".story").nth(1).locator(".facts, .disagreements")).to_have_count(0)
    story.locator(".fact").click()
    assert sorted(marked(story)) == cited(fact, texts)
    story.locator(".value").nth(1).focus()
    page.keyboard.press("Enter")
    assert sorted(marked(story)) == cited(values[1], texts)
    story.locator(".disagreements").scroll_into_view_if_needed()
    shoot(page, "disagreements")


@pytest.fixture(scope="module")
def desk_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("web-desk") / "desk.db"
    yield from _server({"BRIEF_DATABASE_URL": f"sqlite:///{database}", "BRIEF_DESK_DEBOUNCE": "0"})


HOSTILE = "<img src=x onerror=\"window.__injected = 'onerror'\"><script>window.__injected = 'script'</script>"


def test_desk_lists_a_collections_stories_newest_first_and_what_changed(desk_base: str, page: Page,
                                                                        shoot: Shoot) -> None:
    seeds = {d["id"][:3]: d for d in seed_documents()}
    first_batch = [seeds["000"] | {"title": f"Transfer {HOSTILE} to the US"}, seeds["004"]]
    later_batch = [seeds["001"], seeds["002"], seeds["003"] | {"text": f"{seeds['003']['text']}\n{HOSTILE}\n"}]
    texts = {d["id"]: d["text"] for d in first_batch + later_batch}
    with httpx.Client(base_url=desk_base, timeout=120) as api:
        add(api, "morning", first_batch)
        briefs_written(api, "morning")
        add(api, "morning", later_batch)
        stories = briefs_written(api, "morning")
        grown = next(s for s in stories if s["version"] == 2)
        changes = api.get(f"/v1/collections/morning/stories/{grown['id']}", params={"since": 1}).json()["changes"]
        stored = api.get(f"/v1/collections/morning/documents/{seeds['003']['id']}").json()  # what the page reads
        assert (stored["text"], stored["story_id"]) == (texts[seeds["003"]["id"]], grown["id"])
        missing = api.get("/v1/collections/morning/documents/nope")
        assert missing.status_code == 404 and missing.json()["error"]["field"] == "document"
    assert [s["updated_at"] for s in stories] == sorted((s["updated_at"] for s in stories), reverse=True)
    assert changes["new_sentences"]  # the later sources add to the brief: there is something to show

    page.goto(f"{desk_base}/#desk")
    cards = page.locator(".desk-card")
    expect(cards).to_have_count(len(stories))
    assert [card.get_attribute("data-story-id") for card in cards.all()] == [s["id"] for s in stories]
    for card, story in zip(cards.all(), stories, strict=True):
        expect(card.locator("h3")).to_have_text(story["title"])
        expect(card.locator(".meta")).to_contain_text(f"version {story['version']}")
        expect(card.locator(".meta")).to_contain_text(f"{story['sources']} source")
        expect(card.locator(".brief-text")).to_have_text(story["brief"]["text"])
    expect(page.locator(".pending")).to_have_count(0)
    shoot(page, "desk-laptop")

    page.locator(f".desk-card[data-story-id='{grown['id']}'] h3 button").click()
    story = page.locator(".desk-story .story")
    expect(story.locator("h3")).to_be_focused()
    sentences = grown["brief"]["sentences"]
    expect(story.locator(".sentence")).to_have_count(len(sentences))
    story.locator(".sentence").nth(0).click()
    assert sorted(marked(story)) == cited(sentences[0], texts)

    page.select_option("#since-version", "1")
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator(".desk-story .changes h4")).to_have_text("What changed since version 1")
    expect(story.locator(".new-sentence")).to_have_text([
        re.compile(rf"^{re.escape(s['text'])}\d+ sources?$") for s in changes["new_sentences"]])
    expect(story.locator(".changes .groups > ul > li")).to_have_count(len(changes["new_sources"]))
    story.locator(".new-sentence").nth(0).click()
    assert sorted(marked(story)) == cited(changes["new_sentences"][0], texts)
    shoot(page.locator(".desk-story"), "desk-changes")

    shown = page.locator(".desk-view h3, .desk-view .article-text").all_text_contents()
    assert any(HOSTILE in text for text in shown)  # the markup shows as text
    assert page.evaluate("window.__injected") is None
    assert page.title() == "Brief service"
    assert page.locator(".desk-view img, .desk-view script").count() == 0

    paste(page, [{"id": "late-copy", "text": f"{seeds['001']['text']}\nUpdated at noon."}])  # the add form
    page.fill("#add-collection", "morning")
    page.get_by_role("button", name="Add to collection").click()
    expect(page.locator(".desk-view .status")).to_have_text("1 article added, 1 story changed.")
    expect(page.locator(f".desk-card[data-story-id='{grown['id']}'] .meta")).to_contain_text("5 documents")

    page.set_viewport_size(PHONE)
    page.evaluate("scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways page scroll
    shoot(page, "desk-phone")


@pytest.mark.parametrize("path", ["/", "/docs", "/redoc"])
def test_pages_ask_no_other_site_for_anything_and_log_no_error(base: str, page: Page, path: str) -> None:
    """The reading page had no icon (its /favicon.ico 404 logged a console error), and ReDoc's script
    asked cdn.redoc.ly for its logo."""
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{base}{path}")
    heading = {"/": page.get_by_role("button", name="Write briefs"), "/docs": page.locator(".swagger-ui .title"),
               "/redoc": page.get_by_text("API docs by Redocly")}[path]
    expect(heading).to_be_visible()
    page.wait_for_load_state("networkidle")  # the icon and ReDoc's logo are asked for once the page is drawn
    assert [url for url in requested if not url.startswith((base, f"blob:{base}"))] == []
    assert errors == []
    if path == "/":
        assert f"{base}/static/favicon.svg" in requested


def test_page_headers_forbid_inline_script_and_markup_sinks(base: str) -> None:
    page_response = httpx.get(f"{base}/")
    script = httpx.get(f"{base}/static/main.js")
    assert page_response.status_code == script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    policy = page_response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "require-trusted-types-for 'script'" in policy
    assert "unsafe" not in policy
    assert page_response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in httpx.get(f"{base}/healthz").headers  # the API is unchanged
    assert "/" not in httpx.get(f"{base}/openapi.json").json()["paths"]
    # The page holds no inline script or handler, and no script writes markup from a string.
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>|\son\w+=", page_response.text)
    sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function")
    assert [path.name for path in (WEB / "static").glob("*.js") if sinks.search(path.read_text())] == []



def test_the_readme_says_what_make_test_needs_beyond_python_and_make() -> None:
    """`make test` installs this Chromium with apt-get when it is missing; the README's setup named only
    Python 3.11 and make."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"CHROMIUM := {CHROMIUM}" in makefile and "apt-get install" in makefile
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Two commands"):readme.index("## Use it")]
    assert CHROMIUM in setup and "root" in setup and "package mirror" in setup
