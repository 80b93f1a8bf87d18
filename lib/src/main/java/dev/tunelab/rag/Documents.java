package dev.tunelab.rag;

import dev.tunelab.data.Example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Loads documents from dataset examples or from text, Markdown and HTML files. */
public final class Documents {
    private static final Pattern TITLE = Pattern.compile("(?is)<title[^>]*>(.*?)</title>");
    private static final Pattern DROP_BLOCKS = Pattern.compile("(?is)<(script|style|head|noscript)[^>]*>.*?</\\1\\s*>");
    private static final Pattern BLOCK_TAGS = Pattern.compile("(?i)</?(p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|pre|blockquote)[^>]*>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
    private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?-->");
    private static final Pattern ENTITY = Pattern.compile("&(#x?[0-9a-fA-F]+|[a-zA-Z]+);");
    private static final Map<String, String> ENTITIES = Map.of("amp", "&", "lt", "<", "gt", ">", "quot", "\"",
            "apos", "'", "nbsp", " ", "mdash", "—", "ndash", "–", "hellip", "…");

    private Documents() {}

    /**
     * One document per example; {@code textField} is "input", "target" or a field name. The title is taken from
     * {@code titleField} when given (e.g. "focus"), the url from a "url" field, the source from a "source" field.
     */
    public static List<Document> fromExamples(List<Example> examples, String textField, String titleField) {
        List<Document> docs = new ArrayList<>(examples.size());
        for (Example e : examples) {
            String text = value(e, textField);
            if (text == null) {
                throw new IllegalArgumentException("example " + e.id() + " has no field '" + textField + "'");
            }
            String title = titleField == null ? null : value(e, titleField);
            Map<String, String> fields = new HashMap<>(e.fields());
            docs.add(new Document(e.id(), text,
                    new Document.Metadata(e.field("source"), title, e.field("url"), 0, null, fields)));
        }
        return docs;
    }

    /**
     * One document per dataset row: text from {@code textColumn}, title from {@code titleColumn} (may be null), the
     * row's "source"/"url" columns when present, every column kept as a metadata field, id = the row id.
     */
    public static List<Document> fromDataset(dev.tunelab.data.Dataset dataset, String textColumn, String titleColumn) {
        if (!dataset.columns().contains(textColumn)) {
            throw new IllegalArgumentException("the dataset has no column '" + textColumn + "' (columns: "
                    + String.join(", ", dataset.columns()) + ")");
        }
        List<Document> docs = new ArrayList<>(dataset.size());
        for (int i = 0; i < dataset.size(); i++) {
            Map<String, String> row = dataset.row(i);
            String id = row.getOrDefault(dev.tunelab.data.Dataset.ID, "row-" + i);
            docs.add(new Document(id, row.get(textColumn), new Document.Metadata(row.get("source"),
                    titleColumn == null ? null : row.get(titleColumn), row.get("url"), 0, null, row)));
        }
        return docs;
    }

    /** "input", "target", or any field of the example. */
    public static String value(Example e, String field) {
        return switch (field) {
            case "input" -> e.input();
            case "target" -> e.target();
            default -> e.field(field);
        };
    }

    /** Every .txt/.md/.markdown/.html/.htm file under {@code root} (or the file itself), sorted by path. */
    public static List<Document> fromFiles(Path root) {
        List<Path> files;
        try (Stream<Path> s = Files.isDirectory(root) ? Files.walk(root) : Stream.of(root)) {
            files = s.filter(Files::isRegularFile).filter(p -> kind(p) != null).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(root + ": no .txt, .md or .html files found");
        }
        List<Document> docs = new ArrayList<>();
        for (Path p : files) {
            docs.add(fromFile(p, root));
        }
        return docs;
    }

    static Document fromFile(Path file, Path root) {
        String raw;
        try {
            raw = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String kind = kind(file);
        String name = file.getFileName().toString();
        String title = name.replaceFirst("\\.[^.]+$", "");
        String text;
        if ("html".equals(kind)) {
            Matcher m = TITLE.matcher(raw);
            if (m.find()) {
                title = decodeEntities(m.group(1)).strip();
            }
            text = htmlToText(raw);
        } else if ("md".equals(kind)) {
            text = raw;
            Matcher m = Pattern.compile("(?m)^#\\s+(.+)$").matcher(raw);
            if (m.find()) {
                title = m.group(1).strip();
            }
        } else {
            text = raw;
        }
        String rel = Files.isDirectory(root) ? root.relativize(file).toString() : name;
        return new Document(rel, text.strip(), new Document.Metadata(file.toString(), title, null, 0, null, Map.of()));
    }

    private static String kind(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".html") || n.endsWith(".htm")) {
            return "html";
        }
        if (n.endsWith(".md") || n.endsWith(".markdown")) {
            return "md";
        }
        return n.endsWith(".txt") ? "txt" : null;
    }

    /** Visible text of an HTML page: scripts/styles dropped, block tags become line breaks, entities decoded. */
    public static String htmlToText(String html) {
        String s = COMMENT.matcher(html).replaceAll(" ");
        s = DROP_BLOCKS.matcher(s).replaceAll(" ");
        s = BLOCK_TAGS.matcher(s).replaceAll("\n");
        s = TAG.matcher(s).replaceAll("");
        s = decodeEntities(s);
        List<String> lines = new ArrayList<>();
        for (String line : s.split("\n")) {
            String t = line.replaceAll("[ \\t\\x0B\\f\\r]+", " ").strip();
            if (!t.isEmpty()) {
                lines.add(t);
            }
        }
        return String.join("\n", lines);
    }

    static String decodeEntities(String s) {
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String rep;
            if (e.startsWith("#x") || e.startsWith("#X")) {
                rep = new String(Character.toChars(Integer.parseInt(e.substring(2), 16)));
            } else if (e.startsWith("#")) {
                rep = new String(Character.toChars(Integer.parseInt(e.substring(1))));
            } else {
                rep = ENTITIES.getOrDefault(e.toLowerCase(Locale.ROOT), m.group());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(rep));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Ids must be unique: a duplicate would make retrieval results ambiguous. */
    static void requireUniqueIds(List<Document> docs) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < docs.size(); i++) {
            Integer prev = seen.put(docs.get(i).id(), i);
            if (prev != null) {
                throw new IllegalArgumentException("duplicate document id '" + docs.get(i).id() + "' (documents #"
                        + prev + " and #" + i + ")");
            }
        }
    }
}
