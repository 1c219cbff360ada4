import Foundation
import Yams

/// A `Decoder` over one node of a composed YAML document, for ``StrictYAMLDecoder``: notes
/// the keys asked of each mapping, and words its errors with the node's line and column.
struct YAMLNodeDecoder: Decoder {
    let node: Node
    let codingPath: [any CodingKey]
    let usage: KeyUsage
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else {
            throw mismatch([String: String].self, "expected a mapping of keys to values, found \(YAMLPath.shape(node))")
        }
        usage.opened(mapping, at: codingPath)
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(mapping: mapping, codingPath: codingPath, usage: usage))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else {
            throw mismatch([String].self, "expected a list, found \(YAMLPath.shape(node))")
        }
        return YAMLUnkeyedContainer(items: Array(sequence), codingPath: codingPath, usage: usage)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { YAMLSingleValue(decoder: self) }

    /// A type mismatch at this node, with its place.
    func mismatch(_ type: Any.Type, _ what: String) -> DecodingError {
        DecodingError.typeMismatch(type, DecodingError.Context(codingPath: codingPath, debugDescription: what + YAMLPath.place(node)))
    }

    /// The node as a scalar of `T`, or an error saying what was expected and found.
    func scalar<T: ScalarConstructible>(_ type: T.Type, _ expected: String) throws -> T {
        guard case .scalar(let scalar) = node else { throw mismatch(type, "expected \(expected), found \(YAMLPath.shape(node))") }
        guard let value = T.construct(from: scalar) else {
            throw mismatch(type, "expected \(expected), found \(YAMLPath.shape(node))")
        }
        return value
    }

    /// A fixed-width integer, in range.
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let expected = T.isSigned ? "an integer" : "a whole number ≥ 0"
        guard case .scalar(let scalar) = node, let wide = Int64.construct(from: scalar) else {
            throw mismatch(type, "expected \(expected), found \(YAMLPath.shape(node))")
        }
        guard let value = T(exactly: wide) else {
            throw mismatch(type, "\(wide) is out of range (\(T.min)...\(T.max))")
        }
        return value
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func text() throws -> String {
        guard case .scalar(let scalar) = node else { throw mismatch(String.self, "expected text, found \(YAMLPath.shape(node))") }
        return scalar.string
    }

    /// Any value: the primitives through their scalar readers, other types through their
    /// own `init(from:)` with this decoder.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        let value: Any
        switch type {
        case is String.Type: value = try text()
        case is Bool.Type: value = try scalar(Bool.self, "true or false")
        case is Double.Type: value = try scalar(Double.self, "a number")
        case is Float.Type: value = try scalar(Float.self, "a number")
        case is Int.Type: value = try integer(Int.self)
        case is Int8.Type: value = try integer(Int8.self)
        case is Int16.Type: value = try integer(Int16.self)
        case is Int32.Type: value = try integer(Int32.self)
        case is Int64.Type: value = try integer(Int64.self)
        case is UInt.Type: value = try integer(UInt.self)
        case is UInt8.Type: value = try integer(UInt8.self)
        case is UInt16.Type: value = try integer(UInt16.self)
        case is UInt32.Type: value = try integer(UInt32.self)
        case is UInt64.Type: value = try integer(UInt64.self)
        default: return try T(from: self)
        }
        guard let typed = value as? T else { throw mismatch(type, "cannot be read as \(type)") }
        return typed
    }
}

/// A mapping read key by key.
struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let mapping: Node.Mapping
    let codingPath: [any CodingKey]
    let usage: KeyUsage

    var allKeys: [Key] {
        usage.openedAll(at: codingPath)
        return mapping.keys.compactMap { $0.string.flatMap(Key.init(stringValue:)) }
    }

    func contains(_ key: Key) -> Bool {
        usage.requested(key.stringValue, at: codingPath)
        return value(key) != nil
    }

    private func value(_ key: Key) -> Node? {
        mapping.first { $0.key.string == key.stringValue }?.value
    }

    private func child(_ key: Key) throws -> YAMLNodeDecoder {
        usage.requested(key.stringValue, at: codingPath)
        guard let node = value(key) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: codingPath, debugDescription: "missing: this key is required\(YAMLPath.place(.mapping(mapping)))"))
        }
        return YAMLNodeDecoder(node: node, codingPath: codingPath + [key], usage: usage)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        usage.requested(key.stringValue, at: codingPath)
        guard let node = value(key) else { return true }
        return YAMLNodeDecoder(node: node, codingPath: codingPath + [key], usage: usage).isNull
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decodeValue(type) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decodeValue(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decodeValue(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decodeValue(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decodeValue(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decodeValue(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decodeValue(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decodeValue(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decodeValue(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decodeValue(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decodeValue(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decodeValue(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decodeValue(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decodeValue(type) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard try !decodeNil(forKey: key) else { return nil }
        return try child(key).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder { YAMLNodeDecoder(node: .mapping(mapping), codingPath: codingPath, usage: usage) }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

/// A list read item by item.
struct YAMLUnkeyedContainer: UnkeyedDecodingContainer {
    let items: [Node]
    let codingPath: [any CodingKey]
    let usage: KeyUsage
    private(set) var currentIndex = 0

    init(items: [Node], codingPath: [any CodingKey], usage: KeyUsage) {
        self.items = items
        self.codingPath = codingPath
        self.usage = usage
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> YAMLNodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, DecodingError.Context(codingPath: codingPath, debugDescription: "the list has only \(items.count) item(s)"))
        }
        defer { currentIndex += 1 }
        return YAMLNodeDecoder(node: items[currentIndex], codingPath: codingPath + [YAMLKey(index: currentIndex)], usage: usage)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return true }
        let isNull = YAMLNodeDecoder(node: items[currentIndex], codingPath: codingPath, usage: usage).isNull
        if isNull { currentIndex += 1 }
        return isNull
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next().decodeValue(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decodeValue(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().decodeValue(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next().decodeValue(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().decodeValue(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decodeValue(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decodeValue(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decodeValue(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decodeValue(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decodeValue(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decodeValue(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decodeValue(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decodeValue(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

/// One value.
struct YAMLSingleValue: SingleValueDecodingContainer {
    let decoder: YAMLNodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeValue(type) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeValue(type) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeValue(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeValue(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeValue(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeValue(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeValue(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeValue(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeValue(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeValue(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeValue(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeValue(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeValue(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeValue(type) }
}
