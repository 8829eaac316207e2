"""The news desk through its HTTP routes, on SQLite and on a real PostgreSQL server: the same tests on both.

The seeds give real merges and splits: 000-003 report one transfer (37 people), 004 an earlier one
(26). 003 mentions the earlier transfer, so it scores about 0.54 with 004 and 1.0 with 000, and
004 scores about 0.05 with 000. With the collection's story threshold at 0.25, 000 and 004 are two
stories until 003 arrives (the mean of 0.54 and 0.05 reaches 0.25: they merge); 003 and 004 are one
story until 000, 001 and 002 arrive (004's mean falls to about 0.16: it splits off).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from service.desk import store
from service.errors import InvalidRequest
from service.http.app import create_app
from service.pipeline import Pipeline
from service.values.facts import facts_of, names_as_written
from tests.conftest import eventually, seed_documents, with_settings

BRIDGING = {"story_threshold": 0.25}


@pytest.fixture
def seeds_by_number() -> dict[str, dict[str, str]]:
    return {doc["id"][:3]: doc for doc in seed_documents()}


@pytest.fixture
def client(pipeline: Pipeline, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(pipeline=with_settings(pipeline, database_url=database_url, desk_debounce=0))) as http:
        yield http


def add(client: httpx.Client, name: str, documents: list[dict[str, str]], **options: Any) -> dict[str, Any]:
    response = client.post(f"/v1/collections/{name}/documents", json={"documents": documents, "options": options})
    assert response.status_code == 200, response.text
    return dict(response.json())


def briefs_written(client: httpx.Client, name: str) -> list[dict[str, Any]]:
    """The collection's stories once every brief due has been written by the background worker."""
    stories: list[dict[str, Any]] = []

    def settled() -> bool:
        stories[:] = client.get(f"/v1/collections/{name}/stories").json()["stories"]
        return all(not s["brief_pending"] for s in stories)

    eventually(settled, within=120)
    return stories


def test_adding_is_idempotent_by_id_and_by_content(client: TestClient, seeds_by_number: dict[str, dict[str, str]]) -> None:
    first = add(client, "news", [seeds_by_number["000"], seeds_by_number["001"]])
    assert [d["status"] for d in first["documents"]] == ["added", "added"]
    again = add(client, "news", [seeds_by_number["000"], {"id": "renamed", "text": seeds_by_number["001"]["text"]},
                                 {"text": seeds_by_number["002"]["text"]}, {"text": seeds_by_number["002"]["text"] + " "}])
    assert [(d["status"], d["stored_as"]) for d in again["documents"][:2]] == [
        ("already_stored", seeds_by_number["000"]["id"]), ("already_stored", seeds_by_number["001"]["id"])]
    assert again["documents"][2]["status"] == "added" and again["documents"][2]["id"].startswith("doc-")
    # a trailing space, as copies compare texts, is the same text
    assert (again["documents"][3]["status"], again["documents"][3]["stored_as"]) == ("already_stored",
                                                                                  again["documents"][2]["id"])
    unnamed = add(client, "news", [{"text": seeds_by_number["002"]["text"]}])["documents"][0]
    assert unnamed["status"] == "already_stored" and unnamed["stored_as"] == again["documents"][2]["id"]
    collections = client.get("/v1/collections").json()["collections"]
    assert [(c["name"], c["documents"]) for c in collections] == [("news", 3)]
    assert all(d["story_id"] for d in first["documents"] + again["documents"])


def test_a_stored_id_with_other_text_is_a_conflict_that_keeps_the_stored_text(
        client: TestClient, seeds_by_number: dict[str, dict[str, str]]) -> None:
    stored = seeds_by_number["000"]
    add(client, "news", [stored])
    other = {"id": stored["id"], "text": seeds_by_number["004"]["text"]}
    answer = add(client, "news", [other, seeds_by_number["001"]])
    conflict, added = answer["documents"]
    assert (conflict["status"], conflict["stored_as"]) == ("conflict", stored["id"])
    assert repr(stored["id"]) in conflict["reason"] and "not stored" in conflict["reason"]
    assert added["status"] == "added"  # the rest of the batch is stored
    assert client.get(f"/v1/collections/news/documents/{stored['id']}").json()["text"] == stored["text"]
    assert client.get("/v1/collections").json()["collections"][0]["documents"] == 2


