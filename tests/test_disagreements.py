"""The claims stage on sentences of the seed articles: agreed values, real conflicts, other quantities, updates."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, timezone

import numpy as np
import pytest

from bench.disagreements import similar_reports
from eval.disagreements import altered, stated_values
from service.brief import disagreements
from service.brief.disagreements import Claims, compare_claims, variants
from service.brief.evidence import Candidate, WordVectors
from service.brief.verify import Verifier
from service.brief.writers import Draft, DraftSentence
from service.cli.render import render
from service.pipeline import Pipeline, Timer
from service.read.sentences import split_sentences
from service.schemas import BriefRequest, BriefResponse
from service.types import Citation, Evidence, Sentence
from service.values.quantities import Value, values_in
from service.values.readings import Reading, read
from service.values.slots import agree, comparable, compatible, context

# Sentences of seeds 001 and 002 (two outlets), as written there.
LEAD_001 = ("Mexico has extradited 37 cartel members to the United States at the request of the US Department of "
            "Justice, and Mexican President Claudia Sheinbaum said on Wednesday it was an “independent decision” by "
            "her government.")
LEAD_002 = ("Mexico has extradited 37 high-profile cartel operatives to the United States, a move praised by "
            "Washington but framed by President Claudia Sheinbaum as a sovereign decision for Mexican national security.")
TOTAL_002 = ("The latest handover brings the total number of \"high-profile criminals\" extradited from Mexico to the "
             "United States to 92, reflecting deepening, if fraught, bilateral cooperation.")
EARLIER_003 = ("This latest operation brings the total number of extradited prisoners to 92 since the beginning of "
               "Trump’s second administration, following previous transfers of 26 ‘key operatives’ last August and a "
               "similar operation in February.")


def claims_of(pipeline: Pipeline, sentences: list[tuple[int, str]],
              published: dict[int, datetime] | None = None) -> tuple[Claims, list[Candidate]]:
    """Run the stage on (document, text) pairs; each document is its own independent source."""
    candidates = [Candidate(Sentence(doc, n, text, 0, len(text), "body"), 0.0)
                  for n, (doc, text) in enumerate(sentences)]
    vectors = pipeline.embedder.encode([c.sentence.text for c in candidates])
    return compare_claims([c.sentence for c in candidates], vectors, pipeline.window_encoders(), pipeline.parser.parse,
                          published), candidates


@pytest.mark.parametrize(("text", "expected"), [
    ("Mexico handed over thirty-seven inmates.", ("count", "37")),
    ("A $2.5 million deal.", ("money", "2500000")),
    ("About 2,000 homes.", ("count", "2000")),
    ("The third such transfer.", ("ordinal", "3")),
    ("Reid, 33, checked in.", ("age", "33")),
    ("It happened on March 11, 2005.", ("date", "2005-03-11")),
])
def test_values_are_normalised(text: str, expected: tuple[str, str]) -> None:
    assert (values_in(text)[0].kind, values_in(text)[0].value) == expected


def test_weekday_resolves_against_publication_date() -> None:
    [value] = values_in("The transfer took place on Tuesday.", datetime(2026, 1, 22).date())  # a Thursday
    assert value.value == "2026-01-20"


def test_agreeing_outlets_make_a_fact_and_no_disagreement(pipeline: Pipeline) -> None:
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, LEAD_002), (2, TOTAL_002), (3, EARLIER_003)])
    assert not claims.disagreements
    [fact] = [f for f in claims.facts if f.values[0].value == "37"]
    assert fact.values[0].groups == {1, 2}


def test_a_different_count_of_the_same_thing_is_a_conflict(pipeline: Pipeline) -> None:
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, LEAD_002.replace("37", "36"))])
    [slot] = claims.disagreements
    assert slot.status == "conflict" and {v.value for v in slot.values} == {"36", "37"}
    assert {v.value: v.groups for v in slot.values} == {"37": {1}, "36": {2}}


def test_a_total_or_an_earlier_transfer_is_another_quantity(pipeline: Pipeline) -> None:
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, TOTAL_002), (3, EARLIER_003),
                                     (4, LEAD_002.replace("37", "92"))])
    assert {v.value for s in claims.disagreements for v in s.values} == {"37", "92"}  # only the lead pair
    assert not any("26" in {v.value for v in s.values} for s in claims.disagreements)


TOLL = "The death toll from the floods in western Germany rose to {} on Thursday, police said."
LATER_TOLL = "Police said the death toll from the floods in western Germany had risen to {}."


def test_a_toll_rising_in_later_reports_is_an_update_in_publication_order(pipeline: Pipeline) -> None:
    published = {1: datetime(2026, 1, 21, 9, tzinfo=timezone.utc), 2: datetime(2026, 1, 22, 9, tzinfo=timezone.utc)}
    claims, _ = claims_of(pipeline, [(2, LATER_TOLL.format(141)), (1, TOLL.format(103))], published)
    [slot] = claims.disagreements
    assert slot.status == "update" and [v.value for v in slot.values] == ["103", "141"]
    assert claims.one_sided(TOLL.format(103)) is not None and claims.one_sided(LATER_TOLL.format(141)) is None


def test_a_count_of_a_finished_event_stated_otherwise_later_is_a_conflict(pipeline: Pipeline) -> None:
    """An extradition of 37 is not updated by a report of 38 the next day: the two reports disagree."""
    published = {1: datetime(2026, 1, 21, 9, tzinfo=timezone.utc), 2: datetime(2026, 1, 22, 9, tzinfo=timezone.utc)}
    claims, _ = claims_of(pipeline, [(2, LEAD_002.replace("37", "38")), (1, LEAD_001)], published)
    [slot] = claims.disagreements
    assert slot.status == "conflict" and {v.value for v in slot.values} == {"37", "38"}


def test_one_sided_sentences_leave_the_evidence_and_fail_verify(pipeline: Pipeline) -> None:
    altered = LEAD_002.replace("37", "36")
    claims, candidates = claims_of(pipeline, [(1, LEAD_001), (2, altered)])
    assert "36" in (claims.one_sided(LEAD_001) or "") and claims.one_sided("Sheinbaum spoke on Wednesday.") is None
    items = [Evidence(c.sentence, (), 1, 1.0, (Citation(c.sentence.doc, 0, len(c.sentence.text)),), 0.0)
             for c in candidates]
    assert claims.settled(items) == []
    draft = Draft((DraftSentence(LEAD_001, (0,), verbatim=True),))
    result = Verifier(pipeline.embedder, 0.55, pipeline.parser).verify(
        draft, items, max_words=120, word_vectors=WordVectors(pipeline.static), one_sided=claims.one_sided)
    assert not result.sentences and result.rejected[0].reason.startswith("disputed:")


# Three outlets' one-sentence reports of one ruling (neus_val): two "early Wednesday", one "late Tuesday".
MARYLAND = ["A federal judge in Maryland added a new legal blockade to President Trump’s travel ban early Wednesday, "
            "ruling that the White House’s third attempt at “extreme vetting” is still poisoned by the president’s "
            "campaign-season “religious animus” toward Muslims.",
            "A federal judge in Maryland early Wednesday issued a second halt on the latest version of President "
            "Trump’s travel ban, asserting that the president’s own comments on the campaign trail and on Twitter "
            "convinced him that the directive was akin to an unconstitutional Muslim ban.",
            "A federal judge in Maryland delivered a second blow to President Trump's latest travel ban late Tuesday, "
            "arguing that the president's own words make clear that his focus is not on national security but on "
            "instituting a ban against Muslims."]


def test_a_story_whose_every_sentence_states_one_side_is_still_briefed(pipeline: Pipeline) -> None:
    """Three outlets' one-sentence reports of a ruling, one "late Tuesday", two "early Wednesday" (neus_val): every
    sentence states one side, and the brief was empty. It tells its best sentence's side now, and only that side;
    the disagreement beside it shows both."""
    texts = MARYLAND
    request = BriefRequest.model_validate({"documents": [{"text": t} for t in texts], "options": {"mode": "extractive"}})
    [story] = pipeline.run(request).stories
    assert [{v.value for v in slot.values} for slot in story.disagreements] == [{"tuesday", "wednesday"}]
    assert story.brief.sentences and all(s.text in texts for s in story.brief.sentences)
    day = "Tuesday" if "Tuesday" in story.brief.sentences[0].text else "Wednesday"
    assert all(day in s.text for s in story.brief.sentences)
    cited = [texts[int(c.document_id.removeprefix("doc-")) - 1][c.start:c.end]  # support states that day too
             for s in story.brief.sentences for c in s.citations]
    assert cited and all(day in quote for quote in cited)


def test_support_that_tells_another_side_is_no_support(pipeline: Pipeline) -> None:
    """A brief sentence that tells one side cites no report that gives the other value in its slot, and keeps one
    that tells its side beside another day."""
    claims, candidates = claims_of(pipeline, list(enumerate(MARYLAND)))
    tuesday, wednesday = candidates[2].sentence, candidates[1].sentence
    text = "A federal judge in Maryland blocked President Trump's latest travel ban late Tuesday, after a hearing on Monday."
    beside = Sentence(3, 0, text, 0, len(text), "body")
    item = Evidence(tuesday, (wednesday, beside), 3, 1.0,
                    tuple(Citation(s.doc, 0, len(s.text)) for s in (tuesday, wednesday, beside)), 0.0)
    [told], _ = claims.for_brief([item])
    assert told.support == (beside,) and [c.doc for c in told.citations] == [2, 3] and told.sources == 2


def test_seeds_story_has_no_disagreement_and_the_brief_reads_sources_differ(pipeline: Pipeline,
                                                                            seeds: list[dict[str, str]]) -> None:
    response = pipeline.run(BriefRequest.model_validate({"documents": seeds, "options": {"mode": "extractive"}}))
    story = next(s for s in response.stories if "000_b857a9c903a3f681" in s.document_ids)
    assert story.disagreements == [] and any(f.value == "37" for f in story.facts)
    assert "Sources differ" not in render(response)
    shown = BriefResponse.model_validate(response.model_dump() | {"stories": [story.model_dump() | {"disagreements": [
        {"kind": "count", "slot": "number of cartel members", "status": "conflict", "values": [
            {"value": "37", "written": "37", "sources": 1, "document_ids": ["a"],
             "citations": [{"document_id": "a", "start": 0, "end": 20}]},
            {"value": "36", "written": "thirty-six", "sources": 1, "document_ids": ["b"],
             "citations": [{"document_id": "b", "start": 5, "end": 40}]}]}]}]})
    assert "Sources differ:\n  number of cartel members: 37 (a 0-20) vs thirty-six (b 5-40)" in render(shown)


def test_openapi_documents_disagreements_with_an_example() -> None:
    schema = BriefResponse.model_json_schema()["$defs"]["DisagreementOut"]
    [example] = schema["examples"]
    assert example["status"] == "conflict" and len(example["values"]) == 2


def test_settled_drops_one_sided_support_and_its_citation(pipeline: Pipeline) -> None:
    claims, candidates = claims_of(pipeline, [(1, LEAD_001), (2, LEAD_002.replace("37", "36")), (3, TOTAL_002)])
    lead, other, total = (c.sentence for c in candidates)
    citations = tuple(Citation(s.doc, s.start, s.end) for s in (total, lead, other))
    item = Evidence(total, (lead, other), 3, 1.0, citations, 0.0)
    [kept] = claims.settled([item])
    assert kept.support == () and kept.sources == 1 and kept.citations == (Citation(total.doc, total.start, total.end),)


def test_a_copy_that_changed_a_count_disagrees_with_its_representative(pipeline: Pipeline,
                                                                       seeds: list[dict[str, str]]) -> None:
    """A syndicated copy lands in its original's duplicate group; the value it changed is still a disagreement,
    between those two documents, each one source. Identical copies add nothing to compare."""
    original = next(s for s in seeds if s["id"].startswith("001"))
    changed = dict(original, id="changed", text=original["text"].replace("37 cartel members", "36 cartel members"))
    documents = [original, *(dict(original, id=f"copy-{n}") for n in range(3)), changed]
    response = pipeline.run(BriefRequest.model_validate({"documents": documents, "options": {"mode": "extractive"}}))
    [story] = response.stories
    [group] = story.duplicate_groups
    assert len(group.members) == 5
    assert story.disagreements  # the lead and the quote each state the count
    for slot in story.disagreements:
        sides = {v.value: (v.document_ids, v.sources) for v in slot.values}
        assert sides == {"37": ([group.representative], 1), "36": (["changed"], 1)}
    assert not any("37 cartel members" in s.text or "36 cartel members" in s.text for s in story.brief.sentences)


def test_only_sentences_a_copy_does_not_share_with_its_representative_are_compared(
        pipeline: Pipeline, seeds: list[dict[str, str]]) -> None:
    original = next(s for s in seeds if s["id"].startswith("001"))
    changed = dict(original, id="changed", text=original["text"].replace("37 cartel members", "36 cartel members"))
    request = BriefRequest.model_validate({"documents": [original, dict(original, id="copy"), changed]})
    grouping = pipeline.group(request, ["001", "copy", "changed"], pipeline.effective(request),
                              Timer(threading.Event()))
    differing, group_of = variants(grouping.stories[0].groups, 40)
    assert len(differing) == 2 and all(s.doc == 2 and "36 cartel members" in s.text for s in differing)
    assert group_of == {2: 0}  # the identical copy (document 1) costs one comparison and adds no sentence


SENT_001 = ("Those sent to the US on Tuesday are said to be members of the powerful Jalisco New Generation Cartel, known "
            "as the Spanish CJNG, and the Sinaloa Cartel, which Washington has designated as terrorist organizations, as "
            "well as many other groups.")
# The same, shortened as another outlet would, with the day changed.
SHORTER_001 = ("Those sent to the US on Thursday are members of the Jalisco New Generation Cartel and the Sinaloa "
               "Cartel.")


def test_a_date_in_a_looser_paraphrase_is_compared_when_event_words_agree(pipeline: Pipeline) -> None:
    """Seed 001's sentence, shortened as another outlet would, with the day changed: below the 0.9 cosine that
    dates otherwise need, the words around the day that are not names ("sent", "members") make it one event."""
    claims, _ = claims_of(pipeline, [(1, SENT_001), (2, SHORTER_001)])
    vectors = pipeline.embedder.encode([SENT_001, SHORTER_001])
    assert 0.75 <= float(vectors[0] @ vectors[1]) < 0.9
    [slot] = claims.disagreements
    assert slot.kind == "date" and {v.value for v in slot.values} == {"tuesday", "thursday"}


def test_a_recurring_day_is_not_a_date_of_the_story() -> None:
    text = "The company ships its security patches on the second Tuesday of every month."
    values = values_in(text)
    [day] = [v for v in values if v.kind == "date"]
    assert context(day, text, values).excluded


def test_a_loose_paraphrase_is_compared_when_the_words_around_the_count_agree(pipeline: Pipeline) -> None:
    """Seed 001's lead retold in other words with another count: the sentences are far apart (0.6 cosine) and
    name the cartel members differently, but the words around the count ("Mexico ... # ... cartel ... to the
    United States") say the same, so the two counts fill one slot."""
    retold = "Mexico sent 36 suspected cartel bosses to the United States on Tuesday at Washington's request."
    vectors = pipeline.embedder.encode([LEAD_001, retold])
    assert float(vectors[0] @ vectors[1]) < 0.75
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, retold)])
    [slot] = claims.disagreements
    assert {v.value: v.groups for v in slot.values} == {"37": {1}, "36": {2}}


