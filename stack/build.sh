#!/usr/bin/env bash
# Builds the local stack's binaries from Go modules (see stack/README.md).
# Everything lands outside the clone, keyed by the pinned versions, so a fresh
# clone (CI) reuses what an earlier run built and only builds what is missing.
#
#   DEPLOYFLOW_STACK_CACHE  cache root (default: ~/.cache/deployflow-stack)
#   --topology production   also the Temporal server, its SQL schema tool and the
#                           standalone Web UI server (the dev stack needs none of them)
#
# Prints the bin folder on its last line.
set -euo pipefail

topology=dev
while [ $# -gt 0 ]; do
  case $1 in
    --topology) topology=${2:-}; shift 2 ;;
    --topology=*) topology=${1#*=}; shift ;;
    *) echo "usage: build.sh [--topology dev|production]" >&2; exit 2 ;;
  esac
done
case $topology in dev | production) ;; *) echo "build.sh: unknown topology '$topology' (dev or production)" >&2; exit 2 ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache=${DEPLOYFLOW_STACK_CACHE:-$HOME/.cache/deployflow-stack}
key="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_temporal-${TEMPORAL_CLI_VERSION}"
bin="$cache/bin/$key"
mkdir -p "$bin"

export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOTOOLCHAIN=local
export GOFLAGS="-mod=readonly -trimpath" CGO_ENABLED=0

log() { printf '[stack:build] %s\n' "$*" >&2; }

bash "$here/install-packages.sh" golang-go
# kwok v0.8.0's go.mod says go 1.26.0, and GOTOOLCHAIN=local forbids fetching a newer Go.
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [ "$go_minor" -lt 26 ]; then
  log "Go 1.26 or newer is needed, found $(go env GOVERSION): see https://go.dev/dl/"
  exit 1
fi

# build NAME MODULE_DIR LDFLAGS PACKAGE... : builds the packages whose binaries are missing.
build() {
  local name=$1 dir=$2 ldflags=$3; shift 3
  local missing=()
  for pkg in "$@"; do
    [ -x "$bin/$(basename "$pkg")" ] || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "$name: cached"
    return
  fi
  log "$name: building ${missing[*]}"
  local start=$SECONDS
  # Build into a scratch folder and move in at the end, so an interrupted
  # build never leaves a half-written binary that looks cached.
  local tmp
  tmp=$(mktemp -d "$bin/.build-XXXXXX")
  (cd "$here/go/$dir" && go build -ldflags "$ldflags" -o "$tmp/" "${missing[@]}")
  mv "$tmp"/* "$bin/" && rmdir "$tmp"
  log "$name: built in $((SECONDS - start))s"
}

# build_as NAME MODULE_DIR LDFLAGS BINARY=PACKAGE... : the same for packages whose
# last path element is not a usable binary name (two of Temporal's are `server`).
build_as() {
  local name=$1 dir=$2 ldflags=$3; shift 3
  local missing=()
  for pair in "$@"; do
    [ -x "$bin/${pair%%=*}" ] || missing+=("$pair")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "$name: cached"
    return
  fi
  log "$name: building ${missing[*]}"
  local start=$SECONDS tmp
  tmp=$(mktemp -d "$bin/.build-XXXXXX")
  for pair in "${missing[@]}"; do
    (cd "$here/go/$dir" && go build -ldflags "$ldflags" -o "$tmp/${pair%%=*}" "${pair#*=}")
  done
  mv "$tmp"/* "$bin/" && rmdir "$tmp"
  log "$name: built in $((SECONDS - start))s"
}

k8s_minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

total=$SECONDS
build temporal temporal "-s -w" github.com/temporalio/cli/cmd/temporal
build etcd etcd "-s -w" deployflow.local/stack/etcd
# kwokctl is not built: stack/lifecycle.ts runs kwok itself.
build kwok kwok "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
build kubernetes kubernetes "$k8s_ldflags" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
if [ "$topology" = production ]; then
  # Same module as the CLI, so the server and UI packages it compiled are reused.
  build_as temporal-production temporal "-s -w" \
    temporal-server=go.temporal.io/server/cmd/server \
    temporal-sql-tool=go.temporal.io/server/cmd/tools/sql \
    temporal-ui-server=github.com/temporalio/ui-server/v2/cmd/server
fi
log "all binaries ready in $((SECONDS - total))s"
echo "$bin"