@pytest.mark.parametrize("bad_id", [".", "..", "a/b", "/"])
def test_ids_a_url_cannot_reach_are_refused_before_anything_is_stored(client: TestClient, bad_id: str) -> None:
    response = client.post("/v1/collections/desk/documents",
                           json={"documents": [{"id": "fine", "text": "A first report."}, {"id": bad_id, "text": "A report."}]})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "documents[1].id" and "not '.' or '..', and no '/'" in error["message"]
    assert client.get("/v1/collections").json()["collections"] == []


def test_any_other_id_is_reached_by_its_encoded_path_segment(client: TestClient,
                                                             seeds_by_number: dict[str, dict[str, str]]) -> None:
    odd = "wire 1?x=2#part \\ é...."  # no '%': Starlette's TestClient decodes a path twice, a server once
    add(client, "desk", [{"id": odd, "text": seeds_by_number["000"]["text"]}])
    path = f"/v1/collections/desk/documents/{quote(odd, safe='')}"
    found = client.get(path)
    assert found.status_code == 200 and found.json()["id"] == odd
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert client.get("/v1/collections/desk/stories").status_code == 200  # the collection is still there


@pytest.mark.parametrize("name", ["bad name", "../../etc", ".hidden", "a" * 201])
def test_a_collection_name_breaking_the_rule_is_refused_naming_it(client: TestClient, name: str) -> None:
    response = client.post(f"/v1/collections/{quote(name, safe='')}/documents",
                           json={"documents": [{"text": "A report."}]})
    assert response.status_code in (404, 422), response.text  # a '/' in a name is another path: no route
    if response.status_code == 422:
        assert response.json()["error"]["field"] == "path.name"  # by the pattern check_name applies
    with pytest.raises(InvalidRequest, match=re.escape(store.COLLECTION_NAME_RULE)):
        store.check_name(name)
    assert client.get("/v1/collections").json()["collections"] == []


def test_story_ids_stay_and_a_merge_is_recorded(client: TestClient, seeds_by_number: dict[str, dict[str, str]]) -> None:
    first = add(client, "desk", [seeds_by_number["000"], seeds_by_number["004"]], **BRIDGING)
    ids = {d["id"][:3]: d["story_id"] for d in first["documents"]}
    assert ids["000"] != ids["004"]
    second = add(client, "desk", [seeds_by_number["003"]], **BRIDGING)
    kept = second["documents"][0]["story_id"]
    assert kept == ids["000"]  # the larger side, and the older story, keeps its id
    gone = client.get(f"/v1/collections/desk/stories/{ids['004']}").json()
    assert gone["state"] == "merged" and gone["moved_to"] == [kept]
    assert gone["history"][0]["kind"] == "merged_into" and gone["history"][0]["document_ids"] == [seeds_by_number["004"]["id"]]
    story = client.get(f"/v1/collections/desk/stories/{kept}").json()
    assert story["history"][0]["kind"] == "merged_from" and story["history"][0]["story_id"] == ids["004"]
    assert sorted(story["document_ids"]) == sorted(seeds_by_number[n]["id"] for n in ("000", "003", "004"))


def test_a_split_is_recorded_and_the_old_id_points_to_both(client: TestClient,
                                                           seeds_by_number: dict[str, dict[str, str]]) -> None:
    first = add(client, "desk", [seeds_by_number["003"], seeds_by_number["004"]], **BRIDGING)
    story = first["documents"][0]["story_id"]
    assert first["documents"][1]["story_id"] == story
    add(client, "desk", [seeds_by_number["000"]], **BRIDGING)
    last = add(client, "desk", [seeds_by_number["001"], seeds_by_number["002"]], **BRIDGING)
    placed = {d["id"][:3]: d["story_id"] for d in last["documents"]}
    where_004 = client.get("/v1/collections/desk/stories").json()["stories"]
    split = {s["id"]: s for s in where_004}
    assert len(split) == 2 and story in split
    other = next(i for i in split if i != story)
    assert {e["kind"] for e in split[story]["history"]} == {"split_into"}
    assert [e["story_id"] for e in split[other]["history"]] == [story]
    assert placed["001"] == placed["002"]
    moved = split[story]["history"][0]["document_ids"]
    assert moved in ([seeds_by_number["004"]["id"]], [seeds_by_number["003"]["id"]])


