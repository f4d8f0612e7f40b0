"""`python -m sitrep.events`: rebuild the learned event classifier from the corpus (deterministic)."""

from sitrep.events.learned import MODEL_FILE, rebuild

built = rebuild()
print(f"{MODEL_FILE}: {len(built['classes'])} classes, {len(built['features'])} features, corpus {built['corpus_hash']}")
