"""Java emitters for the IR's text functions (TextDerive).

Each function of interchange.ir.kernels.text's TEXT_FUNCTIONS is a static helper doing what the
Python does, value by value, with java.lang and java.util.regex alone: indices, lengths and
slices count code points (Python's characters, not Java's UTF-16 units), case maps with
Locale.ROOT, ``pmml:replace`` / ``pmml:matches`` through java.util.regex (the lift admits only
patterns that mean the same in both), and PMML §TextIndex's words split at the separator and
stripped of ASCII punctuation as ``ir.kernels.text.words``. A missing argument gives a missing
result (null text, NaN number); a number read as text is Python's ``str`` of it (``repr``).
"""

from __future__ import annotations

from interchange.codegen.java.functions import Value, missing
from interchange.codegen.java.lower import Lowering
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter
from interchange.codegen.registry import emitter
from interchange.ir.derive.text import TextDerive
from interchange.ir.kernels.text import TEXT_FUNCTIONS

__all__: list[str] = []

# IR function -> the Java call over the arguments a0, a1, ... (texts as String, integers as long)
CALLS = {
    "s.len": "(double) a0.codePointCount(0, a0.length())",
    "s.substr": "pySubstr(a0, a1, a2)",
    "s.substrto": "pySubstrto(a0, a1, a2, a3)",
    "s.contains": "a0.contains(a1)",
    "s.count": "(double) pyCount(a0, a1)",
    "s.index": "(double) pyIndex(a0, a0.indexOf(a1))",
    "s.rindex": "(double) pyIndex(a0, a0.lastIndexOf(a1))",
    "s.startswith": "a0.startsWith(a1)",
    "s.endswith": "a0.endsWith(a1)",
    "s.concat": "a0 + a1",
    "s.repeat": 'a1 <= 0 ? "" : a0.repeat((int) Math.min(a1, Integer.MAX_VALUE))',
    "s.lower": "a0.toLowerCase(java.util.Locale.ROOT)",
    "s.upper": "a0.toUpperCase(java.util.Locale.ROOT)",
    "s.lstrip": "pyStrip(a0, a1, true, false)",
    "s.rstrip": "pyStrip(a0, a1, false, true)",
    "s.strip": "pyStrip(a0, a1, true, true)",
    "s.replaceall": "a0.replace(a1, a2)",
    "s.replacefirst": "pyReplaceAt(a0, a0.indexOf(a1), a1, a2)",
    "s.replacelast": "pyReplaceAt(a0, a0.lastIndexOf(a1), a1, a2)",
    "s.translate": "pyTranslate(a0, a1, a2)",
    "pmml:replace": "regex(a1).matcher(a0).replaceAll(java.util.regex.Matcher.quoteReplacement(a2))",
    "pmml:matches": "regex(a1).matcher(a0).find()",
    "pmml:termcount": "(double) termCount(a0, a1, a2, a3 != 0)",
    "pmml:termbinary": "termCount(a0, a1, a2, a3 != 0) > 0",
    # PMML 4.4 substring (1-based, clipped), formatNumber (Java's own String.format, as JPMML-Evaluator; -0.0 as 0)
    # and TextIndexNormalization (the JSON table of ir.kernels.text.normalized)
    "pmml:substring": "pySubstr(a0, a1 - 1, a1 - 1 + a2)",
    "pmml:stringLength": "(double) a0.length()",  # UTF-16 code units, as JPMML-Evaluator
    "pmml:formatNumber": "String.format(java.util.Locale.ROOT, a1, a0 + 0.0)",
    "pmml:normalize": "normalized(a0, a1, a2 != 0)",
}

