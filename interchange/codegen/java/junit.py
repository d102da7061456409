"""A JUnit 5 test for a generated Java class: it replays the verification cases.

Two checks over the same rows: the estimator's own outputs within the conversion tolerance,
and the IR evaluator's outputs within 1e-12; plus the typed record and ``double[]`` doors
agreeing with ``predictValues``. Rows travel as one text constant (tab-separated tokens) so
that a few hundred cases neither exceed a method's 64 KB nor the constant pool. An array input's
token is ``a`` and its items joined by commas (a ``double[]`` in the test).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from interchange.codegen.java.writer import CHUNK, jdouble, jstring
from interchange.errors import ConversionError
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.codegen.api import Generated

__all__ = ["write_test", "encode_rows"]


def _token(value: Any, type_: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "~"
    if isinstance(value, np.generic):
        value = value.item()
    if type_ == "array":  # (a missing item: nan, as the IR reads it)
        return "a" + ",".join(repr(float(np.nan if x is None else x)) for x in np.asarray(value, dtype=object).reshape(-1))
    if type_ == "string":
        text = str(value)
        if any(c in text for c in "\t\n"):
            raise ConversionError(f"a verification value holds a tab or newline: {text!r}")
        return "s" + text
    if type_ == "boolean":
        return "b" + ("1" if bool(value) else "0")
    if type_ == "integer" and isinstance(value, (int, np.integer, str)) and not isinstance(value, bool):
        try:  # (an integer label may come as its category text, "1")
            return f"l{int(value)}"
        except ValueError:
            pass
    return "d" + repr(float(value))


def encode_rows(columns: dict[str, Any], fields: list[tuple[str, str]]) -> str:
    """Rows of ``columns`` as text: tab-separated tokens, one line per row."""
    n = len(next(iter(columns.values()))) if columns else 0
    lines = []
    for i in range(n):
        lines.append("\t".join(_token(columns[name][i], type_) for name, type_ in fields))
    return "\n".join(lines)


def _constant(text: str) -> str:
    return (
        'String.join("", ' + ", ".join(jstring(text[i : i + CHUNK]) for i in range(0, len(text), CHUNK)) + ")" if text else '""'
    )


def _input_types(sig: Signature) -> list[tuple[str, str]]:
    return [(f.name, f.type) for f in sig.inputs]


def _labelled(f: Any) -> bool:
    """Outputs compared as values, not numbers: labels, clusters and text figures (reason codes)."""
    return f.kind in ("label", "cluster") or f.type == "string"


def _output_types(sig: Signature) -> list[tuple[str, str]]:
    return [(f.name, f.type if _labelled(f) else "double") for f in sig.outputs]


def _typed_input(sig: Signature, cls: str) -> str:
    args = []
    for i, f in enumerate(sig.inputs):
        if f.type == "double":
            args.append(f"r[{i}] == null ? Double.NaN : ((Number) r[{i}]).doubleValue()")
        elif f.type == "integer":
            args.append(f"r[{i}] == null ? null : Long.valueOf(((Number) r[{i}]).longValue())")
        elif f.type == "boolean":
            args.append(f"(Boolean) r[{i}]")
        elif f.type == "array":
            args.append(f"(double[]) r[{i}]")
        else:
            args.append(f"(String) r[{i}]")
    return f"new {cls}.Input({', '.join(args)})"


def write_test(generated: Generated) -> str:
    """JUnit 5 source of ``<Class>Test`` replaying ``generated``'s verification cases."""
    assert generated.verification is not None
    sig = generated.signature
    cases = generated.verification
    from interchange.codegen.api import ir_outputs

    ir = ir_outputs(generated.graph, cases.inputs)  # (a row the IR refuses: every output missing)
    cls = generated.class_name
    tol = cases.tolerance
    numeric = all(f.type != "string" for f in sig.inputs)
    kinds = ", ".join("true" if _labelled(f) else "false" for f in sig.outputs)
    double_check = (
        f"""
            double[] features = new double[java.util.Arrays.stream({cls}.INPUT_WIDTHS).sum()];
            for (int j = 0, at = 0; j < r.length; at += {cls}.INPUT_WIDTHS[j], j++) {{
                if ({cls}.INPUT_TYPES[j].equals("array")) {{  // its items in place; a missing array: NaNs
                    for (int k = 0; k < {cls}.INPUT_WIDTHS[j]; k++) {{
                        features[at + k] = r[j] == null || k >= ((double[]) r[j]).length ? Double.NaN : ((double[]) r[j])[k];
                    }}
                    continue;
                }}
                features[at] = r[j] == null ? Double.NaN
                    : r[j] instanceof Boolean ? (((Boolean) r[j]) ? 1.0 : 0.0) : ((Number) r[j]).doubleValue();
            }}
            double[] raw = {cls}.predict(features);
            for (int j = 0; j < raw.length; j++) {{
                if (!LABELLED[j]) {{
                    double boxed = values[j] == null ? Double.NaN : (Double) values[j];
                    assertEquals(boxed, raw[j], 0.0, "predict(double[]) output " + j);
                }}
            }}"""
        if numeric
        else ""
    )
    return f"""{f"package {generated.package};" if generated.package else ""}

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Generated by interchange: {cls} replays its model's verification cases. */
class {cls}Test {{

    private static final String INPUTS = {_constant(encode_rows(cases.inputs, _input_types(sig)))};
    /** The source estimator's outputs for INPUTS. */
    private static final String EXPECTED = {_constant(encode_rows(cases.expected, _output_types(sig)))};
    /** The IR evaluator's outputs for INPUTS. */
    private static final String IR = {_constant(encode_rows(ir, _output_types(sig)))};
    private static final boolean[] LABELLED = {{{kinds}}};

    private static List<Object[]> rows(String text) {{
        List<Object[]> rows = new ArrayList<>();
        for (String line : text.split("\\n", -1)) {{
            String[] tokens = line.split("\\t", -1);
            Object[] row = new Object[tokens.length];
            for (int i = 0; i < tokens.length; i++) {{
                String t = tokens[i];
                switch (t.isEmpty() ? '~' : t.charAt(0)) {{
                    case 's': row[i] = t.substring(1); break;
                    case 'b': row[i] = t.equals("b1"); break;
                    case 'l': row[i] = Long.valueOf(t.substring(1)); break;
                    case 'd': row[i] = parse(t.substring(1)); break;
                    case 'a': row[i] = items(t.substring(1)); break;
                    default: row[i] = null;
                }}
            }}
            rows.add(row);
        }}
        return rows;
    }}

    private static double[] items(String t) {{
        return t.isEmpty() ? new double[0] : java.util.Arrays.stream(t.split(",", -1)).mapToDouble(item -> parse(item)).toArray();
    }}

    private static Double parse(String t) {{
        switch (t) {{
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            case "nan": return Double.NaN;
            default: return Double.valueOf(t);
        }}
    }}

    /** The outputs of a row, or none (every output null) where the class refuses it (an invalid value). */
    private static Object[] predictOrNone(Object[] row) {{
        try {{
            return {cls}.predictValues(row);
        }} catch (IllegalArgumentException refused) {{
            return new Object[{cls}.OUTPUT_NAMES.length];
        }}
    }}

    private static void check(String expectedText, double rtol, double atol, String what) {{
        List<Object[]> inputs = rows(INPUTS);
        List<Object[]> expected = rows(expectedText);
        assertEquals({len(next(iter(cases.inputs.values()), []))}, inputs.size());
        double worst = 0.0;
        for (int i = 0; i < inputs.size(); i++) {{
            Object[] actual = predictOrNone(inputs.get(i));
            Object[] want = expected.get(i);
            for (int j = 0; j < want.length; j++) {{
                String where = what + ": " + {cls}.OUTPUT_NAMES[j] + " of case " + i;
                if (LABELLED[j]) {{
                    assertEquals(String.valueOf(want[j]), String.valueOf(actual[j]), where);
                    continue;
                }}
                double e = want[j] == null ? Double.NaN : (Double) want[j];
                double a = actual[j] == null ? Double.NaN : (Double) actual[j];
                if (Double.isNaN(e) && Double.isNaN(a)) {{
                    continue;
                }}
                double diff = Math.abs(a - e);
                worst = Math.max(worst, diff);
                String message = where + ": expected " + e + ", got " + a + " (difference " + diff + ")";
                assertTrue(diff <= atol + rtol * Math.abs(e), message);
            }}
        }}
        System.out.println("{cls} " + what + ": " + inputs.size() + " cases, max |difference| " + worst);
    }}

    @Test
    void replaysVerificationCases() {{
        check(EXPECTED, {jdouble(tol.rtol)}, {jdouble(tol.atol)}, "verification cases");
    }}

    @Test
    void agreesWithIrEvaluator() {{
        check(IR, 1e-12, 1e-12, "IR evaluator");
    }}

    @Test
    void typedRecordsAgree() throws Exception {{
        for (Object[] r : rows(INPUTS)) {{
            Object[] values;
            try {{
                values = {cls}.predictValues(r);
            }} catch (IllegalArgumentException refused) {{  // the typed door refuses the row too
                assertThrows(IllegalArgumentException.class, () -> {cls}.predict({_typed_input(sig, cls)}));
                continue;
            }}
            {cls}.Output output = {cls}.predict({_typed_input(sig, cls)});
            RecordComponent[] components = {cls}.Output.class.getRecordComponents();
            for (int j = 0; j < components.length; j++) {{
                Object typed = components[j].getAccessor().invoke(output);
                if (typed instanceof Double && ((Double) typed).isNaN()) {{
                    typed = null;
                }}
                if (typed instanceof Double && values[j] instanceof Double
                        && ((Double) typed).doubleValue() == ((Double) values[j]).doubleValue()) {{
                    continue;  // (0.0 and -0.0: an integer input -0.0 is a Long 0 in the typed Input)
                }}
                assertEquals(values[j], typed, "typed output " + components[j].getName());
            }}{double_check}
        }}
    }}
}}
"""
