"""Assemble one Java class (no dependencies, Java 17) from an IR graph.

The class offers three doors onto one row-at-a-time scorer:

- ``double[] predict(double[] features)``: inputs in INPUT_NAMES order (NaN for missing), one
  double per output in OUTPUT_NAMES order; a label or cluster is its value when numeric,
  otherwise its index in LABELS; NaN where there is none. Only for models whose inputs are all
  numeric. An array input takes INPUT_WIDTHS[i] places (the items the model reads; a missing
  array is that many NaNs, which the model reads as it reads a missing array); a short array has
  no form there (the typed doors refuse it).
- ``Output predict(Input input)``: typed records, one field per input and output (an array input
  is a ``double[]``, null when missing).
- ``Object[] predictValues(Object[] inputs)``: boxed values (Number, String, Boolean, null) in
  INPUT_NAMES order, boxed outputs (Double, the label's own value, a String, null): for generic
  callers such as a Kafka Streams application mapping Avro records by field name (an array
  input as a double[], a List or an Object[] of numbers).

A record the model refuses (an unknown category where the model errs, an array shorter than the
items it reads: the IR's RecordError) is an IllegalArgumentException naming the field.

A text figure (an Output expression of type string) is a String in the record and in
predictValues, NaN from predict(double[]). Steps too long for one method (Java's 64 KB of
bytecode per method) go into generated methods of a bounded size, in order.
"""

from __future__ import annotations

from typing import Any

from interchange.codegen.java.arrays import array_widths
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, identifier, jdouble, jstring
from interchange.codegen.registry import lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.graph import Graph
from interchange.signature import Signature, class_index
from interchange.version import __version__

__all__ = ["write_class", "java_value"]

_BOXED = {"integer": "Long", "string": "String", "boolean": "Boolean", "double": "Double"}


def java_value(value: Any, type_: str) -> str:
    """A boxed Java constant of signature type ``type_``."""
    if value is None:
        return "null"
    if type_ == "integer":
        return f"Long.valueOf({int(value)}L)"
    if type_ == "boolean":
        return "Boolean.TRUE" if bool(value) else "Boolean.FALSE"
    if type_ == "double":
        return f"Double.valueOf({jdouble(float(value))})"
    return jstring(str(value))


def _indent(lines: list[str], depth: int = 2) -> str:
    pad = "    " * depth
    return "\n".join(pad + line if line else "" for line in lines)


def _finish(parts: dict[str, str], has_classes: bool) -> tuple[list[str], dict[str, str]]:
    """Label from probabilities or decisions when the model did not set one (Prediction.finish)."""
    if "label" in parts or not has_classes:
        return [], parts
    if "probabilities" in parts:
        p = parts["probabilities"]
        lines = [
            "boolean unknown = false;",
            f"for (double q : {p}) {{ unknown |= Double.isNaN(q); }}",
            f"int label = unknown ? -1 : argmax({p});",
        ]
    elif "decision" in parts:
        d = parts["decision"]
        lines = [f"int label = {d}.length == 1 ? ({d}[0] > 0 ? 1 : 0) : argmax({d});"]
    else:
        return [], parts
    return lines, {**parts, "label": "label"}


