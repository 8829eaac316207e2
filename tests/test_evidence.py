import pytest

from service.brief.evidence import WordVectors, _distinctive, same_claim
from service.pipeline import Pipeline
from service.schemas import BriefRequest, BriefResponse
from tests.conftest import seed_documents


def run(pipeline: Pipeline, documents: list[dict[str, str]], **options: object) -> BriefResponse:
    return pipeline.run(BriefRequest.model_validate({"documents": documents, "options": options}))


def test_brief_respects_the_word_budget_and_cites_real_spans(pipeline: Pipeline) -> None:
    documents = seed_documents()
    texts = {d["id"]: d["text"] for d in documents}
    for budget in (40, 120, 250):
        response = run(pipeline, documents, max_words=budget, mode="extractive")
        for story in response.stories:
            sentences = story.brief.sentences
            assert sentences, "every story gets a brief"
            assert len(story.brief.text.split()) <= budget
            for sentence in sentences:
                own = [c for c in sentence.citations if texts[c.document_id][c.start:c.end] == sentence.text]
                assert own, f"the extracted sentence is cited where it stands: {sentence.text!r}"
                for citation in sentence.citations:
                    assert citation.document_id in story.document_ids
                    assert 0 <= citation.start < citation.end <= len(texts[citation.document_id])


def test_corroborated_lead_comes_first_and_counts_sources(pipeline: Pipeline) -> None:
    story = run(pipeline, seed_documents(), mode="extractive").stories[0]
    first = story.brief.sentences[0]
    assert "37" in first.text and first.sources >= 3
    assert len({c.document_id for c in first.citations}) == first.sources


def test_copies_do_not_count_as_extra_sources(pipeline: Pipeline) -> None:
    documents = seed_documents()[:4]
    base = run(pipeline, documents, mode="extractive").stories[0]
    copies = [{"id": f"copy-{n}", "text": documents[1]["text"]} for n in range(3)]
    padded = run(pipeline, documents + copies, mode="extractive").stories[0]
    assert padded.sources == base.sources == 4
    assert max(s.sources for s in padded.brief.sentences) <= 4


def test_no_repeated_claims(pipeline: Pipeline) -> None:
    story = run(pipeline, seed_documents(), max_words=250, mode="extractive").stories[0]
    numbers_37 = [s for s in story.brief.sentences if "37" in s.text]
    assert len(numbers_37) <= 2, [s.text for s in numbers_37]


def test_a_thousand_copies_brief_like_one_copy(pipeline: Pipeline) -> None:
    """Issue 11: evidence comes from each group's representative, so copies add no sentences to rank
    (the time and memory of this are measured in bench/copies.py)."""
    article = seed_documents()[1]
    one = run(pipeline, [article], max_words=80, mode="extractive").stories[0]
    many = run(pipeline, [dict(article, id=f"copy-{n}") for n in range(1000)], max_words=80,
               mode="extractive").stories[0]
    assert len(many.document_ids) == 1000 and many.sources == one.sources == 1
    assert [s.text for s in many.brief.sentences] == [s.text for s in one.brief.sentences]
    representative = many.duplicate_groups[0].representative
    assert {c.document_id for s in many.brief.sentences for c in s.citations} == {representative}


def test_one_shared_number_is_not_corroboration() -> None:
    """Issue 11: "Item 39 ... town number 5" does not support "Item 5 ... town number 5"."""
    from service.brief.evidence import _says_the_same
    from service.types import Sentence

    def sentence(doc: int, text: str) -> Sentence:
        return Sentence(doc, 0, text, 0, len(text), "body")

    item_39 = sentence(0, "Item 39 on the council agenda concerns the water supply of town number 5.")
    item_5 = sentence(1, "Item 5 on the council agenda concerns the water supply of town number 5.")
    same = sentence(1, "The council agenda item 39 concerns the water supply of town number 5, officials said.")
    assert not _says_the_same(item_39, item_5)
    assert _says_the_same(item_39, same)


