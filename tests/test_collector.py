"""The garbage collector's pause for large batches: held while any large batch runs, and only then."""

import gc
import threading

import pytest

from service.runtime.collector import PAUSE_FROM_DOCUMENTS, paused_for


@pytest.fixture(autouse=True)
def collector_running():
    gc.enable()
    yield
    gc.enable()


def test_a_small_batch_leaves_the_collector_running():
    with paused_for(PAUSE_FROM_DOCUMENTS - 1):
        assert gc.isenabled()


def test_a_large_batch_pauses_the_collector_until_it_ends_even_when_it_fails():
    with pytest.raises(RuntimeError), paused_for(PAUSE_FROM_DOCUMENTS):
        assert not gc.isenabled()
        raise RuntimeError("a failed batch")
    assert gc.isenabled()


def test_overlapping_batches_resume_collection_when_the_last_one_ends():
    first_inside, first_may_end, first_ended = threading.Event(), threading.Event(), threading.Event()

    def first_batch():
        with paused_for(PAUSE_FROM_DOCUMENTS):
            first_inside.set()
            first_may_end.wait()
        first_ended.set()

    worker = threading.Thread(target=first_batch)
    worker.start()
    first_inside.wait()
    with paused_for(PAUSE_FROM_DOCUMENTS):
        first_may_end.set()
        first_ended.wait()
        assert not gc.isenabled()  # the first batch ended, this one still runs
    worker.join()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with paused_for(PAUSE_FROM_DOCUMENTS):
        pass
    assert not gc.isenabled()