def _outputs(sig: Signature, parts: dict[str, str], text_outputs: dict[str, int]) -> list[str]:
    """``raw[i]`` for output i: numbers as they are, labels and clusters as indices (NaN: none); a text
    figure's slot goes into ``text_outputs`` (its ``raw[i]`` is NaN)."""
    lines = [f"double[] raw = new double[{len(sig.outputs)}];"]
    classes = list(sig.classes or ())
    decisions = sig.output("decision")
    for i, f in enumerate(sig.outputs):
        if f"extra:{f.name}" in parts:  # a model's named text figure (a reason code): an index, -1 for none
            index = parts[f"extra:{f.name}"]
            lines.append(f"raw[{i}] = {index} < 0 ? Double.NaN : (double) {index};")
            continue
        if f"text:{f.name}" in parts and f.kind not in ("label", "value", "cluster", "probability", "decision"):
            slot = parts[f"text:{f.name}"]  # a text figure (an Output expression): the caller reads its text slot
            if f.type == "string":
                text_outputs[f.name] = int(slot[2:-1])
                lines.append(f"raw[{i}] = Double.NaN;")
            else:
                lines.append(f"raw[{i}] = number({slot});")  # (the "values" helper: a Reported text figure needs it)
            continue
        if f"num:{f.name}" in parts and f.kind not in ("label", "value", "cluster", "probability", "decision"):
            lines.append(f"raw[{i}] = {parts[f'num:{f.name}']};")  # a numeric figure (an Output expression)
            continue
        needed = {"probability": "probabilities"}.get(f.kind, f.kind)
        if needed not in parts:
            raise UnsupportedModelError(f"the model does not produce output {f.name!r} ({f.kind})", format="java", field=f.name)
        if f.kind in ("value", "score"):
            expr = parts[f.kind]
        elif f.kind in ("label", "cluster"):
            expr = f"{parts[f.kind]} < 0 ? Double.NaN : (double) {parts[f.kind]}"
        elif f.kind == "probability":
            expr = f"{parts['probabilities']}[{class_index(classes, f.target, UnsupportedModelError, format='java')}]"
        elif f.kind == "decision":
            d = parts["decision"]
            expr = f"{d}.length == 1 ? {d}[0] : {d}[{decisions.index(f)}]"
        else:
            raise UnsupportedModelError(f"generated Java has no mapping for {f.kind} output {f.name!r}", format="java")
        if f.type == "integer" and f.kind in ("value", "score"):
            # an integer output (a regression's integer target): truncated toward zero, NaN kept, as every
            # engine's (interchange.batch.typed_outputs; formats/pmml/departures.py "integer target of a regression")
            lines.append(f"{{ double whole{i} = {expr}; raw[{i}] = whole{i} < 0 ? Math.ceil(whole{i}) : Math.floor(whole{i}); }}")
            continue
        lines.append(f"raw[{i}] = {expr};")
    return lines


def write_class(graph: Graph, class_name: str, *, package: str | None = None, source: str = "") -> str:
    """The Java source of class ``class_name`` evaluating ``graph``."""
    sig = graph.signature
    out = JavaWriter()
    out.signature = sig
    widths = array_widths(graph)
    for f in sig.inputs:
        if f.type in ("double", "integer", "boolean"):
            out.new_num(f.name)
        elif f.type == "array":
            out.new_array(f.name, widths.get(f.name, 0))
        elif f.type == "string":
            out.new_text(f.name)
        else:
            raise UnsupportedModelError(f"input {f.name!r} of type {f.type} has no Java form", format="java", field=f.name)
    write_model = lookup("java", graph.model)  # a model step without a form is refused by name before any step
    blocks = []
    for step in graph.steps:
        lines = lookup("java", step)(step, out)
        blocks.append([f"// {type(step).__name__}", "{", *("    " + line for line in lines), "}"])
    body = out.split(blocks, "double[] v, String[] s", "v, s", "steps")
    lines, parts = write_model(graph.model, out)
    body += [f"// {type(graph.model).__name__}", *lines]
    finish, parts = _finish(dict(parts), sig.classes is not None)
    if finish:
        out.need("argmax")
    body += finish + _outputs(sig, parts, out.text_outputs) + ["return raw;"]
    return _assemble(sig, out, body, class_name, package, source)


_ARRAY_DOC = """
     * An array input takes INPUT_WIDTHS[i] places: the items the model reads (NaNs read as a missing array);
     * an array of another length goes through predict(Input) or predictValues, which read (or refuse) it as the model does."""
_ARRAY_SLOTS = """
            if (INPUT_TYPES[i].equals("array")) {
                slot = items(inputs[i], v, slot, INPUT_WIDTHS[i], INPUT_NAMES[i]);
                continue;
            }"""


def _features(arrays: bool) -> str:
    """predict(double[])'s copy of the features into the slots: as they are, or each array input as its length then its items."""
    if not arrays:
        return """        double[] v = new double[SLOTS];
        System.arraycopy(features, 0, v, 0, features.length);"""
    return """        double[] v = new double[SLOTS];
        for (int i = 0, at = 0, slot = 0; i < INPUT_WIDTHS.length; at += INPUT_WIDTHS[i], slot += INPUT_WIDTHS[i], i++) {
            if (INPUT_TYPES[i].equals("array")) {
                v[slot++] = INPUT_WIDTHS[i];  // (a present array as long as the model reads; all NaN reads as a missing one)
            }
            System.arraycopy(features, at, v, slot, INPUT_WIDTHS[i]);
        }"""


