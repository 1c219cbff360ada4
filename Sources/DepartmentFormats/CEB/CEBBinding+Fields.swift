import SwiftProtobuf

/// Hub message bodies as fields by name, through their ProtoJSON form: business.proto names
/// every field after the standard's element (orderNo → order_no, whose ProtoJSON name is
/// orderNo again), so the element name is the field's ProtoJSON name and one mapping serves
/// every message. Elements without a field are dropped; fields without an element stay empty.
extension CEBBinding {
    /// The serialized body of this binding's message with these fields.
    /// - Parameter fields: ProtoJSON name → string, number (int32 and enum fields) or list.
    /// - Throws: `.invalidValue` at `location` when a value does not fit its field.
    func body(_ fields: [String: Google_Protobuf_Value], location: String) throws(FormatError) -> [UInt8] {
        do {
            let json: [UInt8] = try Google_Protobuf_Struct(fields: fields).jsonUTF8Bytes()
            return try Self.serialize(json, as: message)
        } catch {
            throw FormatError(.invalidValue, at: location, "the values do not fit \(hubType) (\(error))")
        }
    }

    /// The fields of a serialized body of hub type `hubType`, by ProtoJSON name; enums as
    /// numbers, fields at their default value absent.
    /// - Throws: `.unsupported` for a hub type without a CEB message, `.invalidValue` when
    ///   `body` is not a message of that type.
    static func fields(ofBody body: [UInt8], hubType: String) throws(FormatError) -> [String: Google_Protobuf_Value] {
        guard let type = all.values.first(where: { $0.hubType == hubType })?.message else {
            throw FormatError(.unsupported, "the customs CEB format has no message for hub type '\(hubType)'")
        }
        do {
            return try Google_Protobuf_Struct(jsonUTF8Bytes: Self.json(body, as: type)).fields
        } catch {
            throw FormatError(.invalidValue, "the body is not a serialized \(hubType) (\(error))")
        }
    }

    /// ProtoJSON (unknown fields ignored) → serialized message of type `type`.
    private static func serialize<M: SwiftProtobuf.Message>(_ json: [UInt8], as type: M.Type) throws -> [UInt8] {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return try M(jsonUTF8Bytes: json, options: options).serializedBytes()
    }

    /// Serialized message of type `type` → ProtoJSON with enums as numbers.
    private static func json<M: SwiftProtobuf.Message>(_ body: [UInt8], as type: M.Type) throws -> [UInt8] {
        var options = JSONEncodingOptions()
        options.alwaysPrintEnumsAsInts = true
        return try M(serializedBytes: body).jsonUTF8Bytes(options: options)
    }

    /// A field value as element text: a string as it is, a number in decimal ("" for neither).
    static func text(_ value: Google_Protobuf_Value?) -> String {
        switch value?.kind {
        case .stringValue(let string): string
        case .numberValue(let number): Int64(exactly: number).map(String.init) ?? String(number)
        case .boolValue(let flag): flag ? "true" : "false"
        default: ""
        }
    }
}
