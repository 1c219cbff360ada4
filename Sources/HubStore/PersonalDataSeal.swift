import HubCore

/// Keeps personal fields sealed in the journal: on the way in, the fields the config
/// declares personal (``HubConfig/PersonalData``) are taken out of a body and appended to
/// it encrypted, as one field numbered ``PersonalFieldSplitter/sealedFieldNumber``; on the
/// way out, that field is opened and the fields are put back where they were, so the body
/// handed on is the body that was submitted, byte for byte.
///
/// The journal, its WAL, archive segments and backups hold the rest of each body in the
/// clear (routing, flows and `swhub trace` read it without any key) and the personal fields
/// only sealed. The hash chain and per-record checksums cover the body as stored, so
/// `swhub verify` needs no key, and still passes once a key is destroyed.
///
/// The cryptography is given as a ``Cipher`` (the data-key vault), so this type only frames.
public struct PersonalDataSeal: Sendable {
    /// Seals a plaintext for an owner (the party whose data key is used), binding a
    /// context; opens what it sealed, given the same context.
    public struct Cipher: Sendable {
        /// Seals `plaintext` under the current data key of `owner`, bound to `context`.
        public var seal: @Sendable (_ plaintext: [UInt8], _ owner: String, _ context: [UInt8]) throws -> [UInt8]
        /// Opens `sealed`, which must have been sealed with `context`.
        public var open: @Sendable (_ sealed: [UInt8], _ context: [UInt8]) throws -> [UInt8]
        /// How many times keys were destroyed under it (crypto-shredding) since it was made;
        /// whoever holds personal data opened earlier drops it when the count changes.
        public var shreds: @Sendable () -> Int

        /// A cipher from its operations.
        public init(
            seal: @escaping @Sendable (_ plaintext: [UInt8], _ owner: String, _ context: [UInt8]) throws -> [UInt8],
            open: @escaping @Sendable (_ sealed: [UInt8], _ context: [UInt8]) throws -> [UInt8],
            shreds: @escaping @Sendable () -> Int = { 0 }
        ) {
            self.seal = seal
            self.open = open
            self.shreds = shreds
        }
    }

    /// What opening a record found.
    public enum Opening: Sendable, Equatable {
        /// Nothing was sealed in it: the body is as stored.
        case clear
        /// Its personal fields were opened and put back.
        case opened
        /// Its personal fields could not be opened (the data key destroyed, or another
        /// master key): the body is handed on without them. The reason names no value.
        case unreadable(String)
    }

    private let splitters: [String: PersonalFieldSplitter]
    private let typed: Set<String>
    /// The cipher it seals with (the flows' snapshots are sealed with it too).
    public let cipher: Cipher

    /// Seals the personal fields `config` declares (``HubConfig/personalData``) with `cipher`.
    public init(config: HubConfig, cipher: Cipher) {
        var splitters: [String: PersonalFieldSplitter] = [:]
        for type in config.personalData.paths.keys {
            if let splitter = config.personalData.splitter(for: type), !splitter.isEmpty { splitters[type] = splitter }
        }
        self.splitters = splitters
        // Only typed bodies are opened: they were checked on submission not to carry the
        // sealed field's number, so one found there was put there by the journal. An opaque
        // body is handed on as stored, whatever its bytes.
        typed = Set(config.typeMessages.keys)
        self.cipher = cipher
    }

    /// Whether bodies of `type` may carry sealed fields.
    public func seals(type: String) -> Bool { splitters[type] != nil }

    /// The entry as the journal keeps it: its personal fields sealed under the sender's
    /// data key, bound to its sender, id and type. An entry without any is unchanged.
    /// - Throws: the cipher's error (no key, no master key): the entry must not be journaled
    ///   in the clear instead.
    public func sealed(_ entry: JournalAppend) throws -> JournalAppend {
        guard let splitter = splitters[entry.type] else { return entry }
        let split = entry.body.withUnsafeBytes { bytes -> (rest: [UInt8], removed: [UInt8]?)? in
            // A typed body was checked to be protobuf on submission; a hub-made one is.
            try? splitter.split(bytes)
        }
        guard let split, let removed = split.removed else { return entry }
        let sealed = try cipher.seal(removed, entry.sender, Self.context(sender: entry.sender, id: entry.id, type: entry.type))
        var stored = entry
        stored.body = PersonalFieldSplitter.attach(sealed: sealed, to: split.rest)
        return stored
    }

    /// The record as the hub hands it on, with what opening it found.
    public func opened(_ record: JournalRecord) -> (record: JournalRecord, opening: Opening) {
        // Every typed type, not only those declared personal now: records sealed under an
        // earlier config still open.
        guard typed.contains(record.type), let (rest, sealed) = PersonalFieldSplitter.detach(record.body)
        else { return (record, .clear) }
        var opened = record
        do {
            let removed = try cipher.open(Array(sealed), Self.context(sender: record.sender, id: record.id, type: record.type))
            opened.body = try Array(rest).withUnsafeBytes { restBytes in
                try removed.withUnsafeBytes { try PersonalFieldSplitter.merge(rest: restBytes, removed: $0) }
            }
            return (opened, .opened)
        } catch {
            opened.body = Array(rest)
            return (opened, .unreadable("\(error)"))
        }
    }

    /// The associated data a sealed part is bound to: it cannot be moved to another record.
    static func context(sender: String, id: String, type: String) -> [UInt8] {
        Array("swhub-personal-v1\u{0}\(sender)\u{0}\(id)\u{0}\(type)".utf8)
    }
}