def test_embedding_stops_between_chunks_when_the_request_is_cancelled(pipeline: Pipeline) -> None:
    """Issue 11: the evidence stage passes its cancellation check to the sentence embedder, which runs it
    before every chunk, so a cancelled request stops within one chunk, not at the next stage."""
    from service.errors import Cancelled

    checks: list[int] = []

    def check() -> None:
        checks.append(1)
        if len(checks) == 2:
            raise Cancelled("stopped in stage evidence: the request was cancelled")

    texts = [f"Council meeting number {n} approved the budget for the water works." for n in range(3 * 128)]
    with pytest.raises(Cancelled):
        pipeline.embedder.encode(texts, check)
    assert len(checks) == 2 and pipeline.embedder.CHUNK == 128


def test_support_counts_only_sentences_that_state_the_same_claim() -> None:
    """Issue 24: "Lohan admitted herself to the Betty Ford Center" was backed by "Lindsay Lohan has left the Betty
    Ford Center…": the names are shared, what happened is not."""
    from service.brief.evidence import _says_the_same
    from service.types import Sentence

    def sentence(doc: int, text: str) -> Sentence:
        return Sentence(doc, 0, text, 0, len(text), "body")

    admitted = sentence(0, "Lindsay Lohan admitted herself to the Betty Ford Center, according to TMZ.")
    left = sentence(1, "Lindsay Lohan has left the Betty Ford Center and is moving to a rehab facility in Malibu.")
    checked = sentence(1, "Lindsay Lohan checked into the Betty Ford Center in Rancho Mirage on Thursday night.")
    checked_in = sentence(2, "Lindsay Lohan has checked into the Betty Ford Center to begin a court-mandated stay.")
    assert not _says_the_same(admitted, left)
    assert _says_the_same(checked, checked_in)


def test_a_brief_has_no_headline_furniture_repeat_or_dangling_reference(pipeline: Pipeline) -> None:
    """Issue 24, on text as a reader pastes it: a title line with a full stop, a dateline and a byline, the same claim
    told by two outlets, and a sentence that opens on "He" with nothing before it in the brief."""
    first = ("Whistleblower says HHS sent workers to handle coronavirus patients without gear.\n\n"
             "Posted: Thursday, April 21, 2022. 10:11 pm CST.\n"
             "By Aaron Humes: The Department of Health and Human Services sent more than a dozen workers to two "
             "California military bases without training or protective gear, according to a whistleblower complaint.\n"
             "He said they were not told to wear masks.\n"
             "The complaint was filed with the Office of Special Counsel on Wednesday by a senior HHS official.")
    second = ("U.S. workers without protective gear assisted coronavirus evacuees, HHS whistleblower says.\n\n"
              "The Department of Health and Human Services sent more than a dozen workers to two California military "
              "bases without giving them training or protective gear, a whistleblower complaint says.\n"
              "Lawmakers said on Thursday they would ask the agency for its records of the deployment.")
    documents = [{"id": "a", "text": first}, {"id": "b", "text": second}]
    [story] = run(pipeline, documents, max_words=80, mode="extractive").stories
    texts = [s.text for s in story.brief.sentences]
    assert story.title == "Whistleblower says HHS sent workers to handle coronavirus patients without gear."
    assert not any("whistleblower says" in t.lower() or "Posted" in t or "By Aaron" in t or t.startswith("He ")
                   for t in texts), texts
    assert sum("dozen workers" in t for t in texts) == 1, texts
    own = [c for s in story.brief.sentences for c in s.citations]
    assert all(documents[0 if c.document_id == "a" else 1]["text"][c.start:c.end] for c in own)


