#!/usr/bin/env bash
# Brings kgrag up with demo data: model, local Neo4j, the example knowledge base (records + documents).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci
[[ -f dist/cli/main.js && -f ui/dist/index.html ]] || npm run build
bash scripts/setup.sh
node scripts/kgrag.mjs db start
bash scripts/load-demo.sh demo
bash scripts/load-demo.sh --zh demo-zh
node scripts/kgrag.mjs stats
echo
echo 'Try, in another terminal:'
echo '  npx kgrag ask "How many tasks are overdue?" --collection demo --as-of 2025-06-30'
echo '  npx kgrag ask "Which employees report to Jane Smith?" --collection demo --explain'
echo '  npx kgrag search "who leads the ingestion service" --collection demo'
echo '  npx kgrag schema --collection demo'
echo '  npx kgrag ask "有多少个任务处于阻塞状态?" --collection demo-zh   # the Chinese example (examples/zh)'
echo
# The whole system: the HTTP API (REST, GraphQL) and the web UI at http://127.0.0.1:8080/, on loopback without keys.
# Ctrl-C stops the server; the database keeps running (npx kgrag db stop).
exec node scripts/kgrag.mjs serve --no-auth
