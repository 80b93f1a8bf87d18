package dev.tunelab.notebook;

import dev.tunelab.chart.Figure;
import dev.tunelab.report.Report;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

import javax.imageio.ImageIO;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a value into a MIME bundle: charts and images → image/png, tables and objects with {@code toHtml()} →
 * text/html, everything else → text/plain. Pure: no kernel involved, so it is testable anywhere.
 */
public final class MimeRenderer {
    /** Tables longer than this are cut in the HTML view (the text view says how many rows were left out). */
    public static final int MAX_TABLE_ROWS = 50;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private MimeRenderer() {}

    public static MimeBundle render(Object value) {
        if (value == null) {
            return MimeBundle.text("null");
        }
        if (value instanceof MimeBundle bundle) {
            return bundle;
        }
        if (value instanceof Figure figure) {
            return png(figure.png(), "Figure: " + figure.title() + " (" + figure.width() + "x" + figure.height() + ")");
        }
        if (value instanceof Chart<?, ?> chart) {
            return image(BitmapEncoder.getBufferedImage(chart), "Chart: " + chartTitle(chart));
        }
        if (value instanceof RenderedImage image) {
            return image(image, "Image " + image.getWidth() + "x" + image.getHeight());
        }
        if (value instanceof Table table) {
            return MimeBundle.of(Map.of(MimeBundle.HTML, TableHtml.render(table, MAX_TABLE_ROWS),
                    MimeBundle.TEXT, table.printAll()));
        }
        if (value instanceof Report report) {
            return MimeBundle.of(Map.of(MimeBundle.HTML, report.html(), MimeBundle.TEXT, "TuneLab report"));
        }
        if (value instanceof Path path) {
            return file(path);
        }
        if (value instanceof CharSequence text) {
            return MimeBundle.text(text.toString());
        }
        Map<String, String> entries = new LinkedHashMap<>();
        stringMethod(value, "toHtml").ifPresent(html -> entries.put(MimeBundle.HTML, html));
        stringMethod(value, "toMarkdown").ifPresent(md -> entries.put(MimeBundle.MARKDOWN, md));
        entries.put(MimeBundle.TEXT, String.valueOf(value));
        return MimeBundle.of(entries);
    }

    static MimeBundle image(RenderedImage image, String caption) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer for image type " + image.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode image as PNG: " + e.getMessage(), e);
        }
        return png(out.toByteArray(), caption);
    }

    static MimeBundle png(byte[] png, String caption) {
        return MimeBundle.of(Map.of(MimeBundle.PNG, Base64.getEncoder().encodeToString(png), MimeBundle.TEXT, caption));
    }

    /** A .png file is shown as an image, a .html file as HTML, a .md file as Markdown, anything else as text. */
    private static MimeBundle file(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".png")) {
                return png(Files.readAllBytes(path), path.toString());
            }
            String text = Files.readString(path);
            if (name.endsWith(".html") || name.endsWith(".htm")) {
                return MimeBundle.of(Map.of(MimeBundle.HTML, text, MimeBundle.TEXT, path.toString()));
            }
            if (name.endsWith(".md")) {
                return MimeBundle.of(Map.of(MimeBundle.MARKDOWN, text, MimeBundle.TEXT, text));
            }
            return MimeBundle.text(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot display file " + path + ": " + e.getMessage(), e);
        }
    }

    private static String chartTitle(Chart<?, ?> chart) {
        String title = chart.getTitle();
        return title == null || title.isBlank() ? chart.getClass().getSimpleName() : title;
    }

    private static java.util.Optional<String> stringMethod(Object value, String name) {
        try {
            Method m = value.getClass().getMethod(name);
            if (m.getReturnType() != String.class || Modifier.isStatic(m.getModifiers())) {
                return java.util.Optional.empty();
            }
            m.setAccessible(true);
            return java.util.Optional.ofNullable((String) m.invoke(value));
        } catch (NoSuchMethodException | IllegalAccessException | RuntimeException e) {
            return java.util.Optional.empty();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(value.getClass().getName() + "." + name + "() failed: "
                    + e.getCause(), e.getCause());
        }
    }
}
