# syntax=docker/dockerfile:1
# API Dock: build the project into a virtual environment, then copy only that environment
# (and the migrations) into a slim image that runs as an unprivileged user. The dependencies
# come from requirements.lock, every version pinned and every file checked by its hash, so two
# builds of one commit install the same thing (docs/deployment.md tells how to update the lock).

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
# the locked dependencies first, in a layer of their own: a change of the code keeps it cached
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY src ./src
# the project alone: its dependencies are all in the lock, installed above
RUN pip install --no-cache-dir --no-deps . && pip check


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

# slim has no curl: ask /healthz with the standard library, on the port the server listens on
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["sh", "-c", "exec python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=4)' \"http://127.0.0.1:${PORT:-8000}/healthz\""]

# the port the healthcheck asks: PORT when the container is given one, else 8000
CMD ["sh", "-c", "exec apidock serve --host 0.0.0.0 --port \"${PORT:-8000}\" --deploy"]
