#!/bin/sh
# Regenerates the obfuscated samples from their sources with the npm package
# javascript-obfuscator (pinned), the obfuscator most JavaScript malware kits use. The outputs
# are committed so tests need no network; run this by hand after changing a source sample.
set -eu
cd "$(dirname "$0")"
VERSION=5.8.0
TOOL="$(mktemp -d)"
trap 'rm -rf "$TOOL"' EXIT
npm install --silent --prefix "$TOOL" "javascript-obfuscator@$VERSION" >/dev/null
OBF="$TOOL/node_modules/.bin/javascript-obfuscator"
# String array with base64 encoding, rotation and shuffling, control-flow flattening and dead
# code: the heavy preset, with a fixed seed so the output is reproducible.
"$OBF" dropper.js --output dropper.obf.js --seed 1337 \
  --compact true --control-flow-flattening true --control-flow-flattening-threshold 1 \
  --dead-code-injection true --dead-code-injection-threshold 0.4 \
  --string-array true --string-array-encoding base64 --string-array-threshold 1 \
  --string-array-rotate true --string-array-shuffle true --split-strings true --split-strings-chunk-length 5 \
  --identifier-names-generator hexadecimal --transform-object-keys true --unicode-escape-sequence false
# The 1,000-line benchmark script: the dropper body repeated with distinct names, obfuscated.
i=0
: > bench.src.js
while [ $i -lt 40 ]; do
  sed "s/\bparts\b/parts$i/g; s/\bp(/p$i(/g; s/function p(i)/function p$i(i)/; s/var \(host\|url\|shell\|target\|xhr\|stream\)\b/var \1$i/g; s/\b\(host\|url\|shell\|target\|xhr\|stream\)\([.,) ;]\)/\1$i\2/g" dropper.js >> bench.src.js
  i=$((i + 1))
done
"$OBF" bench.src.js --output bench.obf.js --seed 7 --compact false \
  --string-array true --string-array-encoding base64 --string-array-threshold 1 \
  --control-flow-flattening true --control-flow-flattening-threshold 0.5 \
  --identifier-names-generator hexadecimal
