import Foundation
public import Yams

/// Decodes a configuration file strictly: every key of the file must be one the target type
/// reads, and every mistake is reported in plain words with where it is.
///
/// - An unknown key (a misspelt `hide`, say) is refused with its path, line and column and
///   the nearest key that would have been read: `parties[2].hidden (line 14, column 5):
///   unknown key; did you mean 'hide'?`. A typo in a sharing policy must never share data.
/// - A value of the wrong type says what was expected and what was found, with its place.
/// - A YAML syntax error says what and where.
///
/// The target types are ordinary `Decodable` types: the decoder notes which keys each of
/// them asks for (`decode`, `decodeIfPresent`, `contains`), so the known keys are exactly
/// the ones the code reads, and cannot drift from a list kept elsewhere. A type that reads a
/// mapping as a dictionary (`allKeys`) accepts every key in it.
public struct StrictYAMLDecoder: Sendable {
    /// Top-level sections of the same file that another reader checks (a client
    /// configuration's `adapter:` section is the adapter's).
    public enum OtherSections: Sendable {
        /// Every top-level key must be read by this decode.
        case none
        /// These top-level keys belong to another reader.
        case named(Set<String>)
        /// The top level belongs to another reader; only the sections this decode reads
        /// are checked.
        case any
    }

    public init() {}

    /// Decodes `type` from `yaml`.
    /// - Parameters:
    ///   - file: names the source in the errors.
    ///   - otherSections: top-level keys that another reader of the same file checks.
    /// - Throws: ``ConfigError`` with code `syntax` (YAML syntax, unknown keys, wrong types,
    ///   missing keys), listing every unknown key found, not only the first.
    public func decode<T: Decodable>(
        _ type: T.Type, from yaml: String, file: String, otherSections: OtherSections = .none
    ) throws -> T {
        let root: Node
        do {
            root = try Yams.compose(yaml: yaml) ?? Node.mapping(Node.Mapping([]))
        } catch let error as YamlError {
            throw ConfigError(.syntax, "\(file): \(Self.describe(error))")
        }
        let usage = KeyUsage()
        let value: T
        do {
            value = try T(from: YAMLNodeDecoder(node: root, codingPath: [], usage: usage))
        } catch let error as DecodingError {
            throw ConfigError(.syntax, "\(file): \(Self.describe(error))")
        }
        let unknown = usage.unknownKeys(otherSections: otherSections)
        guard unknown.isEmpty else {
            throw ConfigError(.syntax, "\(file): " + unknown.joined(separator: "; "))
        }
        return value
    }

    /// A YAML syntax error as a sentence with its line and column.
    public static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let around = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "YAML syntax error at line \(mark.line), column \(mark.column): \(problem)\(around)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return
                "line \(context.mark.line), column \(context.mark.column): the key(s) \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) appear twice in one mapping"
        case .reader(let problem, let offset, _, _):
            return "the file is not readable text\(offset.map { " at byte \($0)" } ?? ""): \(problem)"
        default:
            return "YAML error: \(error)"
        }
    }

    /// A decoding error as a sentence: the path, then what was wrong (the decoder's own
    /// errors already carry the place in their description).
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(YAMLPath.render(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(YAMLPath.render(context.codingPath + [key])): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Paths of coding keys as the errors write them: `parties[2].hide`.
enum YAMLPath {
    static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "(top level)" : text
    }

    /// " (line L, column C)" for a node with a mark, else "".
    static func place(_ node: Node) -> String {
        node.mark.map { " (line \($0.line), column \($0.column))" } ?? ""
    }

    /// What a node is, for "found ..." in messages.
    static func shape(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): scalar.string.isEmpty ? "nothing" : "'\(scalar.string.prefix(60))'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

/// The keys each mapping of the file was asked for while decoding.
final class KeyUsage: @unchecked Sendable {
    // Invariant: used by one decode call on one thread only.
    private struct Visit {
        var path: [any CodingKey]
        var mapping: Node.Mapping
        var requested: Set<String> = []
        var open = false
    }

    private var visits: [String: Visit] = [:]

    /// Notes that the mapping at `path` was opened as a keyed container.
    func opened(_ mapping: Node.Mapping, at path: [any CodingKey]) {
        let id = YAMLPath.render(path)
        if visits[id] == nil { visits[id] = Visit(path: path, mapping: mapping) }
    }

    func requested(_ key: String, at path: [any CodingKey]) {
        visits[YAMLPath.render(path)]?.requested.insert(key)
    }

    /// The mapping at `path` was read as a dictionary: any key is fine.
    func openedAll(at path: [any CodingKey]) {
        visits[YAMLPath.render(path)]?.open = true
    }

    /// Every key no decoder asked for, as "path (line, column): unknown key; did you mean ...".
    func unknownKeys(otherSections: StrictYAMLDecoder.OtherSections) -> [String] {
        var found: [(line: Int, column: Int, text: String)] = []
        for visit in visits.values where !visit.open {
            let topLevel = visit.path.isEmpty
            for (key, _) in visit.mapping {
                let name = key.string ?? ""
                guard !visit.requested.contains(name) else { continue }
                switch otherSections {
                case .any where topLevel: continue
                case .named(let names) where topLevel && names.contains(name): continue
                default: break
                }
                let path = YAMLPath.render(visit.path + [YAMLKey(name)])
                var text = "\(path)\(YAMLPath.place(key)): unknown key"
                if let near = KeyNames.nearest(name, in: visit.requested) { text += "; did you mean '\(near)'?" }
                found.append((key.mark?.line ?? 0, key.mark?.column ?? 0, text))
            }
        }
        return found.sorted { ($0.line, $0.column) < ($1.line, $1.column) }.map(\.text)
    }
}

/// A coding key of the file: a mapping key or a list index.
struct YAMLKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init(index: Int) {
        stringValue = "\(index)"
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// Names of configuration keys: which known key a misspelt one most likely meant.
public enum KeyNames {
    /// The known key closest to `name` by edit distance, if close enough to be a typo.
    public static func nearest(_ name: String, in known: Set<String>) -> String? {
        let scored = known.map { (key: $0, distance: editDistance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { ($0.distance, $0.key) < ($1.distance, $1.key) }) else { return nil }
        let limit = max(2, min(name.count, best.key.count) / 3)
        let prefixed = best.key.hasPrefix(name) || name.hasPrefix(best.key)
        return best.distance <= limit || prefixed ? best.key : nil
    }

    /// Levenshtein distance over characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
