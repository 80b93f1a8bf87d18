#!/usr/bin/env bash
# Executes every notebooks/*.ipynb headlessly in the tunelab-java kernel and checks outputs, HTML and a Chromium
# screenshot of each (see environment/run_notebooks.py). Needs environment/install.sh to have run once.
#   bash environment/run-notebooks.sh [notebooks/01-x.ipynb ...] [--startup-timeout 30 --tries 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/notebook-jars.sh"
# Debian's python has nbclient/nbconvert; the python3 first on PATH may be another one without them.
exec /usr/bin/python3 "$here/run_notebooks.py" "$@"
