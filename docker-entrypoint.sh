#!/bin/sh
# Container start: bring the schema up to date, load the seed and the gazetteer on first
# start (INTERLOCAL_GAZETTEER_LOAD=false skips the gazetteer), then serve.
set -eu
if [ -z "${INTERLOCAL_PUBLIC_URL:-}" ]; then
  echo "WARNING: INTERLOCAL_PUBLIC_URL is not set. Set it to the site's address (e.g." \
    "https://interlocal.example.org): until then the site answers only to the host names" \
    "localhost and 127.0.0.1 (or INTERLOCAL_ALLOWED_HOSTS), and links in e-mails, feeds and" \
    "linked data use the address a request names." >&2
fi
interlocal migrate
if [ "${INTERLOCAL_SEED_ON_START:-1}" = "1" ]; then
  interlocal seed
fi
interlocal gazetteer --if-empty
# One JSON object per log line, for the host's log collector, unless told otherwise.
export INTERLOCAL_LOG_FORMAT="${INTERLOCAL_LOG_FORMAT:-json}"
exec interlocal serve --host "${INTERLOCAL_HOST:-0.0.0.0}" --port "${INTERLOCAL_PORT:-8000}" --workers "${INTERLOCAL_WORKERS:-2}"
