#!/usr/bin/env bash
# Installs the Java Jupyter kernel TuneLab's notebooks run in: rapaio-jupyter-kernel from Maven Central, plus a
# one-class start-up fix, with a kernel.json written here (the kernel's own installer writes under user.home).
#   TUNELAB_KERNEL_DIR   where the kernel goes (default: $JUPYTER_DATA_DIR or ~/.local/share/jupyter, /kernels/tunelab-java)
#   JAVA                 the java binary for kernel.json (default: $JAVA_HOME/bin/java, else java on PATH)
#   TUNELAB_DJL_OFFLINE  true (default) or false: false lets DJL download natives (e.g. CUDA ones on a GPU image)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

RJK_VERSION=3.0.1
RJK_SHA256=cffac185dafff9a4d62ffdbeb357822b56931c41421c576314a84d3605addd09
kernel_name=tunelab-java
kernel_dir="${TUNELAB_KERNEL_DIR:-${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels/$kernel_name}"
jar="$kernel_dir/rapaio-jupyter-kernel-$RJK_VERSION.jar"
fix_src="$here/kernel-fix/org/rapaio/jupyter/kernel/channels/LoopThread.java"
fix_dir="$kernel_dir/startup-fix"
fix_class="$fix_dir/org/rapaio/jupyter/kernel/channels/LoopThread.class"

if [ -n "${JAVA:-}" ]; then java_bin="$JAVA"
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java_bin="$JAVA_HOME/bin/java"
else java_bin="$(readlink -f "$(command -v java)")"; fi
[ -x "$java_bin" ] || { echo "install-kernel: no java found (set JAVA or JAVA_HOME)" >&2; exit 1; }
javac_bin="$(dirname "$java_bin")/javac"
[ -x "$javac_bin" ] || javac_bin="$(command -v javac || true)"
[ -n "$javac_bin" ] || { echo "install-kernel: javac not found (install a JDK, not only a JRE)" >&2; exit 1; }

mkdir -p "$kernel_dir"
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$RJK_SHA256" ]; }
if ! sha_ok "$jar"; then
  echo "install-kernel: fetching io.github.padreati:rapaio-jupyter-kernel:$RJK_VERSION from Maven Central"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # run outside any project so Maven does not read a pom.xml
  (cd "$tmp" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact="io.github.padreati:rapaio-jupyter-kernel:$RJK_VERSION" -DoutputDirectory="$tmp/out" </dev/null)
  sha_ok "$tmp/out/rapaio-jupyter-kernel-$RJK_VERSION.jar" \
    || { echo "install-kernel: SHA-256 of the downloaded kernel jar does not match $RJK_SHA256" >&2; exit 1; }
  mv -f "$tmp/out/rapaio-jupyter-kernel-$RJK_VERSION.jar" "$jar.tmp" && mv -f "$jar.tmp" "$jar"
fi

if [ ! -f "$fix_class" ] || [ "$fix_src" -nt "$fix_class" ]; then
  rm -rf "$fix_dir.tmp" && mkdir -p "$fix_dir.tmp"
  "$javac_bin" --release 17 -d "$fix_dir.tmp" "$fix_src"
  rm -rf "$fix_dir" && mv "$fix_dir.tmp" "$fix_dir"
fi
mkdir -p "$kernel_dir/mima_cache"

python_bin=/usr/bin/python3
[ -x "$python_bin" ] || python_bin="$(command -v python3)"
"$python_bin" - "$kernel_dir" "$java_bin" "$fix_dir:$jar" "${TUNELAB_DJL_OFFLINE:-true}" <<'PY'
import json, os, sys
kernel_dir, java, classpath, offline = sys.argv[1:5]
spec = {
    "argv": [java, "-Djava.awt.headless=true", "-Dai.djl.offline=" + offline, "-Dai.djl.default_engine=PyTorch",
             "-Dorg.slf4j.simpleLogger.log.ai.djl=warn", "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
             "-Dorg.slf4j.simpleLogger.log.ai.djl.onnxruntime.engine.OrtEngine=error",
             "-Dorg.slf4j.simpleLogger.log.ai.djl.repository.SimpleRepository=error",
             "-cp", classpath, "org.rapaio.jupyter.kernel.MainApp", "{connection_file}"],
    "display_name": "Java (TuneLab, rapaio 3.0.1)",
    "language": "java",
    "interrupt_mode": "message",
    "env": {"RJK_COMPILER_OPTIONS": "", "RJK_TIMEOUT_MILLIS": "-1", "RJK_INIT_SCRIPT": "", "RJK_CLASSPATH": "",
            "RJK_MIMA_CACHE": os.path.join(kernel_dir, "mima_cache")},
    "metadata": {"tunelab": "rapaio-jupyter-kernel 3.0.1 with environment/kernel-fix (start-up race fix)"},
}
target = os.path.join(kernel_dir, "kernel.json")
with open(target + ".tmp", "w") as f:
    json.dump(spec, f, indent=1)
    f.write("\n")
os.replace(target + ".tmp", target)
PY
echo "install-kernel: kernel 'tunelab-java' ready in $kernel_dir"
