#!/usr/bin/env bash
# Loads the example knowledge base (examples/) into one collection: the structured records first,
# in foreign-key order, then the documents that talk about the same people, companies and projects.
#
#   bash scripts/load-demo.sh [collection]        # default collection: demo
#
# Re-running is safe: imports update the same nodes (by key) and unchanged documents are skipped.
# Exits non-zero as soon as one step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
collection=${1:-demo}

# A foreign key must point at records that are already loaded: companies before offices (company_id),
# offices before employees (office_id), employees before projects (owner_id), projects before tasks.
imports=(companies.csv offices.json employees.csv projects.csv tasks.csv)

for file in "${imports[@]}"; do
  mapping="examples/mappings/${file%.*}.mapping.json"
  echo "import examples/data/$file -> $collection"
  node scripts/kgrag.mjs import "examples/data/$file" --mapping "$mapping" --collection "$collection"
done

echo "ingest examples/docs -> $collection"
node scripts/kgrag.mjs ingest examples/docs --collection "$collection"