def test_a_source_that_states_both_values_counts_two_quantities(pipeline: Pipeline) -> None:
    """Outlet 2 gives 36 in its lead and 37 elsewhere: it knows both numbers, so its 36 is not outlet 1's 37."""
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, LEAD_002.replace("37", "36")),
                                     (2, TOTAL_002.replace("92", "37"))])
    assert not claims.disagreements
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, LEAD_002.replace("37", "36")), (2, TOTAL_002)])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"36", "37"}]


def test_values_far_apart_are_not_two_reports_of_one_quantity(pipeline: Pipeline) -> None:
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, LEAD_002.replace("37", "150"))])
    assert not claims.disagreements
    claims, _ = claims_of(pipeline, [(1, LEAD_001), (2, LEAD_002.replace("37", "90"))])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"37", "90"}]


def test_a_dateline_states_no_claim() -> None:
    text = "22 January 2026, 10:00 (GMT+05:00)"
    values = values_in(text)
    assert values and all(context(v, text, values).excluded for v in values)
    claim = "Mexico sent the 37 prisoners on 22 January 2026."
    assert not any(context(v, claim, values_in(claim)).excluded for v in values_in(claim))


def test_a_weekday_is_compared_with_a_day_another_source_dated(pipeline: Pipeline) -> None:
    """One outlet's "Tuesday" resolves against its publication date; another, undated, says "Thursday": the dated
    day's own weekday says whether the two agree."""
    published = {1: datetime(2026, 1, 22, 9, tzinfo=timezone.utc)}  # a Thursday: its "Tuesday" is 2026-01-20
    claims, _ = claims_of(pipeline, [(1, SENT_001), (2, SHORTER_001)], published)
    [slot] = claims.disagreements
    assert {v.value for v in slot.values} == {"2026-01-20", "thursday"}
    claims, _ = claims_of(pipeline, [(1, SENT_001), (2, SHORTER_001.replace("Thursday", "Tuesday"))], published)
    assert not claims.disagreements


