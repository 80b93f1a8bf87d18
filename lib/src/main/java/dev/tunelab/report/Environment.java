package dev.tunelab.report;

import java.util.LinkedHashMap;
import java.util.Map;

/** Where the numbers were measured: Java, DJL and PyTorch versions, device, OS, threads. */
public record Environment(Map<String, String> values) {
    public Environment {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Reads versions from the jars on the class path (no engine start). */
    public static Environment current(String device) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        v.put("djl", packageVersion("ai.djl.Device", "unknown"));
        v.put("pytorch_native", nativeVersion());
        v.put("device", device == null ? "cpu" : device);
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        v.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        String omp = System.getenv("OMP_NUM_THREADS");
        v.put("threads", omp == null ? "default (" + Runtime.getRuntime().availableProcessors() + ")" : omp);
        v.put("max_heap_mb", String.valueOf(Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        return new Environment(v);
    }

    private static String packageVersion(String className, String fallback) {
        try {
            Package p = Class.forName(className).getPackage();
            String version = p == null ? null : p.getImplementationVersion();
            if (version == null && p != null) {
                version = p.getSpecificationVersion(); // DJL's jars set only the specification version
            }
            return version == null ? fallback : version;
        } catch (ClassNotFoundException e) {
            return "absent";
        }
    }

    /** The pytorch-native jar's version, read from its file name on the class path. */
    private static String nativeVersion() {
        String cp = System.getProperty("java.class.path", "");
        for (String entry : cp.split(java.io.File.pathSeparator)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("pytorch-native-[a-z0-9]+-([0-9.]+)").matcher(entry);
            if (m.find()) {
                return m.group(1);
            }
        }
        return "unknown";
    }
}