def _records(
    sig: Signature, label_values: dict[str, tuple[Any, ...]], text_outputs: dict[str, int]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(Input components, Output components, Input -> slots statements, raw -> Output arguments)."""
    taken: set[str] = set()
    inputs, to_slots = [], []
    for i, field in enumerate(sig.inputs):
        name = identifier(field.name, taken)
        jtype = {"string": "String", "double": "double", "array": "double[]"}.get(field.type) or _BOXED[field.type]
        inputs.append(f"{jtype} {name}")
        to_slots.append(f"values[{i}] = input.{name}();")
    taken = set()
    outputs, args = [], []
    for i, f in enumerate(sig.outputs):
        name = identifier(f.name, taken)
        if f.name in text_outputs:
            outputs.append(f"String {name}")
            args.append(f"s[{text_outputs[f.name]}]")
        elif f.name in label_values:
            boxed = _BOXED[f.type]
            outputs.append(f"{boxed} {name}")
            args.append(f"({boxed}) value(raw, {i})")
        else:
            outputs.append(f"double {name}")
            args.append(f"raw[{i}]")
    return inputs, outputs, to_slots, args


def _assemble(sig: Signature, out: JavaWriter, body: list[str], class_name: str, package: str | None, source: str) -> str:
    labelled: dict[str, tuple[Any, ...]] = {}
    for f in sig.outputs:
        if f.name in out.extra_values:
            labelled[f.name] = out.extra_values[f.name]
        elif f.kind == "label":
            labelled[f.name] = out.label_values or tuple(sig.classes or ())
        elif f.kind == "cluster":
            labelled[f.name] = out.cluster_values or ()
    numeric_inputs = all(f.type != "string" for f in sig.inputs)
    widths = [out.arrays[f.name][1] if f.type == "array" else 1 for f in sig.inputs]
    if out.arrays:
        out.need("arrays")
    input_components, output_components, to_slots, output_args = _records(sig, labelled, out.text_outputs)
    text_out = ", ".join(str(out.text_outputs.get(f.name, -1)) for f in sig.outputs)
    values = []
    for f in sig.outputs:
        if f.name in labelled:
            items = ", ".join(java_value(v, f.type) for v in labelled[f.name])
            values.append(f"new Object[] {{{items}}}")
        else:
            values.append("null")
    kinds = ", ".join(jstring(f.type if f.type != "string" else "string") for f in sig.inputs)
    helpers = "\n".join([*(HELPERS[h].rstrip() for h in _order(out.helpers)), *(m.rstrip() for m in out.methods)])
    fields = _indent(out.fields, 1)
    array_doc = _ARRAY_DOC if out.arrays else ""
    double_api = (
        f"""
    /**
     * The outputs for one row of features in INPUT_NAMES order (NaN for missing), one per OUTPUT_NAMES entry.
     * A label or cluster comes back as its value when numeric, else as its index in LABELS; NaN when there is none.{array_doc}
     */
    public static double[] predict(double[] features) {{
        if (features.length != {sum(widths)}) {{
            throw new IllegalArgumentException("expected {sum(widths)} features, got " + features.length);
        }}
{_features(bool(out.arrays))}
        double[] raw = score(v, new String[TEXTS]);
        for (int i = 0; i < raw.length; i++) {{
            if (LABELS[i] != null && !Double.isNaN(raw[i]) && LABELS[i][(int) raw[i]] instanceof Number) {{
                raw[i] = ((Number) LABELS[i][(int) raw[i]]).doubleValue();
            }} else if (LABELS[i] != null && !Double.isNaN(raw[i]) && LABELS[i][(int) raw[i]] instanceof Boolean) {{
                raw[i] = ((Boolean) LABELS[i][(int) raw[i]]) ? 1.0 : 0.0;
            }}
        }}
        return raw;
    }}
"""
        if numeric_inputs
        else "\n    // predict(double[]) is left out: the model has text inputs; use predict(Input) or predictValues.\n"
    )
    return f"""{f"package {package};" if package else ""}

/**
 * Generated by interchange {__version__} from {source or "an IR graph"}: do not edit.
 *
 * <p>A {sig.task} model with no dependencies; every computation is in double precision.
 * Thread-safe: all state is static and final.
 */
public final class {class_name} {{

    /** Input field names (the model's own names), in the order predict(double[]) and predictValues take them. */
    public static final String[] INPUT_NAMES = {{{", ".join(jstring(f.name) for f in sig.inputs)}}};
    /** Each input's type: "double", "integer", "boolean", "string" or "array" (of numbers). */
    public static final String[] INPUT_TYPES = {{{kinds}}};
    /** Each input's places in predict(double[]): 1, or the items the model reads of an array input. */
    public static final int[] INPUT_WIDTHS = {{{", ".join(map(str, widths))}}};
    /** Output field names, in the order of predict(double[])'s result. */
    public static final String[] OUTPUT_NAMES = {{{", ".join(jstring(f.name) for f in sig.outputs)}}};
    /** Per output: the values a label or cluster index points at, or null for a numeric output. */
    public static final Object[][] LABELS = {{{", ".join(values)}}};
    /** Per output: the text slot holding it (a text figure), or -1; predict(double[]) gives NaN for such an output. */
    private static final int[] TEXT_OUTPUTS = {{{text_out}}};

    private static final int SLOTS = {out.slot_count};
    private static final int TEXTS = {out.text_count};

{fields}

    private {class_name}() {{
    }}

    /** One record of inputs; null or NaN for a missing value. */
    public record Input({", ".join(input_components)}) {{
    }}

    /** One prediction; NaN (numbers) or null (labels) where the model gives none. */
    public record Output({", ".join(output_components)}) {{
    }}
{double_api}
    /** The typed record API. */
    public static Output predict(Input input) {{
        Object[] values = new Object[{len(sig.inputs)}];
{_indent(to_slots)}
        String[] s = texts(values);
        double[] raw = score(slots(values), s);
        return new Output({", ".join(output_args)});
    }}

    /** Boxed inputs in INPUT_NAMES order (Number, String, Boolean or null); boxed outputs in OUTPUT_NAMES order. */
    public static Object[] predictValues(Object[] inputs) {{
        if (inputs.length != {len(sig.inputs)}) {{
            throw new IllegalArgumentException("expected {len(sig.inputs)} inputs, got " + inputs.length);
        }}
        String[] s = texts(inputs);
        double[] raw = score(slots(inputs), s);
        Object[] result = new Object[raw.length];
        for (int i = 0; i < raw.length; i++) {{
            if (TEXT_OUTPUTS[i] >= 0) {{
                result[i] = s[TEXT_OUTPUTS[i]];
            }} else {{
                result[i] = LABELS[i] != null ? value(raw, i) : (Double.isNaN(raw[i]) ? null : Double.valueOf(raw[i]));
            }}
        }}
        return result;
    }}

    private static Object value(double[] raw, int i) {{
        return Double.isNaN(raw[i]) ? null : LABELS[i][(int) raw[i]];
    }}

    private static double[] slots(Object[] inputs) {{
        double[] v = new double[SLOTS];
        int slot = 0;
        for (int i = 0; i < inputs.length; i++) {{
            if (INPUT_TYPES[i].equals("string")) {{
                continue;
            }}{_ARRAY_SLOTS if out.arrays else ""}
            Object x = inputs[i];
            if (x == null) {{
                v[slot] = Double.NaN;
            }} else if (x instanceof Boolean) {{
                v[slot] = ((Boolean) x) ? 1.0 : 0.0;
            }} else if (x instanceof Number) {{
                v[slot] = ((Number) x).doubleValue();
            }} else {{
                v[slot] = Double.parseDouble(x.toString());
            }}
            slot++;
        }}
        return v;
    }}

    private static String[] texts(Object[] inputs) {{
        String[] s = new String[TEXTS];
        int slot = 0;
        for (int i = 0; i < inputs.length; i++) {{
            if (INPUT_TYPES[i].equals("string")) {{
                Object x = inputs[i];
                s[slot++] = x == null ? null : (x instanceof Double && ((Double) x).isNaN()) ? null : text(x);
            }}
        }}
        return s;
    }}

    private static String text(Object x) {{
        if (x instanceof Double || x instanceof Float) {{
            double d = ((Number) x).doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e18 ? Long.toString((long) d) : x.toString();
        }}
        return x.toString();
    }}

    /** One row: numeric slots {{@code v}} (inputs first, then computed columns), text slots {{@code s}}. */
    private static double[] score(double[] v, String[] s) {{
{_indent(body)}
    }}
{helpers}
}}
"""


def _order(helpers: list[str]) -> list[str]:
    """Helpers in a stable order, with what they call."""
    need = set(helpers)
    if "link" in need:
        need.add("sigmoid")
    return [h for h in HELPERS if h in need]
