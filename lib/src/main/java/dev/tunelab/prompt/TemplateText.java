package dev.tunelab.prompt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A text with named placeholders such as {@code {text}}. A placeholder is an identifier in braces; {@code {{} and
 * {@code }}} are literal braces; any other brace is kept as written (so JSON snippets survive).
 */
final class TemplateText {
    private sealed interface Part permits Literal, Slot {}

    private record Literal(String text) implements Part {}

    private record Slot(String name) implements Part {}

    private final String source;
    private final List<Part> parts;

    TemplateText(String source) {
        this.source = source;
        this.parts = parse(source);
    }

    String source() {
        return source;
    }

    /** Placeholder names in order of first appearance. */
    Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>();
        for (Part p : parts) {
            if (p instanceof Slot s) {
                names.add(s.name);
            }
        }
        return names;
    }

    boolean has(String name) {
        return placeholders().contains(name);
    }

    /** Fills every placeholder; a placeholder without a value is an error naming it and {@code where}. */
    String render(Map<String, String> values, String where) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Literal l) {
                sb.append(l.text);
            } else {
                String name = ((Slot) p).name;
                String v = values.get(name);
                if (v == null) {
                    throw new IllegalArgumentException(where + ": no value for placeholder {" + name + "}");
                }
                sb.append(v);
            }
        }
        return sb.toString();
    }

    /** The parts before the first {@code {name}} and the parts after it, as two templates. */
    TemplateText[] splitAt(String name) {
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) instanceof Slot s && s.name.equals(name)) {
                return new TemplateText[] {new TemplateText(source, parts.subList(0, i)),
                        new TemplateText(source, parts.subList(i + 1, parts.size()))};
            }
        }
        throw new IllegalArgumentException("no placeholder {" + name + "} in: " + source);
    }

    private TemplateText(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /** The template's literal text with placeholders written back as {@code {name}} (for display). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            sb.append(p instanceof Literal l ? l.text : "{" + ((Slot) p).name + "}");
        }
        return sb.toString();
    }

    private static List<Part> parse(String s) {
        List<Part> out = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                lit.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                lit.append('}');
                i += 2;
            } else if (c == '{') {
                int end = identifierEnd(s, i + 1);
                if (end > i + 1 && end < s.length() && s.charAt(end) == '}') {
                    if (!lit.isEmpty()) {
                        out.add(new Literal(lit.toString()));
                        lit.setLength(0);
                    }
                    out.add(new Slot(s.substring(i + 1, end)));
                    i = end + 1;
                } else {
                    lit.append(c);
                    i++;
                }
            } else {
                lit.append(c);
                i++;
            }
        }
        if (!lit.isEmpty()) {
            out.add(new Literal(lit.toString()));
        }
        return out;
    }

    private static int identifierEnd(String s, int from) {
        int i = from;
        if (i < s.length() && (Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) {
            i++;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
        }
        return i;
    }
}
