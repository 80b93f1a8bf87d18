#!/usr/bin/env bash
# Builds the library when its sources changed, lays out lib/target/notebook-jars/ (the TuneLab jar plus links to every
# runtime dependency) and writes lib/target/tunelab-notebook.jar, an empty jar whose manifest Class-Path lists them
# all, so one line loads the library with every dependency in a notebook (from notebooks/):
#   %jars ../lib/target/tunelab-notebook.jar
# TUNELAB_NOTEBOOK_EXCLUDE: an extended regex of jar file names to leave out (e.g. 'pytorch-native-cpu' on a GPU
# image where DJL downloads the CUDA natives itself).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/lib/target"
out="$target/notebook-jars"

newest_jar() { ls -t "$target"/tunelab-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' -e 'tunelab-notebook.jar' | head -n1; }
jar="$(newest_jar || true)"
if [ -z "$jar" ] || [ ! -f "$target/classpath.txt" ] \
   || [ -n "$(find "$root/lib/src/main" "$root/lib/pom.xml" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "notebook-jars: building the library (mvn -B -q -DskipTests package)"
  (cd "$root" && mvn -B -q -DskipTests package </dev/null)
  jar="$(newest_jar)"
fi

rm -rf "$out.tmp" && mkdir -p "$out.tmp"
ln -s "$jar" "$out.tmp/$(basename "$jar")"
IFS=":" read -r -a deps <<< "$(cat "$target/classpath.txt")"
for dep in "${deps[@]}"; do
  [ -f "$dep" ] || { echo "notebook-jars: missing dependency $dep (run mvn package)" >&2; exit 1; }
  if [ -n "${TUNELAB_NOTEBOOK_EXCLUDE:-}" ] && basename "$dep" | grep -Eq -- "$TUNELAB_NOTEBOOK_EXCLUDE"; then
    continue
  fi
  ln -sf "$dep" "$out.tmp/$(basename "$dep")"
done
rm -rf "$out" && mv "$out.tmp" "$out"

# Class-Path entries are relative to the jar's folder; manifest lines are wrapped at 72 bytes.
python_bin=/usr/bin/python3
[ -x "$python_bin" ] || python_bin="$(command -v python3)"
"$python_bin" - "$target" <<'PY'
import os, sys, zipfile
target = sys.argv[1]
jars = sorted(os.listdir(os.path.join(target, "notebook-jars")))
def wrap(line):
    b, out = line.encode(), []
    out.append(b[:72]); b = b[72:]
    while b:
        out.append(b" " + b[:71]); b = b[71:]
    return b"\r\n".join(out) + b"\r\n"
manifest = (wrap("Manifest-Version: 1.0") + wrap("Created-By: TuneLab environment/notebook-jars.sh")
            + wrap("Class-Path: " + " ".join("notebook-jars/" + j for j in jars)) + b"\r\n")
path = os.path.join(target, "tunelab-notebook.jar")
with zipfile.ZipFile(path + ".tmp", "w") as z:
    z.writestr("META-INF/MANIFEST.MF", manifest)
os.replace(path + ".tmp", path)
PY
echo "notebook-jars: lib/target/tunelab-notebook.jar -> $(ls "$out" | wc -l) jars in ${out#$root/}"