def test_changes_since_a_version_list_exactly_what_is_new(client: TestClient,
                                                          seeds_by_number: dict[str, dict[str, str]]) -> None:
    story = add(client, "desk", [seeds_by_number["000"]], **BRIDGING)["documents"][0]["story_id"]
    v1 = briefs_written(client, "desk")[0]
    assert v1["id"] == story and v1["version"] == 1
    add(client, "desk", [seeds_by_number["003"], seeds_by_number["004"]], **BRIDGING)
    v2 = next(s for s in briefs_written(client, "desk") if s["id"] == story)
    assert v2["version"] == 2
    changed = client.get(f"/v1/collections/desk/stories/{story}", params={"since": 1}).json()["changes"]
    assert changed["since_version"] == 1
    assert sorted(s["representative"] for s in changed["new_sources"]) == sorted(
        seeds_by_number[n]["id"] for n in ("003", "004"))
    old_texts = {s["text"] for s in v1["brief"]["sentences"]}
    assert [s["text"] for s in changed["new_sentences"]] == [s["text"] for s in v2["brief"]["sentences"]
                                                              if s["text"] not in old_texts]
    # 004's 26 were transferred months before and 003's 92 is the running total: other quantities, not other
    # counts of the 37 (the disagreements stage's rule: `test_a_new_source_that_counts_otherwise_contradicts`)
    assert changed["contradicted"] == []
    from_start = client.get(f"/v1/collections/desk/stories/{story}", params={"since": 0}).json()["changes"]
    brief_text = " ".join(s["text"] for s in from_start["new_sentences"])
    names = from_start["new_facts"]["names"]
    assert names and all(name in brief_text for name in names), names  # as the brief writes them
    since_time = client.get(f"/v1/collections/desk/stories/{story}",
                            params={"since": changed["since"]}).json()["changes"]
    assert since_time == changed
    nothing = client.get(f"/v1/collections/desk/stories/{story}", params={"since": 2}).json()["changes"]
    assert nothing["new_sources"] == [] and nothing["new_sentences"] == [] and nothing["contradicted"] == []
    malformed = client.get(f"/v1/collections/desk/stories/{story}", params={"since": "²"})  # a digit, not a number
    assert malformed.status_code == 422 and malformed.json()["error"]["field"] == "since"
    for past in ("3", str(2 ** 63), "9" * 30):  # no such version, however large (SQLite's integers stop at 2**63 - 1)
        missing = client.get(f"/v1/collections/desk/stories/{story}", params={"since": past})
        assert missing.status_code == 404 and "no brief version" in missing.json()["error"]["message"]


def test_a_new_source_that_counts_otherwise_contradicts_the_earlier_brief(
        client: TestClient, seeds_by_number: dict[str, dict[str, str]]) -> None:
    story = add(client, "recount", [seeds_by_number["000"]], **BRIDGING)["documents"][0]["story_id"]
    [v1] = briefs_written(client, "recount")
    recount = dict(seeds_by_number["001"], text=seeds_by_number["001"]["text"].replace("37", "36"))
    add(client, "recount", [recount], **BRIDGING)
    briefs_written(client, "recount")
    changed = client.get(f"/v1/collections/recount/stories/{story}", params={"since": 1}).json()["changes"]
    [contradiction] = changed["contradicted"]
    assert contradiction["sentence"]["text"] in {s["text"] for s in v1["brief"]["sentences"]}
    assert "37" in contradiction["sentence"]["text"]
    cited = [recount["text"][c["start"]:c["end"]] for c in contradiction["contradicted_by"]]
    assert cited and all(c["document_id"] == recount["id"] for c in contradiction["contradicted_by"])
    assert all("36" in text for text in cited)


def test_new_names_are_shown_as_written() -> None:
    old = ["Rescuers searched the hills above the town on Monday."]
    new = ["Climbers from New Zealand reached Mt Cook on Tuesday, and Perth’s team followed.",
           "The Bank of England said nothing."]
    added = facts_of(new).names - facts_of(old).names
    assert names_as_written(new, added) == ["New Zealand", "Mt Cook", "Perth", "Bank of England"]


def test_a_burst_of_copies_rewrites_no_brief(client: TestClient, seeds_by_number: dict[str, dict[str, str]]) -> None:
    add(client, "desk", [seeds_by_number["000"]])
    assert briefs_written(client, "desk")[0]["version"] == 1
    for n in range(3):
        copy = {"id": f"copy-{n}", "text": seeds_by_number["000"]["text"] + f"\nUpdated {n}."}
        assert add(client, "desk", [copy])["stories"][0]["brief_pending"] is False
    story = briefs_written(client, "desk")[0]
    assert story["version"] == 1 and len(story["document_ids"]) == 4 and story["sources"] == 1


