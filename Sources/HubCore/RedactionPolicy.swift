/// Field-level visibility, compiled from the config: for each party and typed message type,
/// the `WireRedactor` that removes the fields that party must not see. Applied to every
/// body the hub hands to a party, whether live or read back from the journal.
public struct RedactionPolicy: Sendable {
    private var redactors: [String: [String: WireRedactor]] = [:]
    private let typeMessages: [String: String]
    private let validator: WireValidator

    /// Resolves every hidden field of every party against the schema.
    public init(config: HubConfig, schema: MessageSchema) throws {
        typeMessages = config.typeMessages
        validator = WireValidator(schema: schema)
        for party in config.parties {
            for (type, fields) in party.hidden {
                guard let message = config.typeMessages[type] else { continue }
                let paths = try fields.map { try schema.resolve($0, in: message) }
                let redactor = WireRedactor(paths: paths)
                if !redactor.isEmpty { redactors[party.id, default: [:]][type] = redactor }
            }
        }
    }

    /// The redactor for bodies of `type` delivered to `party`, or nil if it sees them whole.
    public func redactor(for party: String, type: String) -> WireRedactor? {
        redactors[party]?[type]
    }

    /// For a typed message type, whether `body` is a message of its type all the way down
    /// (``WireValidator``: nested messages, UTF-8 strings, wire types), without the field
    /// number the journal reserves for sealed personal fields
    /// (``PersonalFieldSplitter/sealedFieldNumber``); opaque types always pass. A refusal
    /// names the byte where the body goes wrong, never its content.
    public func validate(type: String, body: UnsafeRawBufferPointer) -> HubFailure? {
        guard let message = typeMessages[type] else { return nil }
        do {
            if let offset = try WireRedactor.firstOffset(ofField: PersonalFieldSplitter.sealedFieldNumber, in: body) {
                return HubFailure(
                    .malformedBody,
                    "body of type '\(type)' carries field \(PersonalFieldSplitter.sealedFieldNumber) at byte \(offset), which the hub reserves"
                )
            }
            try validator.check(body, as: message)
            return nil
        } catch {
            return HubFailure(.malformedBody, "body of type '\(type)' is not a well-formed \(message): \(error)")
        }
    }
}
