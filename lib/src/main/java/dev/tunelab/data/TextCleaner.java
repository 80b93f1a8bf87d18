package dev.tunelab.data;

import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text normalisation as a plain configuration record; {@link #standard()} = NFC + control characters removed +
 * whitespace normalised. Add HTML stripping and PII masking with the {@code with*} methods.
 *
 * @param nfc          Unicode NFC composition
 * @param stripHtml    remove tags (script/style with their content) and decode entities
 * @param controlChars replace C0/C1 control characters (except tab/newline) and zero-width marks by a space
 * @param whitespace   collapse runs of spaces/tabs to one space, trim lines, at most one blank line
 * @param maskEmails   replace e-mail addresses by {@code [EMAIL]}
 * @param maskPhones   replace phone numbers (7+ digits, common separators) by {@code [PHONE]}
 */
public record TextCleaner(boolean nfc, boolean stripHtml, boolean controlChars, boolean whitespace,
                          boolean maskEmails, boolean maskPhones) {
    private static final Pattern SCRIPT = Pattern.compile("(?is)<(script|style)\\b[^>]*>.*?</\\1\\s*>");
    private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?-->");
    private static final Pattern BLOCK = Pattern.compile("(?i)<\\s*(br|/p|/div|/li|/h[1-6]|/tr)\\b[^>]*>");
    private static final Pattern TAG = Pattern.compile("</?[A-Za-z][A-Za-z0-9:-]*(\\s[^<>]*)?/?>|<![A-Za-z][^<>]*>");
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    private static final Pattern PHONE = Pattern.compile(
            "(?<![\\w+])(\\+\\d{1,3}[ .-]?)?(\\(\\d{1,4}\\)[ .-]?)?\\d{2,4}([ .-]?\\d{2,4}){1,3}(?![\\w])");
    private static final Pattern SPACES = Pattern.compile("[\\t\\x0B\\f \\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000]+");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");

    public static TextCleaner standard() {
        return new TextCleaner(true, false, true, true, false, false);
    }

    public static TextCleaner none() {
        return new TextCleaner(false, false, false, false, false, false);
    }

    public TextCleaner withHtmlStripping() {
        return new TextCleaner(nfc, true, controlChars, whitespace, maskEmails, maskPhones);
    }

    public TextCleaner withEmailMasking() {
        return new TextCleaner(nfc, stripHtml, controlChars, whitespace, true, maskPhones);
    }

    public TextCleaner withPhoneMasking() {
        return new TextCleaner(nfc, stripHtml, controlChars, whitespace, maskEmails, true);
    }

    public TextCleaner withPiiMasking() {
        return new TextCleaner(nfc, stripHtml, controlChars, whitespace, true, true);
    }

    public String apply(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        if (nfc) {
            s = Normalizer.normalize(s, Normalizer.Form.NFC);
        }
        if (stripHtml) {
            s = stripHtml(s);
        }
        if (controlChars) {
            s = removeControlChars(s);
        }
        if (maskEmails) {
            s = EMAIL.matcher(s).replaceAll("[EMAIL]");
        }
        if (maskPhones) {
            s = maskPhones(s);
        }
        if (whitespace) {
            s = normalizeWhitespace(s);
        }
        return s;
    }

    public static String stripHtml(String s) {
        String t = COMMENT.matcher(s).replaceAll(" ");
        t = SCRIPT.matcher(t).replaceAll(" ");
        t = BLOCK.matcher(t).replaceAll("\n");
        t = TAG.matcher(t).replaceAll(" ");
        return HtmlEntities.decode(t);
    }

    public static String removeControlChars(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    continue;
                }
                sb.append('\n');
            } else if (c == '\n' || c == '\t') {
                sb.append(c);
            } else if (Character.getType(c) == Character.CONTROL) {
                sb.append(' ');
            } else if (c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == '\uFEFF') {
                continue;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    public static String normalizeWhitespace(String s) {
        String t = s.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n');
        t = SPACES.matcher(t).replaceAll(" ");
        StringBuilder sb = new StringBuilder(t.length());
        for (String line : t.split("\n", -1)) {
            sb.append(line.strip()).append('\n');
        }
        return BLANK_LINES.matcher(sb).replaceAll("\n\n").strip();
    }

    private static String maskPhones(String s) {
        Matcher m = PHONE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String found = m.group();
            long digits = found.chars().filter(Character::isDigit).count();
            boolean separated = !found.chars().allMatch(Character::isDigit);
            m.appendReplacement(sb, digits >= 7 && digits <= 15 && (separated || found.startsWith("+"))
                    ? "[PHONE]" : Matcher.quoteReplacement(found));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
