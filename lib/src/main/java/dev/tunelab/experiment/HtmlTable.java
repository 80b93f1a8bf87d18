package dev.tunelab.experiment;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Renders a Tablesaw table as an escaped HTML table with numbers formatted for reading. */
public final class HtmlTable {
    private HtmlTable() {}

    public static String render(Table t) {
        StringBuilder sb = new StringBuilder("<table class=\"tunelab-table\">\n<thead><tr>");
        for (Column<?> c : t.columns()) {
            sb.append("<th>").append(escape(c.name())).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (int row = 0; row < t.rowCount(); row++) {
            sb.append("<tr>");
            for (Column<?> c : t.columns()) {
                Object v = c.get(row);
                boolean number = v instanceof Number;
                sb.append(number ? "<td class=\"num\">" : "<td>").append(escape(format(v))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody>\n</table>").toString();
    }

    public static String format(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN()) {
                return "–";
            }
            double a = Math.abs(d);
            if (a != 0 && (a < 0.001 || a >= 1e6)) {
                return String.format("%.3g", d);
            }
            return String.format(a >= 100 ? "%.1f" : "%.4f", d);
        }
        return String.valueOf(v);
    }

    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
