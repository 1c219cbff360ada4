/// Named values a journal keeps about itself in its `journal_meta` table, beside its crypto
/// suite (``JournalSuiteRecord``): what must stay true of the journal for its life, such as
/// the key vault its personal fields are sealed with (``JournalMetaKey/sealingVault``).
public protocol JournalMetaValues: Sendable {
    /// The value recorded under `key`, nil when there is none.
    func metaValue(_ key: String) throws -> String?

    /// Records `value` under `key`, replacing what was there; nil removes it.
    func setMetaValue(_ key: String, to value: String?) throws
}

/// The keys of ``JournalMetaValues``.
public enum JournalMetaKey {
    /// The id of the key vault (`KeyVault.id`) the journal's personal fields are sealed with.
    public static let sealingVault = "sealing_vault"
}
