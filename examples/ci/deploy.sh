#!/usr/bin/env bash
# The deploy step of a CI pipeline, shared by github-actions.yml and gitlab-ci.yml:
#
#   examples/ci/deploy.sh SPEC ENVIRONMENT IMAGE
#
# runs `deployctl deploy --wait --output json`, keeps its one JSON document in
# $DEPLOY_RESULT_FILE for later steps and artifacts, and turns deployctl's exit
# code into what the job should do:
#   0  succeeded or nothing to do      → pass
#   1  failed or rolled back           → fail, printing the reason
#   2  invalid spec, image or flags    → fail (deployctl printed each problem)
#   3  another deploy of the app runs  → wait and retry, then fail
#   4  Temporal unreachable            → fail (check TEMPORAL_ADDRESS / credentials)
#
# Settings (environment): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
# TEMPORAL_TLS_* as for deployctl; DEPLOYCTL (the command, default "deployctl");
# DEPLOY_RETRIES (default 3) and DEPLOY_RETRY_DELAY (seconds, default 30) for
# exit 3; DEPLOY_RESULT_FILE (default deploy-result.json); DEPLOY_REQUESTED_BY
# (default: the CI user); DEPLOYFLOW_LABEL_POLICY (a label policy file).
set -uo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 SPEC ENVIRONMENT IMAGE" >&2
  exit 2
fi
spec=$1
environment=$2
image=$3

read -r -a deployctl <<<"${DEPLOYCTL:-deployctl}"
retries=${DEPLOY_RETRIES:-3}
delay=${DEPLOY_RETRY_DELAY:-30}
result=${DEPLOY_RESULT_FILE:-deploy-result.json}
requested_by=${DEPLOY_REQUESTED_BY:-${GITLAB_USER_LOGIN:-${GITHUB_ACTOR:-}}}

args=(deploy -f "$spec" --env "$environment" --image "$image" --wait --output json)
if [ -n "$requested_by" ]; then args+=(--requested-by "$requested_by"); fi

# A field of the result document ("" when absent); deployctl needs node, so node is here.
field() {
  node -e '
    const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const value = process.argv[2].split(".").reduce((o, k) => (o == null ? o : o[k]), doc);
    process.stdout.write(value == null ? "" : String(value));
  ' "$result" "$1" 2>/dev/null
}

# GitHub Actions shows ::error:: lines as annotations; elsewhere they are plain lines.
error() {
  if [ "${GITHUB_ACTIONS:-}" = "true" ]; then echo "::error title=deploy ${environment}::$*"; else echo "ERROR: $*"; fi
}

outputs() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
      echo "outcome=$(field outcome)"
      echo "workflow-id=$(field workflowId)"
      echo "exit-code=$1"
    } >>"$GITHUB_OUTPUT"
  fi
}

attempt=0
while :; do
  attempt=$((attempt + 1))
  echo "deploying $image to $environment ($spec), attempt $attempt"
  "${deployctl[@]}" "${args[@]}" >"$result"
  code=$?
  case $code in
    0)
      echo "$(field outcome): $(field message)"
      echo "workflow: $(field workflowId)${DEPLOYFLOW_TEMPORAL_UI:+ ($(field uiUrl))}"
      outputs 0
      exit 0
      ;;
    1)
      error "$(field outcome): $(field message) (reason: $(field reason))"
      echo "workflow: $(field workflowId)"
      outputs 1
      exit 1
      ;;
    2)
      error "invalid deploy request: $(field error.message); see the problems listed above"
      outputs 2
      exit 2
      ;;
    3)
      if [ "$attempt" -le "$retries" ]; then
        echo "another deploy of this app is running in $environment; retrying in ${delay}s ($attempt of $retries)"
        sleep "$delay"
        continue
      fi
      error "another deploy of this app is still running in $environment after $retries retries: $(field error.message)"
      outputs 3
      exit 3
      ;;
    4)
      error "cannot reach Temporal: $(field error.message) (check TEMPORAL_ADDRESS and the credentials)"
      outputs 4
      exit 4
      ;;
    *)
      error "deployctl exited with unexpected code $code"
      outputs "$code"
      exit "$code"
      ;;
  esac
done
