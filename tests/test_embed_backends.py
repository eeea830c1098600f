"""The ONNX backends against the torch model they are exported from (real model, real runtime)."""
import numpy as np
import pytest

from indexer.embed import Embedder

TEXTS = ["US won't send troops to Ukraine, even for non-combat missions, the White House spokesman says.",
         "Port Aldren council approves the estuary flood barrier after a long debate.",
         "short",
         "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought."]


@pytest.fixture(scope="module")
def torch_vectors():
    return np.array(Embedder(None, "torch").encode(TEXTS))


@pytest.mark.parametrize("backend, floor", [("onnx", 0.9999), ("onnx-int8", 0.98)])
def test_onnx_backends_agree_with_torch(backend, floor, torch_vectors, tmp_path):
    embedder = Embedder(None, backend, home=tmp_path)
    vectors = np.array(embedder.encode(TEXTS))
    assert vectors.shape == torch_vectors.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors * torch_vectors).sum(axis=1).min() >= floor
    assert embedder.model_id.endswith(f"@{backend}") and embedder.info.backend == backend
    assert list((tmp_path / "onnx").rglob("*.onnx"))  # exported under MORGUE_HOME, not downloaded


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="onnx-int8"):
        Embedder(None, "tensorrt")
