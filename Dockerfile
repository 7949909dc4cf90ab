# syntax=docker/dockerfile:1
# API Dock: build the project into a virtual environment, then copy only that environment
# (and the migrations) into a slim image that runs as an unprivileged user.

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir .


FROM python:3.11-slim AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_CONFIG=production \
    APP_VAR_DIR=/app/var \
    APIDOCK_ALEMBIC_INI=/app/alembic.ini

RUN groupadd --system --gid 10001 apidock \
    && useradd --system --uid 10001 --gid apidock --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin apidock

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# `apidock deploy` and `apidock db …` read the migrations from here
COPY alembic.ini ./
COPY alembic ./alembic
RUN mkdir -p /app/var && chown apidock:apidock /app/var
VOLUME ["/app/var"]

USER 10001:10001
EXPOSE 8000

# slim has no curl: ask /healthz with the standard library
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["apidock", "serve", "--host", "0.0.0.0", "--port", "8000"]
