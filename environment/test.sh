#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages, the Java Jupyter kernel), then runs the whole suite.
#   bash environment/test.sh
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash environment/install.sh </dev/null
exec mvn -B test </dev/null