@pytest.mark.parametrize(("text", "aside"), [
    ("What does the new tariff mean for farmers in Iowa?", True),
    ("I think the plan will fail, and we should say so plainly.", True),
    ("If you live in the county, your polling place may have moved.", True),
    ("On Day One, I’ll mount an aggressive approach to control this virus.", True),
    ('"We are not leaving," the union leader told reporters on Monday.', False),
    ("US officials said the talks in Geneva will go on next week.", False),
    ("The World War I memorial in Kansas City was closed on Monday.", False),
    ('"Health care for all, educational opportunities for all!"', True),  # a chant nobody is said to chant
    ("“We will win this fight, whatever it costs us.”", True),
    ("Animal-welfare activists have split over an initiative that would phase in requirements", True),  # no end
    ("The mayor said: “We will rebuild the bridge by the spring.”", False),
    ("“Mexico is prioritized above everything else, even if they ask for anything they can ask for.", True),  # seeds
    ('"We will rebuild the bridge by the spring.', True),
    ("The mayor said: “We will rebuild the bridge by the spring.", False),  # the speaker is named
])
def test_a_question_or_the_writers_own_voice_is_a_last_resort(text: str, aside: bool) -> None:
    from service.brief.evidence import last_resort

    assert last_resort(text) is aside


def test_a_question_is_briefed_only_when_nothing_else_is_left(pipeline: Pipeline) -> None:
    """A columnist's question is central to the story (it names everything), but a report comes first."""
    question = "Will the city council approve the new stadium budget for the Tigers on Tuesday?"
    documents = [
        {"text": f"{question}\nThe city council approved the new stadium budget for the Tigers on Tuesday.\n"
                 "The vote was seven to two after a long debate about the costs."},
        {"text": "The city council voted on Tuesday to approve a new stadium budget for the Tigers.\n"
                 "Opponents said the costs would fall on taxpayers for decades."}]
    [story] = run(pipeline, documents, max_words=30, mode="extractive").stories
    assert question not in [s.text for s in story.brief.sentences]


def test_of_one_claim_told_twice_the_fuller_telling_is_kept(pipeline: Pipeline) -> None:
    """One claim, two tellings (NeuS): the brief keeps the one that says all the other says and more."""
    short = ("On Thursday evening, news emerged that Donald Trump intended to pardon former Dick Cheney chief of staff "
             "Lewis “Scooter” Libby.")
    full = ("President Donald Trump has signed off on a pardon for I. Lewis “Scooter” Libby, the former chief of staff "
            "to Vice President Dick Cheney, who was convicted in 2007 of perjury and obstruction of justice.")
    documents = [{"text": f"Trump to pardon Libby.\n\n{short}"}, {"text": f"Pardon for Libby.\n\n{full}"}]
    [story] = run(pipeline, documents, max_words=80, mode="extractive").stories
    assert [s.text for s in story.brief.sentences] == [full]


def test_one_claim_is_found_in_either_order(pipeline: Pipeline) -> None:
    """Two AllSides outlets on June's jobs report: as many content words each, and the second adds May's 5.8%. The
    one that says less is looked for in the other whichever comes first, so the brief tells the rate once."""
    less = "The unemployment rate slightly increased to 5.9%, the Bureau of Labor Statistics reported Friday."
    more = "The unemployment rate stood at 5.9%, up from 5.8% in May, the Bureau of Labor Statistics reported Friday."
    vectors = pipeline.embedder.encode([less, more])
    cosine = float(vectors[0] @ vectors[1])
    word_vectors = WordVectors(pipeline.static)
    assert same_claim(less, more, cosine, word_vectors) and same_claim(more, less, cosine, word_vectors)
    jobs = "The US economy added 850,000 jobs in June, when adjusted for seasonal changes."
    documents = [{"text": f"Jobs report.\n\n{jobs} {less}"}, {"text": f"Hiring in June.\n\n{jobs} {more}"}]
    [story] = run(pipeline, documents, max_words=80, mode="extractive").stories
    assert sum("unemployment rate" in s.text for s in story.brief.sentences) == 1


