# Interlocal: the web application, its migrations and its seed data in one image.
ARG PYTHON_IMAGE=python:3.12-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INTERLOCAL_HOST=0.0.0.0 \
    INTERLOCAL_PORT=8000 \
    INTERLOCAL_WORKERS=2 \
    INTERLOCAL_DATABASE_URL=sqlite:////var/lib/interlocal/interlocal.db

WORKDIR /srv/interlocal

# Pango and a font for WeasyPrint, which typesets a practice's one-page PDF. Versions follow
# the base image, which hosts choose (PYTHON_IMAGE), so they are not pinned here.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/interlocal --shell /usr/sbin/nologin interlocal

COPY pyproject.toml README.md alembic.ini docker-entrypoint.sh ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
# Editable, so the app finds migrations/ and seed/ beside it in /srv/interlocal.
RUN pip install --no-cache-dir -e . \
    && chmod 0755 docker-entrypoint.sh

USER 10001:10001
EXPOSE 8000
VOLUME ["/var/lib/interlocal"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('INTERLOCAL_PORT', '8000'), timeout=4)"]
ENTRYPOINT ["./docker-entrypoint.sh"]
