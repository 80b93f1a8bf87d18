#!/usr/bin/env bash
# Installs what TuneLab, its tests and its notebooks need on Debian bookworm, then the Java Jupyter kernel.
# Idempotent and quiet when nothing is missing; runs as root (or with passwordless sudo); never prompts (CI=true).
#   bash environment/install.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  line="$(printf '%s' "$line" | tr -d '[:space:]')"
  [ -n "$line" ] && packages+=("$line")
done < "$here/debian-packages.txt"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install: apt-get install ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install: not root and no sudo; install as root: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
  echo "install: all ${#packages[@]} Debian packages present"
fi

bash "$here/install-kernel.sh"

# Test-only: JJava's display library (no kernel), so the notebook tests can check TuneLab's display bridge against
# its real renderer. It goes into the local Maven repository only.
m2="$HOME/.m2/repository"
if [ ! -f "$m2/org/dflib/jjava/jjava-jupyter/1.0-a6/jjava-jupyter-1.0-a6.jar" ]; then
  echo "install: fetching org.dflib.jjava:jjava-jupyter:1.0-a6 (test-only) from Maven Central"
  (cd "$(mktemp -d)" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:get \
      -Dartifact=org.dflib.jjava:jjava-jupyter:1.0-a6 -Dtransitive=false </dev/null)
fi