PARAPHRASES = [  # neus_val and allsides_dev briefs, one claim told twice (hand-read)
    ("Colorado's former Gov. John Hickenlooper on Monday joined the growing field of Democratic candidates hoping to "
     "unseat President Donald Trump in 2020.",
     "Former Colorado Gov. John Hickenlooper is adding his name to the list of presidential hopefuls."),
    ("The Senate approved the framework of a $3.5 trillion budget plan in a key procedural vote on Wednesday morning.",
     "The Senate passed a $3.5 trillion budget blueprint early Wednesday, the first step in an arduous process designed "
     "to allow Democrats to push through a sweeping package of education, healthcare, climate and other provisions."),
    ("Mexico has extradited 37 cartel members to the United States at the request of the US Department of Justice.",
     "In a significant bilateral security operation, Mexican authorities have transferred 37 inmates with alleged "
     "connections to powerful drug cartels to face judicial proceedings in the United States."),
    # one precise figure, each with a figure of its own beside it (an editor's read of allsides_dev briefs)
    ("New jobless claims fell to 473,000 for the week ended May 8th, data from the Department of Labor showed Thursday.",
     "Unemployment claims fell to 473,000 last week from a revised 507,000 a week earlier, the Labor Department said "
     "Thursday."),
]
DIFFERENT_CLAIMS = [  # the same pairs' neighbours that tell something else
    ("Sen. Sheldon Whitehouse last week refused to apologize for his family's membership in a reportedly all-White "
     "beach club in his home state of Rhode Island.",
     "Democratic US Senator Sheldon Whitehouse has apologised for – but has not left – an elite private beach club "
     "that refuses to accept anyone who is not white."),
    ("Since President Trump nominated Judge Brett M. Kavanaugh to the Supreme Court, gay Americans have been among "
     "those most concerned about the implications of his confirmation.",
     "Gay-rights supporters who thronged the Supreme Court plaza after justices declared same-sex marriage a "
     "constitutional right expect to have little to celebrate if Brett Kavanaugh replaces Justice Anthony Kennedy."),
    ("The Senate passed a $3.5 trillion budget blueprint early Wednesday.",
     "The party line vote, 50-49, came just before 4 a.m., one day after the Senate passed a roughly $1 trillion "
     "bipartisan infrastructure package."),
]


@pytest.mark.parametrize(("figure", "distinctive"), [("473000", True), ("12.75%", True), ("1350", True),
                                                    ("100", False), ("37", False), ("6.1%", False), ("1.8", False),
                                                    ("1000000", False), ("8th", False)])
def test_a_precise_figure_has_three_significant_digits(figure: str, distinctive: bool) -> None:
    assert _distinctive(figure) is distinctive


@pytest.mark.parametrize(("told", "pair"), [(True, pair) for pair in PARAPHRASES]
                         + [(False, pair) for pair in DIFFERENT_CLAIMS])
def test_a_claim_in_other_words_is_one_claim(pipeline: Pipeline, told: bool, pair: tuple[str, str]) -> None:
    """Few shared words, but the same figures or words close in meaning: one claim. Sentences as close that each
    tell something of their own (an apology refused and one made, a fear and an expectation) stay two."""
    vectors = pipeline.embedder.encode(list(pair))
    cosine = float(vectors[0] @ vectors[1])
    word_vectors = WordVectors(pipeline.static)
    assert same_claim(*pair, cosine, word_vectors) is told and same_claim(*pair[::-1], cosine, word_vectors) is told


def test_a_brief_tells_a_lede_in_other_words_once(pipeline: Pipeline) -> None:
    """Two outlets' ledes of one candidacy, in other words: the brief tells it once."""
    first, second = PARAPHRASES[0]
    more = "He served two terms as governor and two terms as Denver mayor, and vowed to repair the damage done."
    documents = [{"text": f"Hickenlooper runs.\n\n{first} {more}"},
                 {"text": f"Another Democrat joins the race.\n\n{second} The campaign video is titled Standing Tall."}]
    [story] = run(pipeline, documents, max_words=80, mode="extractive").stories
    texts = [s.text for s in story.brief.sentences]
    assert (first in texts) != (second in texts), texts

def test_the_main_event_comes_first_when_its_fullest_telling_closes_the_article(pipeline: Pipeline) -> None:
    """Seed 004 opens on the transfer of twenty-six cartel figures and closes on a fuller recap of it ("The coordinated
    expulsion of twenty-six high-ranking cartel figures … is a landmark event"). The brief tells the recap, where the
    lede stood: first, not after the commentary that followed the lede."""
    [document] = [d for d in seed_documents() if d["id"].startswith("004")]
    [story] = run(pipeline, [document], max_words=120, mode="extractive").stories
    assert "twenty-six" in story.brief.sentences[0].text, [s.text for s in story.brief.sentences]

