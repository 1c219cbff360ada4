import Foundation
import SwiftProtobuf

/// Messages a department adapter keeps until another one completes them (a release notice
/// until the summary result that brings its entryId), by key, saved with the adapter's
/// state as JSON of the protobuf bytes. Bounded: the oldest go first beyond `limit`.
struct HeldMessages<Message: SwiftProtobuf.Message>: Sendable, Equatable, Codable {
    private var keys: [String] = []
    private var bodies: [String: Data] = [:]
    var limit = 100_000

    mutating func keep(_ message: Message, as key: String) {
        guard !key.isEmpty, let data = try? message.serializedData() else { return }
        if bodies[key] == nil { keys.append(key) }
        bodies[key] = data
        while keys.count > limit { bodies[keys.removeFirst()] = nil }
    }

    func message(_ key: String) -> Message? {
        bodies[key].flatMap { try? Message(serializedBytes: $0) }
    }

    mutating func remove(_ key: String) {
        guard bodies.removeValue(forKey: key) != nil else { return }
        keys.removeAll { $0 == key }
    }

    var count: Int { keys.count }

    static func == (a: Self, b: Self) -> Bool { a.keys == b.keys && a.bodies == b.bodies }

    enum CodingKeys: String, CodingKey { case keys, bodies }
}

extension DepartmentFiles {
    /// Encodes a Codable state for `state`.
    static func encodeState(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { [UInt8]($0) } ?? []
    }

    /// Decodes what `encodeState` made.
    static func decodeState<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
