/// The seqs of the `messages` rows on one page image, read from SQLite's b-tree page format
/// (https://www.sqlite.org/fileformat2.html#b_tree_pages) without SQLite: used on the pages
/// of WAL frames SQLite will drop, to name the records they hold.
///
/// A page counts when it is a table b-tree leaf (type 13); a cell counts when its record
/// looks like a `messages` row: at least 10 columns, the first NULL (the seq is the rowid)
/// and the tenth a 32-byte blob (the chain value). Every read is bounds-checked: the page
/// may be damaged.
enum MessageLeafPage {
    /// The rowids (seqs) of the message rows on `page` (page number `number`, 1-based).
    static func seqs(in page: ArraySlice<UInt8>, number: UInt32) -> [UInt64] {
        let bytes = Array(page)
        let base = number == 1 ? 100 : 0
        guard bytes.count > base + 8, bytes[base] == 13 else { return [] }
        let cells = Int(bytes[base + 3]) << 8 | Int(bytes[base + 4])
        var seqs: [UInt64] = []
        for cell in 0..<cells {
            let slot = base + 8 + 2 * cell
            guard slot + 1 < bytes.count else { break }
            var offset = Int(bytes[slot]) << 8 | Int(bytes[slot + 1])
            guard let (_, payloadLength) = varint(bytes, offset) else { continue }
            offset += payloadLength
            guard let (rowid, rowidLength) = varint(bytes, offset) else { continue }
            offset += rowidLength
            guard let (headerSize, headerLength) = varint(bytes, offset), headerSize < UInt64(bytes.count) else { continue }
            let headerEnd = offset + Int(headerSize)
            var cursor = offset + headerLength
            var types: [UInt64] = []
            while cursor < headerEnd && types.count < 10, let (type, length) = varint(bytes, cursor) {
                types.append(type)
                cursor += length
            }
            if types.count == 10 && types[0] == 0 && types[9] == 32 * 2 + 12 {
                seqs.append(rowid)
            }
        }
        return seqs
    }

    /// SQLite's varint at `offset`: its value and length, nil when it runs off the page.
    static func varint(_ bytes: [UInt8], _ offset: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        for index in 0..<9 {
            guard offset + index < bytes.count, offset >= 0 else { return nil }
            let byte = bytes[offset + index]
            if index == 8 { return (value << 8 | UInt64(byte), 9) }
            value = value << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 { return (value, index + 1) }
        }
        return nil
    }
}