def test_that_is_points_outside_the_sentence() -> None:
    """"That’s exactly what his press secretary had said." stood in a NeuS brief with nothing before it."""
    from service.brief.evidence import points_outside

    assert points_outside("That’s exactly what his press secretary had said.")
    assert not points_outside("Thatcher's government fell in 1990 after a revolt in her party.")


def test_a_demonstrative_noun_points_outside_the_sentence_and_a_time_does_not() -> None:
    """The seeds' second story opened on "This significant move…, underscores…", which names no move."""
    from service.brief.evidence import points_outside

    assert points_outside("This significant move, which has been described as a major deal between the Mexican "
                          "government and the Trump administration, underscores a period of intensified pressure.")
    assert points_outside("These measures were adopted after the vote.")
    assert not points_outside("This week the Senate voted to repeal the rule.")
    assert not points_outside("This past weekend, police arrested two men in the city.")
    assert not points_outside("Those who voted for the bill were angry at the delay.")


@pytest.mark.parametrize(("text", "outside"), [
    ("The move is an escalation of the administration's legal battle against the health care law.", True),
    ("The update came after the South Korean currency, the won, took a hit.", True),
    ("The measure now goes to President Trump's desk.", True),
    ("The move, which has been in the works for years, would overturn the state's waiver.", True),
    ("“The move is risky for the party,” the senator said on Tuesday.", True),
    ("The findings were published in the journal on Monday.", True),
    ("The move by the appeals court surprised lawyers on both sides.", False),
    ("The decision to close the plant was announced on Monday.", False),
    ("The order from U.S. District Judge Carl Nichols allows app stores to continue offering downloads.", False),
])
def test_a_bare_noun_of_an_earlier_event_points_outside_the_sentence(text: str, outside: bool) -> None:
    """"The move is…", "The update came after…" stood in NeuS briefs with nothing before them to say what move;
    a noun that the sentence defines ("The move by the appeals court…") stands alone."""
    from service.brief.evidence import points_outside

    assert points_outside(text) is outside


@pytest.mark.parametrize(("text", "outside"), [
    ("Then along came Trump.", True),
    ("But Page, 39, told The Daily Beast that she could no longer stay silent.", True),
    ("However, he has long boasted of his team's representation.", True),
    ("Yet Mr. Mueller did find actions by Mr. Trump that could be seen as obstruction.", True),
    ("Also named in the suit were Mr Trump's children, Ivanka, Eric, and Donald Jr.", True),
    ("Nevertheless, the senator won the seat by a wide margin.", True),
    ("Then, the rain came and the river rose.", True),
    ("Andrew Cuomo resigned as governor on Tuesday.", False),
    ("Then-President Obama signed the bill in 2010.", False),
    ("Instead of hanging stockings on the mantle, families went to the beach.", False),
    ("Still photographs show the damage to the bridge.", False),
    ("Still the pace of job losses is slowing.", True),
    ("Butler County officials said three people died.", False),
])
def test_a_sentence_that_goes_on_from_the_one_before_points_outside(text: str, outside: bool) -> None:
    """"Then along came Trump." and "But Page … told…" stood in NeuS briefs after sentences of other articles, where
    the "then" and the "but" no longer follow from anything."""
    from service.brief.evidence import points_outside

    assert points_outside(text) is outside


@pytest.mark.parametrize(("text", "left_open"), [
    ("Late Monday night, CNN published a story titled “U.S.", True),
    ('The network aired a segment called "Inside the', True),
    ("The mayor said: “We will rebuild the bridge by the spring.”", False),
    ("“We will rebuild the bridge,” the mayor said. “It will take a year.", True),
    ('Officials said the 5" pipe burst on Monday.', False),
    ("More than 1,000 agents hit the caps, director Randolph “Tex″ Alles told USA Today.", False),
    ('Cuccinelli became acting head of USCIS in June, in the newly created role of “principal deputy director."',
     False),
    ("The ministry said the talks would resume in the U.S.", False),
])
def test_a_quotation_opened_and_never_closed_is_told_apart(text: str, left_open: bool) -> None:
    from service.brief.evidence import quotation_left_open

    assert quotation_left_open(text) is left_open


