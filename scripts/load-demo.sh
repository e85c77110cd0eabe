#!/usr/bin/env bash
# Loads the example knowledge base (examples/) into one collection: the structured records first,
# in foreign-key order, then the documents that talk about the same people, companies and projects.
#
#   bash scripts/load-demo.sh [collection]        # default collection: demo
#   bash scripts/load-demo.sh --zh [collection]   # the Chinese example (examples/zh), default collection: demo-zh
#
# Re-running is safe: imports update the same nodes (by key) and unchanged documents are skipped.
# Exits non-zero as soon as one step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
base=examples
default_collection=demo
if [[ ${1:-} == --zh ]]; then
  base=examples/zh
  default_collection=demo-zh
  shift
fi
collection=${1:-$default_collection}

# A foreign key must point at records that are already loaded: companies before offices (company_id),
# offices before employees (office_id), employees before projects (owner_id), projects before tasks.
imports=(companies.csv offices.json employees.csv projects.csv tasks.csv)

for file in "${imports[@]}"; do
  mapping="$base/mappings/${file%.*}.mapping.json"
  echo "import $base/data/$file -> $collection"
  node scripts/kgrag.mjs import "$base/data/$file" --mapping "$mapping" --collection "$collection"
done

echo "ingest $base/docs -> $collection"
node scripts/kgrag.mjs ingest "$base/docs" --collection "$collection"

# Communities of the entity graph, for whole-collection questions ("What are the main topics?").
# A question would compute them itself; doing it here keeps the first one fast.
echo "communities -> $collection"
node scripts/kgrag.mjs communities --collection "$collection"
