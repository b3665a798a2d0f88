#!/usr/bin/env bash
# `make bench-cluster`: the local cluster set up as make demo sets it up, Multus installed for the
# kernel variants (removed again on exit), then test/bench/cluster.mjs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh
. .ci/demo/lib.sh

bash .ci/demo/setup.sh operator traffic testpmd ovs-dpdk multus
# The host programs and the cache-line probe printed beside each measurement.
make -s -C native
step "Installing Multus for the kernel variants (removed again on exit)"
trap 'multus_release false' EXIT
multus_release true
node test/bench/cluster.mjs