HELPERS["text"] = """
    private static final java.util.Map<String, Object[][]> NORMALIZATIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A JSON text of the table's shape ([[pattern, replacement], ...]) read into its strings. */
    private static java.util.List<String> jsonStrings(String json) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < json.length(); i++) {
            if (json.charAt(i) != '"') continue;
            StringBuilder b = new StringBuilder();
            for (i++; json.charAt(i) != '"'; i++) {
                char c = json.charAt(i);
                if (c == (char) 92) {  // a backslash
                    char e = json.charAt(++i);
                    if (e == 'u') { b.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16)); i += 4; }
                    else b.append(e == 'n' ? (char) 10 : e == 't' ? (char) 9 : e == 'r' ? (char) 13
                        : e == 'b' ? (char) 8 : e == 'f' ? (char) 12 : e);
                } else b.append(c);
            }
            out.add(b.toString());
        }
        return out;
    }

    /** ir.kernels.text.normalized: each [pattern, replacement] of the table replaces every match, in order. */
    private static String normalized(String text, String table, boolean sensitive) {
        Object[][] rules = NORMALIZATIONS.computeIfAbsent((sensitive ? "1" : "0") + table, k -> {
            java.util.List<String> cells = jsonStrings(table);
            Object[][] found = new Object[cells.size() / 2][];
            int flags = sensitive ? 0 : java.util.regex.Pattern.CASE_INSENSITIVE;
            for (int r = 0; r < found.length; r++) {
                found[r] = new Object[] {java.util.regex.Pattern.compile(cells.get(2 * r), flags),
                    java.util.regex.Matcher.quoteReplacement(cells.get(2 * r + 1))};
            }
            return found;
        });
        for (Object[] rule : rules) {
            text = ((java.util.regex.Pattern) rule[0]).matcher(text).replaceAll((String) rule[1]);
        }
        return text;
    }

    /** titus.util.startEnd over a text of length n: Python-style negative indices, clamped, end >= start. */
    private static int[] startEnd(long n, long start, long end) {
        long s = Math.min(Math.max(start >= 0 ? start : n + start, 0), n);
        long e = Math.min(Math.max(end >= 0 ? end : n + end, 0), n);
        return new int[] {(int) s, (int) Math.max(e, s)};
    }

    /** Python's s[a:b], in code points. */
    private static String pySubstr(String s, long a, long b) {
        int[] cp = s.codePoints().toArray();
        int[] se = startEnd(cp.length, a, b);
        return new String(cp, se[0], se[1] - se[0]);
    }

    /** ir.kernels.text.substrto: s[:a] + r + s[b:] after startEnd, in code points. */
    private static String pySubstrto(String s, long a, long b, String r) {
        int[] cp = s.codePoints().toArray();
        int[] se = startEnd(cp.length, a, b);
        return new String(cp, 0, se[0]) + r + new String(cp, se[1], cp.length - se[1]);
    }

    /** ir.kernels.text.count_of: non-overlapping occurrences, 0 for an empty text or needle. */
    private static long pyCount(String h, String n) {
        if (h.isEmpty() || n.isEmpty()) {
            return 0;
        }
        long count = 0;
        for (int i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + n.length())) {
            count++;
        }
        return count;
    }

    /** A UTF-16 index as Python's (code points); -1 stays -1. */
    private static long pyIndex(String h, int at) {
        return at < 0 ? -1 : h.codePointCount(0, at);
    }

    /** Python's str.strip / lstrip / rstrip(chars): any of chars' code points, from either end. */
    private static String pyStrip(String s, String chars, boolean left, boolean right) {
        int[] cp = s.codePoints().toArray();
        java.util.Set<Integer> drop = new java.util.HashSet<>();
        chars.codePoints().forEach(drop::add);
        int a = 0;
        int b = cp.length;
        while (left && a < b && drop.contains(cp[a])) {
            a++;
        }
        while (right && b > a && drop.contains(cp[b - 1])) {
            b--;
        }
        return new String(cp, a, b - a);
    }

    /** s with the occurrence of o at UTF-16 index ``at`` replaced by r (replacefirst / replacelast). */
    private static String pyReplaceAt(String s, int at, String o, String r) {
        return at < 0 ? s : s.substring(0, at) + r + s.substring(at + o.length());
    }

    /** ir.kernels.text.translate: each code point in old becomes new's at its position, or goes when new is shorter. */
    private static String pyTranslate(String s, String oldChars, String newChars) {
        int[] olds = oldChars.codePoints().toArray();
        int[] news = newChars.codePoints().toArray();
        StringBuilder out = new StringBuilder();
        for (int c : s.codePoints().toArray()) {
            int i = -1;
            for (int k = 0; k < olds.length && i < 0; k++) {
                i = olds[k] == c ? k : -1;
            }
            if (i < 0) {
                out.appendCodePoint(c);
            } else if (i < news.length) {
                out.appendCodePoint(news[i]);
            }
        }
        return out.toString();
    }

    private static final java.util.Map<String, java.util.regex.Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private static java.util.regex.Pattern regex(String p) {
        return PATTERNS.computeIfAbsent(p, java.util.regex.Pattern::compile);
    }

    private static final String PUNCTUATION = "!\\"#$%&'()*+,-./:;<=>?@[\\\\]^_`{|}~";

    /** ir.kernels.text.term_count: how often term is among text's words (split at sep, ASCII punctuation stripped). */
    private static long termCount(String text, String term, String sep, boolean sensitive) {
        long count = 0;
        for (String part : regex(sep).split(text, -1)) {
            String w = pyStrip(part, PUNCTUATION, true, true);
            if (!w.isEmpty() && (sensitive ? w : w.toLowerCase(java.util.Locale.ROOT)).equals(term)) {
                count++;
            }
        }
        return count;
    }
"""


def _argument(value: Value, kind: str, lowering: Lowering) -> Value:
    """``value`` as the Java type of a parameter of kind "s" (String, Python's str of a number), "i" (long) or "f" (double)."""
    if kind == "s":
        if value.text:
            return value
        if value.mixed:
            return lowering.let(f"textOf({value.code})", True)
        return lowering.let(f"Double.isNaN({value.code}) ? null : repr({value.code})", True)
    if value.text or value.mixed:
        from interchange.codegen.java.functions import refuse

        wanted = "an integer (Python's int of a text)" if kind == "i" else "a number (Python's float of a text)"
        raise refuse(f"a text where a text function takes {wanted}")
    return value


@emitter("java", TextDerive)
def _text_derive(step: TextDerive, out: JavaWriter) -> list[str]:
    out.need("text")
    _, kinds, result = TEXT_FUNCTIONS[step.function]
    lowering = Lowering(out)
    values = [_argument(lowering.lower(a), k, lowering) for a, k in zip(step.arguments, kinds, strict=True)]
    gone = " || ".join(missing(v) for v in values)
    names = []
    for i, (v, k) in enumerate(zip(values, kinds, strict=True)):
        # integers as Python's int of the double: truncated toward zero
        code = v.code if k in "sf" else f"(long) {v.code}"
        names.append(f"{ {'s': 'String', 'f': 'double'}.get(k, 'long') } a{i} = {code};")
    call = CALLS[step.function]
    if result == "boolean":
        call = f"({call}) ? 1.0 : 0.0"
    target = out.new_text(step.outputs[0]) if result == "string" else out.new_num(step.outputs[0])
    blank = "null" if result == "string" else "Double.NaN"
    inner = ["    " + line for line in (*names, f"{target} = {call};")]
    return [*lowering.lines, f"if ({gone}) {{", f"    {target} = {blank};", "} else {", *inner, "}"]
