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
# The demo configuration, as an example to copy: a deployment mounts its own at /config.
COPY examples examples
# /data holds what the hub writes (the card vault key, an embedded SQLite database); it belongs to
# the non-root user, and a named volume mounted there starts out with that owner.
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home hotelhub \
    && mkdir -p /data /config \
    && chown hotelhub:hotelhub /data
USER hotelhub
WORKDIR /data
# Listening on every address of the container needs HUB_API_TOKEN: without it `serve` refuses to start.
ENV HUB_HTTP_HOST=0.0.0.0 HUB_HTTP_PORT=8080 \
    HUB_DATABASE_URL=sqlite+aiosqlite:////data/hotelhub.db \
    HUB_CARD_VAULT_KEY_FILE=/data/vault.key
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["hotelhub", "serve"]
