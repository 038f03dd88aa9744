#!/usr/bin/env bash
# Make the test Neo4j available: install java/mvn if this machine lacks them, build the launcher.
# .ci/run calls this before pytest; tests/conftest.py then starts Neo4j itself (CI=true: must start).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  echo "neo4j.sh: installing a JDK and Maven (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
fi
start=$(date +%s)
(cd "$here/tools/neo4j-launcher" && mvn -q -B package)
echo "neo4j.sh: launcher built in $(( $(date +%s) - start )) s ($here/tools/neo4j-launcher/target)" >&2
