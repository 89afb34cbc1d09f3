# hotelhub: one image for the API (`hotelhub serve`) and the worker (`hotelhub worker`).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY canonical canonical
COPY pms_core pms_core
COPY connectors connectors
COPY mappings mappings
COPY routes routes
COPY hub hub
COPY examples examples
RUN pip install . && useradd --system --uid 10001 hotelhub && mkdir -p /data && chown hotelhub /data
USER hotelhub
ENV HUB_HTTP_HOST=0.0.0.0 HUB_HTTP_PORT=8080 HUB_CARD_VAULT_KEY_FILE=/data/vault.key
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["hotelhub", "serve"]
