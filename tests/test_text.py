from service.html import extract, looks_like_html
from service.text import is_boilerplate, normalize, split_sentences
from tests.conftest import seed_documents

EN = frozenset({"en"})


def test_empty_after_cleaning_is_left_out_with_reason() -> None:
    doc = normalize(0, "a", "Advertisement\nListen to this article\n", EN)
    assert doc.left_out is not None and "empty after cleaning" in doc.left_out


def test_single_sentence_keeps_its_span() -> None:
    raw = "  Officials in Oslo said on Monday that the bridge would reopen in May.  "
    doc = normalize(0, "a", raw, EN)
    [sentence] = doc.sentences
    assert raw[sentence.start:sentence.end] == sentence.text == raw.strip()


def test_abbreviations_and_quotes_do_not_split_sentences() -> None:
    raw = ('The U.S. Justice Department and Mr. Smith met at 10 a.m. on Tuesday. '
           '"We agreed on everything. It was a good day," he said.')
    pieces = [raw[s:e] for s, e in split_sentences(raw)]
    assert pieces[0] == "The U.S. Justice Department and Mr. Smith met at 10 a.m. on Tuesday."
    assert len(pieces) <= 3 and all("U.S" not in p for p in pieces[1:])


def test_seed_spans_are_exact_and_furniture_is_gone() -> None:
    for item in seed_documents():
        doc = normalize(0, item["id"], item["text"], EN)
        assert doc.left_out is None and doc.language == "en"
        for sentence in doc.sentences:
            assert item["text"][sentence.start:sentence.end] == sentence.text
        texts = " ".join(s.text for s in doc.sentences)
        for furniture in ("Listen to this article", "The audio version of this article", "Average 3 minutes",
                          "Comments you share on our site", "Avoid using rude", "Advertisement"):
            assert furniture not in texts


def test_seed_001_headline_and_subheading_are_not_body() -> None:
    doc = normalize(0, "001", seed_documents()[1]["text"], EN)
    assert doc.sentences[0].kind == "title" and doc.headline.startswith("Mexico’s president says")
    assert any(s.kind == "heading" and s.text == "Pressure from the Trump administration" for s in doc.sentences)


def test_boilerplate_patterns() -> None:
    assert is_boilerplate("Listen to this article")
    assert is_boilerplate("Advertisement")
    assert not is_boilerplate("The advertisement campaign cost the party $2 million.")


def test_other_language_is_left_out() -> None:
    raw = ("Le gouvernement mexicain a remis trente-sept membres de cartels aux autorités américaines mardi, "
           "a annoncé le ministère de la Justice dans un communiqué publié à Washington.")
    doc = normalize(0, "fr", raw, EN)
    assert doc.language == "fr" and doc.left_out is not None and "not supported" in doc.left_out


HTML = """<!DOCTYPE html><html><head><title>Ignored</title><script>var ad = "Buy now.";</script></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Floods close 40 schools in Valencia</h1>
<p>Heavy rain closed 40 schools in Valencia on Monday, officials said.
Roads into the city were cut for <b>six hours</b> &amp; trains were suspended.</p>
<p>Advertisement</p>
<p>The regional government said classes would resume on Wednesday.</p></article>
<footer>Copyright 2025 Example News</footer></body></html>"""


def test_html_page_is_extracted_and_spans_point_into_the_markup() -> None:
    assert looks_like_html(HTML) and not looks_like_html("He wrote <b> in his notes and left.")
    doc = normalize(0, "page", HTML, EN)
    assert doc.is_html and doc.left_out is None
    texts = [s.text for s in doc.sentences]
    assert texts[0] == "Floods close 40 schools in Valencia"
    assert "Roads into the city were cut for six hours & trains were suspended." in texts
    assert not any("Buy now" in t or "Home" in t or "Copyright" in t or t == "Advertisement" for t in texts)
    for sentence in doc.sentences:
        cited = HTML[sentence.start:sentence.end]
        assert extract(cited).text.strip() == sentence.text