def test_an_age_belongs_to_its_person_whatever_time_words_are_near() -> None:
    """"Last week" marks another time for a count; an age still belongs to the person it names."""
    earlier = "Among those sent last week was 41-year-old Abigael Gonzalez Valencia, the leader of Los Cuinis."
    later = "Abigael Gonzalez Valencia, 43, the leader of Los Cuinis, was among those sent to the United States."
    [a], [b] = ([v for v in values_in(t) if v.kind == "age"] for t in (earlier, later))
    ca, cb = context(a, earlier, values_in(earlier)), context(b, later, values_in(later))
    assert ca.markers != cb.markers and comparable(a, ca, b, cb, 0.7)


def test_values_matched_crosswise_do_not_make_two_occasions(pipeline: Pipeline) -> None:
    """The ordinals of the charges pair up crosswise too ("first" against "second"), but each has its match in the
    other sentence, so the day is the one difference: a conflict, not two occasions."""
    one = ("The jury convicted Ovidio Guzman on Nov. 12 of first-degree murder for killing a guard and second-degree "
           "murder for the death of a driver.")
    other = ("Ovidio Guzman was convicted Nov. 19 of first-degree murder for the death of a guard and second-degree "
             "murder for the death of a driver.")
    claims, _ = claims_of(pipeline, [(1, one), (2, other)])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"11-12", "11-19"}]


