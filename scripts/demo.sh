#!/usr/bin/env bash
# Brings kgrag up with demo data: model, local Neo4j, example documents.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci
bash scripts/setup.sh
node scripts/kgrag.mjs db start
node scripts/kgrag.mjs ingest examples/docs --collection demo
node scripts/kgrag.mjs stats
echo
echo 'Try:  npx kgrag search "who leads the ingestion service" --collection demo'
