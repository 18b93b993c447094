"""The classifier splits words with jieba's dictionary alone (its HMM guesses cost a quarter of
a message's time and no accuracy: docs/dispatch.md); the hot spots still let jieba guess place
names; and a model trained before keeps the words it was trained on."""

import pickle

from jiceng.dispatch import classifier
from jiceng.dispatch.classifier import Classifier

TEXT = "玛纳斯县包家店镇停水"


def test_a_new_model_reads_dictionary_words_only():
    analyzer = Classifier().word_vec.build_analyzer()
    assert analyzer(TEXT) == ["玛纳斯县", "包", "家", "店", "镇", "停水"]


def test_the_hot_spots_topic_words_still_guess_place_names():
    assert "包家店" in classifier.words(TEXT)


def test_a_model_trained_before_keeps_its_words_after_a_pickle_round_trip():
    old = Classifier()
    old.word_vec.analyzer = classifier.words  # how models trained before this change pickled
    again = pickle.loads(pickle.dumps(old))
    assert "包家店" in again.word_vec.build_analyzer()(TEXT)
    new = pickle.loads(pickle.dumps(Classifier()))
    assert "包家店" not in new.word_vec.build_analyzer()(TEXT)
