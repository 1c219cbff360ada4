#!/usr/bin/env python3
"""Regenerates Sources/DepartmentFormats/CEB/Generated/CEBSchema+Import.swift and
CEBSchema+Export.swift from the customs CEB XSDs (Specs/customs-ceb/xsd/, 2022-05
edition): for each message the hub reads or writes, its business node, head and line
list, and every element in XSD sequence order with whether it is required and its facets
(length, decimal digits). Standard library only.

Usage: python3 Scripts/generate-ceb-schema.py [XSD_DIR]
(XSD_DIR defaults to Specs/customs-ceb/xsd in the repository.)
"""
import os
import sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources", "DepartmentFormats", "CEB", "Generated")

FILES = [
    ("import", "ceb-import-2022.xsd", "Import",
     ["CEB311Message", "CEB312Message", "CEB411Message", "CEB412Message",
      "CEB511Message", "CEB512Message", "CEB513Message", "CEB514Message",
      "CEB621Message", "CEB622Message", "CEB623Message", "CEB624Message",
      "CEB625Message", "CEB626Message", "CEB711Message", "CEB712Message",
      "CEB816Message", "CEB818Message", "CEB900Message"]),
    ("export", "ceb-export-2022.xsd", "Export",
     ["CEB303Message", "CEB304Message", "CEB403Message", "CEB404Message",
      "CEB505Message", "CEB506Message", "CEB507Message", "CEB508Message",
      "CEB509Message", "CEB510Message", "CEB603Message", "CEB604Message",
      "CEB605Message", "CEB606Message", "CEB607Message", "CEB608Message",
      "CEB213Message", "CEB214Message", "CEB215Message", "CEB216Message",
      "CEB701Message", "CEB702Message", "CEB792Message"]),
]


def occurs(element, attribute):
    value = element.get(attribute, "1")
    return "Int.max" if value == "unbounded" else value


def kind(element):
    """The Swift CEBElement.Kind of a simple element."""
    simple = element.find(XS + "simpleType")
    restriction = simple.find(XS + "restriction") if simple is not None else None
    base = restriction.get("base") if restriction is not None else element.get("type")
    facets = {}
    if restriction is not None:
        for facet in restriction:
            facets[facet.tag.replace(XS, "")] = facet.get("value")
    if base == "xs:string":
        if "length" in facets:
            low = high = facets["length"]
        else:
            low, high = facets.get("minLength", "0"), facets.get("maxLength")
        if high is None:
            # Only CEB900's oriBizMessage (the original message, whole) has no maximum.
            if element.get("name") != "oriBizMessage":
                sys.exit("%s: xs:string without a maximum length" % element.get("name"))
            high = "Int.max"
        return ".text(%s, %s)" % (low, high)
    if base == "xs:decimal":
        return ".decimal(%s, %s)" % (facets["totalDigits"], facets["fractionDigits"])
    if base == "xs:int":
        return ".int(%s)" % facets.get("totalDigits", "10")
    sys.exit("%s: unexpected type %s" % (element.get("name"), base))


def simple_elements(complex_type):
    lines = []
    for child in complex_type.find(XS + "sequence"):
        if child.tag != XS + "element":
            continue
        optional = "" if child.get("minOccurs", "1") != "0" else ", required: false"
        default = ', default: "%s"' % child.get("default") if child.get("default") is not None else ""
        lines.append('                .init("%s", %s%s%s),' % (child.get("name"), kind(child), optional, default))
    return lines


def group(name, element, low, high, indent):
    body = simple_elements(element.find(XS + "complexType"))
    label = '"%s"' % name if name else "nil"
    return ["%sCEBGroup(name: %s, minOccurs: %s, maxOccurs: %s, elements: [" % (indent, label, low, high)] + body + [
        "            ]),"]


def generate(direction, file_name, suffix, roots, xsd_dir):
    schema = ET.parse(os.path.join(xsd_dir, file_name)).getroot()
    globals_ = {e.get("name"): e for e in schema.findall(XS + "element")}

    def resolve(child):
        ref = child.get("ref")
        return globals_[ref.split(":")[1]] if ref else child

    out = [
        "// GENERATED FILE: do not edit.",
        "// Source: Specs/customs-ceb/xsd/%s (the 2022-05 edition of the customs standard)" % file_name,
        "// Regenerate with: python3 Scripts/generate-ceb-schema.py",
        "",
        "extension CEBSchema {",
        "    /// The messages of %s the hub reads or writes, by root element name." % file_name,
        "    static let %sMessages: [String: CEBSchema] = [" % direction,
    ]
    for root in roots:
        sequence = [c for c in globals_[root].find(XS + "complexType").find(XS + "sequence") if c.tag == XS + "element"]
        node = resolve(sequence[0])
        refs = [c.get("ref") or c.get("name") for c in sequence]
        signature = next((c for c in sequence if c.get("ref") == "ds:Signature"), None)
        parts = [c for c in node.find(XS + "complexType").find(XS + "sequence") if c.tag == XS + "element"]
        out.append('        "%s": CEBSchema(' % root)
        out.append('            root: "%s", direction: .%s, node: "%s",' % (root, direction, node.get("name")))
        out.append("            baseTransfer: %s, signatureRequired: %s,"
                   % (str("ceb:BaseTransfer" in refs).lower(),
                      str(signature is not None and signature.get("minOccurs", "1") != "0").lower()))
        if parts and (parts[0].get("ref") or parts[0].find(XS + "complexType") is not None):
            head = resolve(parts[0])
            out += group(head.get("name"), head, 1, 1, "            head: ")
            if len(parts) > 1:
                line = resolve(parts[1])
                out += group(line.get("name"), line, occurs(parts[1], "minOccurs"), occurs(parts[1], "maxOccurs"),
                             "            list: ")
            else:
                out.append("            list: nil")
        else:
            out += group(None, node, 1, 1, "            head: ")
            out.append("            list: nil")
        out[-1] = out[-1].rstrip(",")
        out.append("        ),")
    out += ["    ]", "}", ""]
    path = os.path.join(OUT, "CEBSchema+%s.swift" % suffix)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out))
    print("generated", os.path.relpath(path, ROOT))


def main():
    xsd_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Specs", "customs-ceb", "xsd")
    os.makedirs(OUT, exist_ok=True)
    for direction, file_name, suffix, roots in FILES:
        generate(direction, file_name, suffix, roots, xsd_dir)


if __name__ == "__main__":
    main()