def test_dates_written_differently_in_one_sentence_date_two_events(pipeline: Pipeline) -> None:
    one = "The jury convicted Ovidio Guzman on Nov. 12 of first-degree murder for the killing."
    other = "Ovidio Guzman was convicted Nov. 19 of first-degree murder for the killing in 2019, prosecutors said."
    claims, _ = claims_of(pipeline, [(1, one), (2, other)])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"11-12", "11-19"}]


def test_so_far_marks_a_total() -> None:
    text = "Mexico has so far extradited 92 cartel members to the United States."
    [count] = values_in(text)
    assert "total" in context(count, text, values_in(text)).markers
    text = "Mexico extradited far more than 92 cartel members to the United States."
    [count] = values_in(text)
    assert "total" not in context(count, text, values_in(text)).markers


def test_a_weekday_before_a_date_is_one_value_that_keeps_its_year() -> None:
    published = datetime(2026, 1, 22).date()
    [value] = values_in("They were sent on Tuesday, Jan. 20, officials said.", published)
    assert value.value == "2026-01-20"
    [value] = values_in("They were sent on Tuesday, January 20, 2026.")
    assert value.value == "2026-01-20"


def test_a_day_no_calendar_has_agrees_with_no_weekday() -> None:
    assert not compatible("date", "thursday", "2025-02-29") and compatible("date", "sunday", "2025-03-02")


def test_a_value_matched_in_the_other_sentence_makes_no_second_occasion(pipeline: Pipeline) -> None:
    """Both sentences give 37 deaths; 37 against 14 countries pairs up crosswise, but 37 has its match, so the
    countries are the one difference: a conflict, not two occasions."""
    claims, _ = claims_of(pipeline, [(1, "The tsunami killed 37 people in 13 countries."),
                                     (2, "The tsunami killed 37 people in 14 countries.")])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"13", "14"}]


def test_lists_that_differ_on_one_item_disagree(pipeline: Pipeline) -> None:
    """"5 life sentences and four sentences of life" against "seven life sentences and four sentences of life" (ECB+
    3): each sentence counts sentences twice, which alone would read as parts of a whole, but the other side states
    the same "four", so the lists differ on one item."""
    one = "Judge Bodiford sentenced Nichols to 5 life sentences and four sentences of life without parole."
    other = "Judge Bodiford sentenced Nichols to seven life sentences and four sentences of life without parole."
    claims, _ = claims_of(pipeline, [(1, one), (2, other)])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"5", "7"}]


