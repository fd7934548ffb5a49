#!/usr/bin/env bash
# Invokes a stack's smoke job synchronously and fails unless its release
# record says every step passed. Usage: invoke-smoke.sh STACK OUTPUT_FILE
set -euo pipefail
stack="$1"
output="$2"
function_name="$(pulumi stack output smokeFunctionName --stack "$stack")"
# The smoke job may run up to Lambda's 15 minutes: wait for it.
aws lambda invoke --function-name "$function_name" --cli-read-timeout 900 --payload '{}' \
  --cli-binary-format raw-in-base64-out "$output" > invoke-metadata.json
if grep -q '"FunctionError"' invoke-metadata.json; then
  echo "the smoke job failed to run on $stack: see its logs" >&2
  exit 1
fi
node "$(dirname "$0")/check-smoke-result.mjs" "$output"