def test_an_excerpt_that_stops_on_an_ellipsis_does_not_lend_its_last_sentence(pipeline: Pipeline) -> None:
    """Feeds and crawls keep an article's first paragraphs and mark the cut with "...": 582 of AllSides dev's 645
    articles end so, and 78 of 912 brief sentences were such ends ("Ghani ... told the country he was...")."""
    documents = [
        {"text": "The council voted on Tuesday to close the riverside library at the end of the year. "
                 "The mayor said the building needs repairs the city cannot pay for. Residents plan to..."},
        {"text": "The city council voted Tuesday to shut the riverside library when the year ends. "
                 "Council members cited the cost of repairs. The library opened in 1962 and lends..."}]
    [story] = run(pipeline, documents, max_words=80, mode="extractive").stories
    assert story.brief.sentences and not any(s.text.endswith("...") for s in story.brief.sentences)


@pytest.mark.parametrize(("text", "cut"), [
    ("The House Democrats, led by lead manager Jamie B. Raskin (D-Md.", True),
    ("Residents plan to…", True),
    ("The court has a 6-3 conservative . . .", True),
    ("He said the talks would “go on and on…”", True),
    ("The bill (which the House (narrowly) passed", True),
    ("Sen. Chris Van Hollen (D-Md.) said the vote would come on Friday.", False),
    ("The mayor said the bridge would reopen by spring.", False),
])
def test_an_article_end_cut_off_is_told_apart(text: str, cut: bool) -> None:
    from service.brief.evidence import ends_cut_off

    assert ends_cut_off(text) is cut


def test_an_article_that_stops_inside_a_quotation_does_not_lend_its_last_sentence(pipeline: Pipeline) -> None:
    """A NeuS article on Kim Jong Un's health ends 'published a story titled “U.S.': the text was cut off there, and
    the brief briefed it as a finished sentence."""
    cut = ("Late Monday night, CNN, citing a U.S. official, said that North Korean leader Kim Jong Un was in grave "
           "danger after surgery and published a story titled “U.S.")
    documents = [
        {"text": "Kim Jong Un had surgery, officials say.\n\nU.S. intelligence indicates that North Korean leader Kim "
                 "Jong Un recently had cardiovascular surgery, NBC News reported Tuesday, citing American officials.\n"
                 f"South Korean officials said they had no sign of an emergency in Pyongyang.\n{cut}"},
        {"text": "Reports on Kim's health.\n\nNorth Korean leader Kim Jong Un recently had cardiovascular surgery, "
                 "according to U.S. intelligence cited by NBC News on Tuesday.\n"
                 "CNN, citing a U.S. official, said that Kim Jong Un was in grave danger after surgery on Monday."}]
    [story] = run(pipeline, documents, max_words=80, mode="extractive").stories
    assert not any(s.text.endswith("“U.S.") for s in story.brief.sentences), [s.text for s in story.brief.sentences]


def test_a_sentence_inside_someone_s_quotation_is_never_briefed(pipeline: Pipeline) -> None:
    """The middle sentence of a three-sentence quotation has no quote mark of its own: briefed, it would state the
    speaker's claim in the brief's voice. A stray quote mark costs no more than its own paragraph."""
    from service.brief.evidence import inside_quotations
    from service.read.text import normalize

    text = ("Georgia election officials said on Friday that a video promoted by the Trump campaign showed normal ballot "
            "processing. President Trump's lawyer, Rudy Giuliani, wrote on Twitter the same day: “The video tape "
            "doesn’t lie. Fulton County Democrats stole the election. It’s now beyond doubt.” Officials said each "
            "ballot in the footage had been counted once.\n\n"
            "A stray quote mark “ stood in the county's statement. The count went on.\n\n"
            "The state's voting system manager, Gabriel Sterling, said investigators had reviewed the whole tape.")
    document = normalize(0, "ga", text, frozenset({"en"}))
    flags = dict(zip((s.text for s in document.body), inside_quotations(document.body, document.text)))
    assert [s for s, inside in flags.items() if inside] == ["Fulton County Democrats stole the election.",
                                                             "It’s now beyond doubt.”", "The count went on."], flags
    [story] = run(pipeline, [{"id": "ga", "text": text}], max_words=200, mode="extractive").stories
    texts = [s.text for s in story.brief.sentences]
    assert "Georgia election officials said on Friday" in texts[0] and len(texts) >= 3, texts
    assert not any("stole the election" in t and "Giuliani" not in t for t in texts), texts


