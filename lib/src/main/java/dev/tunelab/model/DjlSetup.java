package dev.tunelab.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.nio.file.Path;

/**
 * Makes DJL run from the Maven Central jars alone: offline, PyTorch as default engine, native libraries unpacked
 * under {@link #nativeCacheRoot()}. Must run before DJL's Engine class initialises; every entry point (Models, the
 * CLI, the notebook facade) calls {@link #ensure()} first. Datasets use a separate cache (TUNELAB_CACHE) so that
 * tests can point it at a read-only folder.
 */
public final class DjlSetup {
    private static volatile boolean done;

    private DjlSetup() {}

    public static synchronized void ensure() {
        if (done) {
            return;
        }
        setIfAbsent("ai.djl.offline", envOr("DJL_OFFLINE", "true"));
        setIfAbsent("ai.djl.default_engine", "PyTorch");
        Path cache = nativeCacheRoot();
        setIfAbsent("jna.tmpdir", cache.resolve("jna").toString());
        setIfAbsent("onnxruntime.native.path", cache.resolve("onnxruntime").toString());
        done = true;
    }

    /** Where datasets and downloads are cached: $TUNELAB_CACHE, else ~/.cache/tunelab. */
    public static Path cacheRoot() {
        String env = System.getenv("TUNELAB_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "tunelab");
    }

    /** Where JNA and ONNX Runtime unpack native libraries: $TUNELAB_NATIVE_CACHE, else ~/.cache/tunelab-native. */
    public static Path nativeCacheRoot() {
        String env = System.getenv("TUNELAB_NATIVE_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "tunelab-native");
    }

    /** The device DJL's PyTorch engine would use: the first GPU when present, else the CPU. */
    public static Device defaultDevice() {
        ensure();
        return Engine.getEngine("PyTorch").defaultDevice();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
