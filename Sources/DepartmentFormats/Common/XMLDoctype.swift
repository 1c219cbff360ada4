/// Refuses XML documents that carry a DTD (`<!DOCTYPE ...>`). Customs CEB and ISO 20022
/// files never have one. Foundation's `XMLParser` (libxml2, external entities off) neither
/// reports an entity a DTD declares nor a reference to it: the value would silently lose
/// that text ("&co;科技" read as "科技"), and nested declarations can blow up memory. So a
/// file with a DTD is refused whole, naming the line.
///
/// The check looks for the `<!DOCTYPE` markup in the bytes, in an ASCII-compatible encoding
/// (UTF-8, GBK, GB18030, ...) or in UTF-16 either way round, before the parser runs.
enum XMLDoctype {
    /// - Throws: ``FormatError`` `.syntax` at the DTD's line when `data` has one.
    static func check(_ data: [UInt8]) throws(FormatError) {
        let markup = Array("<!DOCTYPE".utf8)
        let forms = [
            markup,
            markup.flatMap { [$0, 0] },  // UTF-16LE
            markup.flatMap { [0, $0] },  // UTF-16BE
        ]
        for (index, form) in forms.enumerated() {
            guard let offset = firstOffset(of: form, in: data) else { continue }
            let newline: [UInt8] = index == 0 ? [0x0A] : index == 1 ? [0x0A, 0] : [0, 0x0A]
            let line = 1 + count(newline, in: data[..<offset], step: index == 0 ? 1 : 2)
            throw FormatError(
                .syntax, at: "line \(line)",
                "the document has a DTD (<!DOCTYPE>): customs and bank files have none, and the hub does not read DTDs "
                    + "(an entity one declares would be dropped from the values)")
        }
    }

    private static func firstOffset(of pattern: [UInt8], in data: [UInt8]) -> Int? {
        guard data.count >= pattern.count, let first = pattern.first else { return nil }
        var index = 0
        while index <= data.count - pattern.count {
            if data[index] == first, data[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private static func count(_ unit: [UInt8], in data: ArraySlice<UInt8>, step: Int) -> Int {
        var found = 0
        var index = data.startIndex
        while index + unit.count <= data.endIndex {
            if data[index..<index + unit.count].elementsEqual(unit) { found += 1 }
            index += step
        }
        return found
    }
}
