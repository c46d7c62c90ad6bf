#!/bin/sh
# Container start: bring the schema up to date, load the seed and the gazetteer on first
# start (INTERLOCAL_GAZETTEER_LOAD=false skips the gazetteer), then serve.
set -eu
interlocal migrate
if [ "${INTERLOCAL_SEED_ON_START:-1}" = "1" ]; then
  interlocal seed
fi
interlocal gazetteer --if-empty
exec interlocal serve --host "${INTERLOCAL_HOST:-0.0.0.0}" --port "${INTERLOCAL_PORT:-8000}" --workers "${INTERLOCAL_WORKERS:-2}"