@pytest.mark.parametrize(("text", "excluded"), [
    ("Dozens of tremors have hit the region since 7.6 and 7.5 magnitude quakes struck on Sunday.", [False, False]),
    ("The quakes measured between 7.6 and 7.5 in magnitude on Sunday.", [True, True]),
    ("The quakes measured from 7.6 to 7.5 in magnitude on Sunday.", [True, True]),
    ("Most of the victims were between ages 18 and 24, police said on Sunday.", [True, True]),
])
def test_two_values_joined_by_and_are_a_list_unless_between_makes_them_a_range(text: str,
                                                                                excluded: list[bool]) -> None:
    values = [v for v in values_in(text) if v.kind == "count"]
    assert [context(v, text, tuple(values_in(text))).excluded for v in values] == excluded


def test_the_same_counted_noun_with_shared_words_on_either_side_fills_one_slot(pipeline: Pipeline) -> None:
    """ECB+ 9: "celebrate the 96th anniversary of the Interior Department" against "visited the Interior Department
    to commemorate its 160th anniversary": one anniversary, the department named before the rank on one side and
    after it on the other."""
    one = "Obama also helped celebrate the 96th anniversary of the Interior Department on Tuesday."
    other = ("Obama, who visited the Interior Department to commemorate its 160th anniversary, said he had "
             "instructed Interior and Commerce Department officials to review the Bush rules.")
    claims, _ = claims_of(pipeline, [(1, one), (2, other)])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"96", "160"}]


def test_a_weekday_beside_its_full_date_is_one_value(pipeline: Pipeline) -> None:
    """"On Tuesday, January 20, 2026" states one day twice, not two values of the slot: the other outlet's Thursday
    still disagrees with it."""
    dated = "Those sent to the US on Tuesday, January 20, 2026, are members of the Jalisco New Generation Cartel."
    claims, _ = claims_of(pipeline, [(1, dated), (2, SHORTER_001)])
    [slot] = claims.disagreements
    assert {v.value for v in slot.values} == {"2026-01-20", "thursday"}


def test_a_line_of_statistics_is_compared_only_on_the_same_words_and_unit(pipeline: Pipeline) -> None:
    line = "Mexico sent 37 cartel members, 12 lawyers, 5 pilots and 3 accountants to the United States on Tuesday."
    values = values_in(line)
    assert all(context(v, line, values).crowded and not context(v, line, values).excluded
               for v in values if v.kind == "count")
    claims, _ = claims_of(pipeline, [(1, line), (2, line.replace("37", "36"))])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"36", "37"}]
    assert [f.kind for f in claims.facts] == ["date"]  # its counts are no key claims of the story: a box score
    retold = "Mexico handed 37 cartel members, 12 lawyers, 5 pilots and 3 accountants over to US agents."
    assert "36" in (claims.one_sided(retold) or "")  # verify catches one side retold in other words
    claims, _ = claims_of(pipeline, [(1, line), (2, line.replace("37 cartel members", "36 cartel bosses"))])
    assert not claims.disagreements  # in a line of statistics another unit word is another count


def test_an_average_is_another_quantity_than_a_count() -> None:
    text = "The cartel averaged 37 shipments a month to the United States."
    [count] = [v for v in values_in(text) if v.kind == "count"]
    assert "rate" in context(count, text, values_in(text)).markers


def test_a_time_word_that_completes_a_date_scopes_no_count(pipeline: Pipeline) -> None:
    """"December 15 of this year" dates the elections; "year" there does not make the party count a yearly one,
    so two reports of the count still disagree. A count with "this year" of its own is scoped by it."""
    dated = "The elections scheduled for December 15 of this year will be held on a two-party basis, officials said."
    plain = "The elections planned for December 15 will be held on a four-party basis, officials said."
    count = next(v for v in values_in(dated) if v.kind == "count")
    assert not context(count, dated, values_in(dated)).markers
    claims, _ = claims_of(pipeline, [(1, dated), (2, plain)])
    assert [{v.value for v in s.values} for s in claims.disagreements] == [{"2", "4"}]
    scoped = "The party has won 30 seats this year."
    [seats] = values_in(scoped)
    assert "year" in context(seats, scoped, values_in(scoped)).markers
    last = "The vote of December 15 of last year drew 30 parties."
    day = next(v for v in values_in(last) if v.kind == "date")
    assert "other time" in context(day, last, values_in(last)).markers  # the date itself is last year's


