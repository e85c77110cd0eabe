#!/usr/bin/env bash
# Brings kgrag up with demo data: model, local Neo4j, the example knowledge base (records + documents).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci
bash scripts/setup.sh
node scripts/kgrag.mjs db start
bash scripts/load-demo.sh demo
node scripts/kgrag.mjs stats
echo
echo 'Try:  npx kgrag search "who leads the ingestion service" --collection demo'
echo '      npx kgrag entities list --collection demo --type Person'
echo '      npx kgrag schema --collection demo'
