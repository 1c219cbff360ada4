/// Items in the order they were added, each with the journal time it was added at, taken
/// from the front once they are old: what finished flows leave behind for a while
/// (``FlowEngine``). Appending and dropping the oldest are O(1) amortized (the front is an
/// index, the storage is compacted once half of it is dropped).
struct AgingQueue<Element: Sendable>: Sendable {
    private var items: [(atUs: Int64, element: Element)] = []
    private var start = 0

    init() {}

    /// The items, oldest first.
    var elements: [Element] { items[start...].map(\.element) }

    /// How many items there are.
    var count: Int { items.count - start }

    /// Adds `element`, added at `atUs` (never before the previous one's time).
    mutating func append(_ element: Element, atUs: Int64) {
        items.append((atUs, element))
    }

    /// Removes and returns the items added before `cutoffUs`, oldest first.
    mutating func dropOlder(than cutoffUs: Int64) -> [Element] {
        var end = start
        while end < items.count && items[end].atUs < cutoffUs { end += 1 }
        guard end > start else { return [] }
        let dropped = items[start..<end].map(\.element)
        start = end
        if start > 1024 && start * 2 > items.count {
            items.removeFirst(start)
            start = 0
        }
        return dropped
    }

    /// When the oldest item was added (nil when empty).
    var oldestUs: Int64? { start < items.count ? items[start].atUs : nil }

    /// Gives back the room the storage grew into beyond the items it holds (an array
    /// doubles its room as it grows).
    mutating func shrinkToFit() {
        var kept: [(atUs: Int64, element: Element)] = []
        kept.reserveCapacity(count)
        kept.append(contentsOf: items[start...])
        items = kept
        start = 0
    }

    /// Calls `body` with every item, oldest first (no copy of them, as ``elements`` is).
    func forEach(_ body: (Element) -> Void) {
        for index in start..<items.count { body(items[index].element) }
    }

    /// The items `isIncluded` accepts, oldest first (without copying the others).
    func filter(_ isIncluded: (Element) -> Bool) -> [Element] {
        var kept: [Element] = []
        for index in start..<items.count where isIncluded(items[index].element) { kept.append(items[index].element) }
        return kept
    }

    /// Changes every item in place (their times stay).
    mutating func updateEach(_ body: (inout Element) -> Void) {
        for index in start..<items.count { body(&items[index].element) }
    }
}

/// The items with their times, oldest first, for a snapshot (``FlowSnapshot``).
extension AgingQueue: Codable where Element: Codable {
    private struct Item: Codable {
        var at: Int64
        var item: Element
    }

    init(from decoder: any Decoder) throws {
        let decoded = try decoder.singleValueContainer().decode([Item].self)
        items = decoded.map { ($0.at, $0.item) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(items[start...].map { Item(at: $0.atUs, item: $0.element) })
    }
}
