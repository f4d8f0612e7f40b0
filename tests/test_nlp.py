"""nlp: one pipeline per process, the domain entity ruler, batched parsing with contexts."""

from __future__ import annotations

import pytest

from sitrep import nlp as nlp_stage


def test_pipeline_is_loaded_once_per_process(nlp):
    assert nlp_stage.load() is nlp


def test_unused_components_are_not_loaded(nlp):
    assert "lemmatizer" not in nlp.pipe_names
    assert {"entity_ruler", "entity_ruler_cased"} <= set(nlp.pipe_names)
    assert nlp.pipe_names.index("entity_ruler") < nlp.pipe_names.index("ner")


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("The Syrian Observatory for Human Rights said 12 were killed.", "Syrian Observatory for Human Rights", "ORG"),
        ("Fighters of Harakat al-Nujaba were among the dead.", "Harakat al-Nujaba", "ORG"),
        ("Clashes between the SDF and Turkish-backed factions continued.", "SDF", "ORG"),
        ("Militants from al-Shabaab attacked the base.", "al-Shabaab", "ORG"),
    ],
)
def test_entity_ruler_labels_domain_names(nlp, text, name, label):
    ents = {(e.text, e.label_) for e in nlp(text).ents}
    assert (name, label) in ents


def test_acronyms_match_only_in_their_case(nlp):
    assert not any(e.text == "sdf" for e in nlp("the sdf file was corrupted").ents)


def test_pipe_keeps_contexts_in_order(nlp):
    texts = [(f"Report number {i} from the field.", i) for i in range(70)]
    assert [ctx for _, ctx in nlp_stage.pipe(texts, nlp)] == list(range(70))
