package dev.tunelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Declared options of one subcommand and their parsed values. Options are {@code --name value} or
 * {@code --name=value}; flags take no value. Anything undeclared is a {@link UsageException}.
 */
public final class Args {
    private record Spec(String name, boolean flag, String valueName, String help, String defaultValue) {}

    private final String command;
    private final Map<String, Spec> specs = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private String positional;

    public Args(String command) {
        this.command = command;
        flag("help", "show this help and exit");
    }

    public Args option(String name, String valueName, String help) {
        specs.put(name, new Spec(name, false, valueName, help, null));
        return this;
    }

    public Args option(String name, String valueName, String help, String defaultValue) {
        specs.put(name, new Spec(name, false, valueName, help, defaultValue));
        return this;
    }

    /** Lets one bare argument (e.g. `tunelab sync DIR`) stand for {@code --name value}. */
    public Args positional(String name) {
        if (!specs.containsKey(name) || specs.get(name).flag) {
            throw new IllegalArgumentException("positional argument must be a declared option: " + name);
        }
        positional = name;
        return this;
    }

    public Args flag(String name, String help) {
        specs.put(name, new Spec(name, true, null, help, null));
        return this;
    }

    public Args parse(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") && positional != null && !values.containsKey(positional)) {
                values.put(positional, a);
                continue;
            }
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "' (see tunelab " + command + " --help)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Spec spec = specs.get(name);
            if (spec == null) {
                throw new UsageException(command + ": unknown option --" + name + " (see tunelab " + command + " --help)");
            }
            if (spec.flag) {
                if (value != null) {
                    throw new UsageException(command + ": --" + name + " takes no value");
                }
                values.put(name, "true");
            } else {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(command + ": --" + name + " needs a value <" + spec.valueName + ">");
                    }
                    value = argv[++i];
                }
                values.put(name, value);
            }
        }
        return this;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean flagSet(String name) {
        return "true".equals(values.get(name));
    }

    /** The value, the declared default, or null. */
    public String get(String name) {
        Spec spec = specs.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("undeclared option " + name);
        }
        return values.getOrDefault(name, spec.defaultValue);
    }

    public String require(String name) {
        String v = get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return v;
    }

    public Path path(String name) {
        String v = get(name);
        return v == null ? null : Path.of(v);
    }

    public int intValue(String name, int min, int max) {
        String v = get(name);
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new UsageException(command + ": --" + name + " must be between " + min + " and " + max + ", got " + v);
            }
            return n;
        } catch (NumberFormatException | NullPointerException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + v + "'");
        }
    }

    public double doubleValue(String name, double minExclusive, double max) {
        String v = get(name);
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d > minExclusive) || d > max || Double.isNaN(d)) {
                throw new UsageException(command + ": --" + name + " must be > " + minExclusive + " and <= " + max + ", got " + v);
            }
            return d;
        } catch (NumberFormatException | NullPointerException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + v + "'");
        }
    }

    public String choice(String name, String... allowed) {
        String v = get(name);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new UsageException(command + ": --" + name + " must be one of " + String.join("|", allowed) + ", got '" + v + "'");
    }

    public List<String> list(String name) {
        String v = get(name);
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    public String help(String summary) {
        StringBuilder sb = new StringBuilder("usage: tunelab ").append(command).append(" [options]\n\n").append(summary).append("\n\noptions:\n");
        for (Spec s : specs.values()) {
            String left = "  --" + s.name + (s.flag ? "" : " <" + s.valueName + ">");
            sb.append(String.format("%-28s %s", left, s.help));
            if (s.defaultValue != null) {
                sb.append(" (default: ").append(s.defaultValue).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