def test_comparisons_grow_linearly_with_similar_documents(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four times as many similar reports cost about four times the slot comparisons, not sixteen as when every
    pair of values was compared; what they agree on stays one fact, and one report giving another day is flagged."""
    compared = 0

    def counted(*args: object) -> bool:
        nonlocal compared
        compared += 1
        return comparable(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(disagreements, "comparable", counted)
    comparisons = {}
    for count in (200, 800):
        reports = similar_reports(count)
        reports[7]["text"] = reports[7]["text"].replace("Monday", "Sunday")
        compared = 0
        claims, _ = claims_of(pipeline, [(n, report["text"][start:end]) for n, report in enumerate(reports)
                                         for start, end in split_sentences(report["text"])])
        comparisons[count] = compared
        assert [len(f.values[0].groups) for f in claims.facts if f.values[0].value == "412"] == [count - 1]  # not 7's
        assert [{v.value: len(v.groups) for v in s.values}["sunday"] for s in claims.disagreements] == [1]
    assert comparisons[800] < 6 * comparisons[200]


RESTATED_001 = LEAD_001.replace("said on Wednesday", "stated on Wednesday")


@pytest.mark.parametrize(("other", "counts", "read_closely"), [
    (LEAD_002, {"37"}, []),  # one count: a fact, no window for the sentence model
    (LEAD_002.replace("37", "36"), {"37", "36"}, ["has extradited #"] * 2),
    # the day both give, in the two sentences that differ on the count: its match parts the count from a second
    # difference, so the sentence model reads its words too
    (RESTATED_001.replace("37", "36"), {"37", "36"}, ["has extradited #"] * 2 + ["Sheinbaum said on #",
                                                                                  "Sheinbaum stated on #"]),
])
def test_the_sentence_model_reads_the_words_around_values_only_where_they_differ(
        pipeline: Pipeline, other: str, counts: set[str], read_closely: list[str]) -> None:
    """Values of two sentences that differ on none are read by the static vectors; where the two sentences differ on
    a value, the sentence model reads the words around each of their values."""
    read: list[str] = []

    def exact(texts: list[str]) -> np.ndarray:
        read.extend(texts)
        return pipeline.embedder.encode(texts)

    texts = [LEAD_001, other]
    claims = compare_claims([Sentence(doc, 0, text, 0, len(text), "body") for doc, text in enumerate(texts)],
                            pipeline.embedder.encode(texts), replace(pipeline.window_encoders(), exact=exact),
                            pipeline.parser.parse)
    assert [{v.value for v in slot.values} for slot in (*claims.facts, *claims.disagreements)
            if slot.kind == "count"] == [counts]
    assert len(read) == len(read_closely)
    assert sorted(part for window in read for part in set(read_closely) if part in window) == sorted(read_closely)


def test_slots_are_labelled_for_a_reader(pipeline: Pipeline) -> None:
    """What a fact counts or dates reads as words, not as the raw words before the value ("date: mayor of Lyon
    said on"): the noun after a count up to a preposition, the person an age belongs to, a date as a date."""
    claims, _ = claims_of(pipeline, [
        (1, "The mayor of Lyon said on Tuesday that 12 bridges over the Rhône would close for repairs."),
        (2, "On Tuesday, the mayor of Lyon said 12 bridges over the Rhône would close for repairs."),
        (1, "Robert Buckley, 32, fell about 600 metres while climbing to a hut."),
        (2, "The 32-year-old Robert Buckley fell about 600 metres while climbing to a hut.")])
    assert {f.label: f.values[0].written for f in claims.facts} == {
        "date": "Tuesday", "number of bridges": "12", "age of Robert Buckley": "32", "number of metres": "600"}
    unnamed, _ = claims_of(pipeline, [(1, "Temperatures were minus 20 as firefighters battled the blaze."),
                                      (2, "Temperatures stood at minus 20 as firefighters battled the blaze.")])
    assert [f.label for f in unnamed.facts] == ["number"]  # nothing named after the value: the kind alone


@pytest.mark.parametrize(("round_figure", "precise"), [
    ("a $13 billion acquisition", "a $13.9 billion acquisition"),
    ("five years in prison", "four and a half years in prison"),
    ("roughly 1.5 million signatures", "1,495,709 signatures"),
    ("420 passengers", "416 passengers"),
    ("47 percent of the vote", "46.7 percent of the vote"),
])
def test_a_round_figure_agrees_with_the_precise_one_it_rounds(round_figure: str, precise: str) -> None:
    [a], [b] = values_in(round_figure), values_in(precise)
    assert agree(a, context(a, round_figure), b, context(b, precise))


@pytest.mark.parametrize(("one", "other"), [
    ("20,000 people", "12,000 people"),  # 12,000 rounds to 10,000, not to 20,000
    ("minus 20 degrees", "minus 17 degrees"),  # a whole number under 100 is exact
    ("a $12 billion deal", "a $13.9 billion deal"),
    ("Sixty-year-old suspect", "61-year-old suspect"),  # an age is never rounded
])
def test_figures_that_round_to_neither_disagree(one: str, other: str) -> None:
    [a], [b] = values_in(one), values_in(other)
    assert not agree(a, context(a, one), b, context(b, other))


def test_amounts_in_two_currencies_are_compared_at_the_month_s_rate() -> None:
    euros, pounds = "jewellery worth €103 million", "jewellery worth £88m"
    [a], [b] = values_in(euros), values_in(pounds)
    assert (a.unit, b.unit) == ("EUR", "GBP")
    assert agree(a, context(a, euros), b, context(b, pounds), date(2021, 10, 5))  # 0.85 pounds a euro that month
    assert not agree(a, context(a, euros), b, context(b, pounds), date(2008, 12, 5))  # 0.90: £93m
    assert agree(a, context(a, euros), b, context(b, pounds))  # undated: some month's rate reconciles them
    dollars = "jewellery worth $88 million"
    [c] = values_in(dollars)
    assert not agree(a, context(a, euros), c, context(c, dollars), date(2021, 10, 5))  # $119m that month


def test_amounts_in_a_currency_the_rate_table_lacks_are_never_compared() -> None:
    known_text, unknown_text = "a grant of €5 million", "a grant of 5 million rubles"
    [a] = values_in(known_text)
    money = Value("money", "5000000", 0, 1, (), (), "RUB", 1e6)  # no sign or word of quantities names the ruble
    assert not comparable(a, context(a, known_text), money, context(money, unknown_text), 1.0)


def read_values(pipeline: Pipeline, text: str) -> list[Reading]:
    [doc] = pipeline.parser.parse([text])
    return [read(doc, value) for value in values_in(text)]


def test_the_parse_reads_what_a_number_counts_and_when(pipeline: Pipeline) -> None:
    [crew] = read_values(pipeline, "The ship carried some 420 passengers and crew when it sank.")
    assert (crew.counted, crew.joined) == ("passenger", frozenset({"crew"}))
    [revenue] = read_values(pipeline, "Harry Winston posted $39 billion in revenue last year.")
    assert (revenue.counted, revenue.relative) == ("revenue", frozenset({"last year"}))
    [price] = read_values(pipeline, "The deal values the acquisition at $13.9 billion.")
    assert price.counted == "acquisition"
    germany, _, belgium = read_values(pipeline, "The death toll in Germany climbed to at least 143 on Saturday, "
                                                "while the toll across the border in Belgium stood at 24.")
    assert (germany.places, belgium.places) == (frozenset({"germany"}), frozenset({"belgium"}))
    three, seven = read_values(pipeline, "Gray was hit in the back by three of the seven bullets fired by officers.")
    assert three.part and not seven.part and three.counted == seven.counted == "bullet"
    _, sentence = read_values(pipeline, "In 1959, he received a five-year sentence.")
    assert sentence.years == frozenset({"1959"})


@pytest.mark.parametrize(("one", "other"), [
    ("The ship was carrying some 420 passengers and crew when it sank off the island on Sunday.",
     "The ship was carrying 246 passengers when it sank off the island on Sunday."),
    ("Harry Winston said on Monday that the deal was worth $13 billion in revenue to the group.",
     "Harry Winston said on Monday that the deal valued the acquisition at $11 billion."),
    ("The floods have killed 43 people across western Germany since Wednesday, police said.",
     "The floods have killed 24 people across Belgium since Wednesday, police said."),
    ("Another four people died in hospital after the quake, officials said on Monday.",
     "Twelve people died in hospital after the quake, officials said on Monday."),
    ("An autopsy report revealed Gray was hit by seven bullets, three of them in the back.",
     "Police say Gray's gun was loaded with four bullets but they have not determined whether he fired it."),
])
def test_values_the_parse_reads_as_two_things_are_no_disagreement(pipeline: Pipeline, one: str, other: str) -> None:
    """Passengers and crew against passengers, revenue against a price, two countries, an addition against a
    count, bullets that hit a man against bullets loaded in his gun (two events, no party in common): the words
    around the values link each pair (the slot test alone flags each); the parse parts them."""
    claims, _ = claims_of(pipeline, [(1, one), (2, other)])
    assert not claims.disagreements


def test_the_same_thing_counted_otherwise_is_still_a_disagreement(pipeline: Pipeline) -> None:
    claims, _ = claims_of(pipeline, [
        (1, "The ship was carrying 420 passengers when it sank off the island on Sunday."),
        (2, "The ship was carrying 246 passengers when it sank off the island on Sunday.")])
    [slot] = claims.disagreements
    assert {v.value for v in slot.values} == {"420", "246"}


SEARCHING = "Jose Luis Orozco, 27, was still searching for the gunman who shot his son outside the school, police said."
VERDICT = "The jury found Jose Luis Orozco, 29, guilty of shooting a man outside the school."


def test_an_age_told_at_two_events_is_no_conflict_and_an_update_when_dated(pipeline: Pipeline) -> None:
    claims, _ = claims_of(pipeline, [(1, SEARCHING), (2, VERDICT)])
    assert not claims.disagreements  # undated: 27 at the shooting and 29 at the verdict can both be true
    published = {1: datetime(2011, 3, 2, tzinfo=timezone.utc), 2: datetime(2013, 5, 20, tzinfo=timezone.utc)}
    claims, _ = claims_of(pipeline, [(1, SEARCHING), (2, VERDICT)], published)
    [slot] = claims.disagreements
    assert slot.status == "update" and [v.value for v in slot.values] == ["27", "29"]


def test_one_amount_in_two_currencies_is_no_disagreement(pipeline: Pipeline) -> None:
    euros = "Thieves took jewellery worth €103 million from the Harry Winston store in Paris on Thursday."
    pounds = "Thieves took jewellery worth £88m from the Harry Winston store in Paris on Thursday."
    claims, _ = claims_of(pipeline, [(1, euros), (2, pounds)])
    assert not claims.disagreements
    claims, _ = claims_of(pipeline, [(1, euros), (2, pounds.replace("£88m", "£38m"))])
    [slot] = claims.disagreements
    assert {v.value for v in slot.values} == {"103000000", "38000000"}


def test_the_rate_table_is_named_where_amounts_in_two_currencies_disagree(pipeline: Pipeline) -> None:
    paris = ("Thieves took jewellery worth {} from the Harry Winston store in Paris on Thursday, police said. "
             "The men, two of them dressed as women, threatened staff with a handgun and escaped on foot.")
    response = pipeline.run(BriefRequest.model_validate({"documents": [
        {"id": "euros", "text": paris.format("€103 million"), "published_at": "2008-12-05T10:00:00Z"},
        {"id": "pounds", "text": paris.format("£38m"), "published_at": "2008-12-05T11:00:00Z"}],
        "options": {"mode": "extractive", "story_threshold": 0.05}}))
    [story] = response.stories
    [slot] = story.disagreements
    assert slot.rates is not None and "ECB" in slot.rates
    assert {v.currency for v in slot.values} == {"EUR", "GBP"}


def test_a_weekday_still_to_come_resolves_forward() -> None:
    tuesday = date(2021, 6, 1)
    said, travel = values_in("The White House said on Monday that Biden will travel to Tulsa on Thursday.", tuesday)
    assert (said.value, travel.value) == ("2021-05-31", "2021-06-03")
    [today] = values_in("Biden will visit Tulsa on Tuesday.", tuesday)
    assert today.value == "2021-06-01"


def test_a_time_word_in_another_clause_marks_no_count() -> None:
    """"last year's primary" dates the primary, not the six hours he waited in line."""
    text = "Rogers was so intent on voting in last year’s primary that he waited six hours to vote."
    [hours] = [v for v in values_in(text) if v.value == "6"]
    assert not context(hours, text, values_in(text)).markers


def test_the_parse_reads_who_an_event_is_done_by_or_to(pipeline: Pipeline) -> None:
    """The parties of a value's event: its subject and object nouns, those joined to them, the agent of a passive,
    their names and titles; never the counted noun nor a pronoun."""
    [hit] = read_values(pipeline, "Seven bullets hit Mr. Gray on the street.")
    assert hit.parties == {"mr.", "gray"}
    [loaded] = read_values(pipeline, "Gray's gun was loaded with four bullets.")
    assert loaded.parties == {"gun"}
    [medals] = read_values(pipeline, "Smith and Jones won 3 medals.")
    assert medals.parties == {"smith", "jones"}
    [kept] = read_values(pipeline, "The title was kept by Wladimir Klitschko in the seventh round.")
    assert {"title", "klitschko"} <= kept.parties
    assert (hit.role, loaded.role, medals.role) == ("agent", "with", "patient")
    [pronoun] = read_values(pipeline, "He won 3 medals.")
    assert pronoun.parties == frozenset()


def test_one_event_told_with_other_verbs_and_titles_is_still_one_quantity(pipeline: Pipeline) -> None:
    """Two verbs ("stopped", "dismantled") are one event when a party is the same, however titled."""
    claims, _ = claims_of(pipeline, [
        (1, "Wladimir Klitschko stopped Hasim Rahman in the seventh round to retain his heavyweight titles."),
        (2, "Heavyweight Champion, Wladimir Klitschko, easily dismantled former champion Hasim Rahman in the "
            "ninth round.")])
    [slot] = claims.disagreements
    assert {v.value for v in slot.values} == {"7", "9"}


def test_one_party_named_two_ways_in_one_event_told_with_two_verbs_still_disagrees(pipeline: Pipeline) -> None:
    """"the Mexican government has handed over 37" and "Mexico has extradited 36": other verbs, the party named two
    ways, but the members are what is handed over in both (the seeds' story with one count changed)."""
    claims, _ = claims_of(pipeline, [
        (1, "In a recent development, the Mexican government has handed over 37 suspected cartel members to American "
            "authorities."),
        (2, "Mexico has extradited 36 cartel members to the United States.")])
    [slot] = claims.disagreements
    assert {v.value for v in slot.values} == {"37", "36"}


def test_a_date_at_the_edge_of_a_stretch_of_time_is_another_slot(pipeline: Pipeline) -> None:
    """"came into 2010 as the leading rusher" and "the leading rusher in 2009" date two seasons, not one."""
    claims, _ = claims_of(pipeline, [
        (1, "Pierre Thomas, the Saints' leading rusher in 2009, was put on injured reserve, the team announced."),
        (2, "Pierre Thomas came into 2010 as the Saints' leading returning rusher, the team announced.")])
    assert not claims.disagreements
    claims, _ = claims_of(pipeline, [
        (1, "Pierre Thomas, the Saints' leading rusher in 2009, was put on injured reserve, the team announced."),
        (2, "Pierre Thomas, the Saints' leading rusher in 2010, was put on injured reserve, the team announced.")])
    assert [{v.value for v in slot.values} for slot in claims.disagreements] == [{"2009", "2010"}]


@pytest.mark.parametrize(("text", "edge"), [
    ("He came into early 2010 as the leading rusher.", {"into"}),
    ("The bill must pass by late Tuesday, officials said.", {"by"}),
    ("He came into Sunday's game with an injured ankle.", set()),  # the game's own day
    ("He was the leading rusher in 2009.", set()),
])
def test_a_date_s_edge_is_read_past_early_and_late_and_not_from_a_possessive(text: str, edge: set[str]) -> None:
    [value] = values_in(text)
    assert context(value, text, values_in(text)).markers == edge


def test_an_altered_copy_never_writes_a_value_either_article_already_states() -> None:
    """Recall's altered copy of "sentenced to seven life sentences and four sentences of life" wrote 4 for seven:
    the copy then stated both numbers, which the stage rightly reads as two quantities. It now moves on to a
    value that neither article states."""
    sentence = "Nichols was sentenced to seven life sentences and four sentences of life without parole."
    assert altered("seven", "count") == "4"
    assert altered("seven", "count", stated_values(sentence)) == "5"
    assert altered("Saturday", "date", stated_values("He flew home on Monday.")) == "Tuesday"
