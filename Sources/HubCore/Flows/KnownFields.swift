/// The fields of a held record that queries asked about, by proto field name, as text
/// (``FlowEngine/HeldRecord/knownFields``): name and value pairs in name order rather than
/// a dictionary, as a record knows one or two fields and a dictionary of one takes three
/// times the room (a day of release notices at 335,000 messages a day is 19,000 records).
struct KnownFields: Sendable, Equatable {
    private struct Pair: Sendable, Equatable {
        var name: String
        var value: String
    }

    private var pairs: [Pair]

    /// The fields of `fields` (a field a record leaves empty is absent).
    init(_ fields: [String: String]) {
        pairs = fields.map { Pair(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
    }

    /// The value of the field `name`, nil when absent.
    subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The fields as a dictionary (a snapshot's form).
    var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.name, $0.value) })
    }
}
