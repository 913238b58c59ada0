# syntax=docker/dockerfile:1
# pauseai-widget: build the wheel, install it in a slim image, run as a non-root user.
#
#   docker build -t pauseai-widget .                       # bundled sample data
#   docker build --build-arg DATA_DIR=data -t pauseai-widget .   # bake ./data instead
#   docker run -p 8080:8080 -e WIDGET_PUBLIC_URL=http://localhost:8080 pauseai-widget

FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements/run.txt ./requirements/run.txt
# The locked build backend (hatchling), then the wheel built without fetching anything else.
RUN pip install --require-hashes --no-deps -r requirements/run.txt
COPY pyproject.toml README.md ./
COPY widget ./widget
COPY templates ./templates
COPY static ./static
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /dist .

FROM python:3.11-slim
# The event data served: a directory in the build context, baked into the image.
ARG DATA_DIR=widget/sample_data
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WIDGET_DATA_DIR=/srv/data \
    PORT=8080 \
    WEB_CONCURRENCY=1
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin widget
COPY --from=build /dist/ /tmp/dist/
COPY requirements/run.txt /tmp/run.txt
# Exactly the locked versions (hashes checked), then the wheel itself without resolving.
RUN pip install --require-hashes --no-deps -r /tmp/run.txt \
    && pip install --no-deps /tmp/dist/*.whl && rm -rf /tmp/dist /tmp/run.txt
COPY --chown=root:root ${DATA_DIR} /srv/data
USER widget
WORKDIR /srv
EXPOSE 8080
# `serve` runs WEB_CONCURRENCY worker processes (its --workers default): one per core of the
# machine size (fly.toml sets it beside [[vm]]), each a whole service on the shared port.
# Forwarded headers are trusted only from Fly's proxy (its private 172.16.0.0/12 range) and
# are used for logs only: absolute URLs always come from WIDGET_PUBLIC_URL.
CMD ["pauseai-widget", "serve", "--host", "0.0.0.0", "--port", "8080", \
     "--proxy-headers", "--forwarded-allow-ips", "172.16.0.0/12", "--graceful-seconds", "20"]