PENTAGON = ("The Pentagon on Wednesday ordered military troops to get the COVID-19 vaccine as soon as possible, according "
            "to a memo from Defense Secretary Lloyd Austin obtained by AP.\n\nWhy it matters: Pentagon spokesperson John "
            "Kirby said Wednesday that \"on the active duty force, 68% is fully vaccinated, and we estimate just over 76% "
            "have at least one dose.\"\n\nHere are figures Kirby provided, by branch:\n\nArmy: 40% fully vaccinated with "
            "57% with one dose.\n\nMarine Corps: 53% fully vaccinated, 60% with one dose.\n\nNavy: 73% fully vaccinated, "
            "79% with at least one dose.")  # Axios, allsides_dev e5756


def test_a_set_up_for_what_follows_is_never_briefed(pipeline: Pipeline) -> None:
    """What "Here are figures Kirby provided, by branch:" introduces follows it in the article, not in the brief
    (allsides_dev's briefs of this article told it, with one figure after it or none)."""
    brief = run(pipeline, [{"id": "axios", "text": PENTAGON}], max_words=150, mode="extractive").stories[0].brief
    texts = [s.text for s in brief.sentences]
    assert not [t for t in texts if t.rstrip().endswith(":")], texts
    assert any("Army" in t for t in texts) and len(brief.text.split()) > 40


CUT_OFF_EXCERPT = ("For the second time in two major legislative battles, the Trump White House has issued an ultimatum — "
                   "only to back down. In the health care debate, the president was going to force a House vote on the "
                   "package and dare skeptical Republicans to vote against replacing Obamacare, before abandoning that plan "
                   "in the face of defeat. And now, in the government funding debate, he's backing off his previous demand "
                   "that Congress approve funding for his border wall. As The Post's Philip Rucker, Robert Costa and ")
# a neus_val article as its set gives it, cut off mid-sentence


def test_a_sentence_cut_off_before_its_end_is_never_briefed(pipeline: Pipeline) -> None:
    brief = run(pipeline, [{"id": "post", "text": CUT_OFF_EXCERPT}], max_words=120, mode="extractive").stories[0].brief
    texts = [s.text for s in brief.sentences]
    assert texts and not [t for t in texts if "Robert Costa" in t], texts


def test_a_story_told_only_in_a_cut_off_sentence_still_gets_its_brief(pipeline: Pipeline) -> None:
    excerpt = ("U.S. President Donald Trump's former personal lawyer Michael Cohen testified on Tuesday that Trump had "
               "directed him to commit a crime by arranging payments ahead of the 2016 presidential")  # a neus_val excerpt
    brief = run(pipeline, [{"id": "cohen", "text": excerpt}], max_words=80, mode="extractive").stories[0].brief
    assert [s.text for s in brief.sentences] == [excerpt]


def test_a_claim_that_ends_on_a_colon_is_still_briefed(pipeline: Pipeline) -> None:
    """It introduces what the brief leaves out, but it states a claim; only a set-up ("Here are…") says nothing. Told
    after the sentence that ends like one (it is a last resort), within the budget."""
    claim = ("Hillary Clinton and Donald Trump made some inaccurate claims during an NBC “commander-in-chief” forum on "
             "military and veterans issues:")  # a neus_val article's first sentence
    text = ("Fact check: Trump and Clinton at the 'commander-in-chief' forum.\n\n" + claim  # the set's title, its excerpt
            + "\n\nClinton said she had never sent classified material on her private email system.")  # written here
    brief = run(pipeline, [{"id": "factcheck", "text": text}], max_words=80, mode="extractive").stories[0].brief
    assert claim in [s.text for s in brief.sentences]