def test_deleting_a_document_and_a_collection_removes_what_came_from_them(
        client: TestClient, seeds_by_number: dict[str, dict[str, str]]) -> None:
    add(client, "desk", [seeds_by_number[n] for n in ("000", "001", "002")])
    story = briefs_written(client, "desk")[0]
    doomed = seeds_by_number["001"]["id"]
    assert client.delete(f"/v1/collections/desk/documents/{doomed}").status_code == 204
    after = briefs_written(client, "desk")[0]
    assert after["id"] == story["id"] and doomed not in after["document_ids"]
    cited = {c["document_id"] for s in after["brief"]["sentences"] for c in s["citations"]}
    assert doomed not in cited
    versions = client.get(f"/v1/collections/desk/stories/{story['id']}", params={"since": 1})
    assert versions.status_code == 404 and versions.json()["error"]["field"] == "since"  # version 1 cited it
    missing = client.delete(f"/v1/collections/desk/documents/{doomed}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.delete("/v1/collections/desk").status_code == 204
    for path in ("/v1/collections/desk/stories", f"/v1/collections/desk/stories/{story['id']}"):
        response = client.get(path)
        assert response.status_code == 404 and "collection 'desk'" in response.json()["error"]["message"]
    assert client.get("/v1/collections").json()["collections"] == []


def test_a_large_batch_is_a_job_with_progress_events(pipeline: Pipeline, database_url: str) -> None:
    settings = with_settings(pipeline, database_url=database_url, desk_sync_documents=2)
    with TestClient(create_app(pipeline=settings)) as http:
        response = http.post("/v1/collections/desk/documents", json={"documents": seed_documents()})
        assert response.status_code == 202 and response.headers["location"] == f"/v1/jobs/{response.json()['id']}"
        job = response.json()
        assert job["progress"]["stored"] == {"done": 5, "total": 5}
        events = []
        with http.stream("GET", f"/v1/jobs/{job['id']}/events") as stream:
            kind = None
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.append((kind, json.loads(line.removeprefix("data: "))))
        assert events[-1][0] == "done" and {k for k, _ in events[:-1]} <= {"progress"}
        final = http.get(f"/v1/jobs/{job['id']}").json()
        assert final["state"] == "done" and final["progress"]["grouped"] == {"done": 5, "total": 5}
        assert final["progress"]["briefs"]["done"] == final["progress"]["briefs"]["total"] == 2
        assert all(d["story_id"] for d in final["documents"])
        stories = http.get("/v1/collections/desk/stories").json()["stories"]
        assert sorted(len(s["document_ids"]) for s in stories) == [1, 4] and all(s["version"] == 1 for s in stories)


def test_errors_name_what_is_missing_and_keys_and_limits_apply(pipeline: Pipeline, database_url: str) -> None:
    settings = with_settings(pipeline, database_url=database_url, api_keys="k1", max_documents=2)
    with TestClient(create_app(pipeline=settings)) as http:
        assert http.get("/v1/collections").status_code == 401
        keyed = {"Authorization": "Bearer k1"}
        too_many = http.post("/v1/collections/desk/documents", headers=keyed, json={"documents": seed_documents()})
        assert too_many.status_code == 413 and too_many.json()["error"]["field"] == "documents"
        assert http.post("/v1/collections/desk/documents", headers=keyed,
                         json={"documents": seed_documents()[:1]}).status_code == 200
        unknown = http.get("/v1/collections/desk/stories/story-99", headers=keyed)
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "story"
        assert http.get("/v1/jobs/nope", headers=keyed).status_code == 404
        changed = http.post("/v1/collections/desk/documents", headers=keyed,
                            json={"documents": seed_documents()[1:2], "options": {"story_threshold": 0.3}})
        assert changed.status_code == 422 and changed.json()["error"]["field"] == "options.story_threshold"
        bad_name = http.get("/v1/collections/..%20x/stories", headers=keyed)
        assert bad_name.status_code in (404, 422)
        # One path, two routes (GET and DELETE of a stored document): a 405 lists both, as HTTP asks.
        wrong_method = http.post("/v1/collections/desk/documents/any", headers=keyed)
        assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "DELETE, GET"
