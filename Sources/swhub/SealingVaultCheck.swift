import HubCrypto
import HubStore
import Logging

/// The journal names the key vault its personal fields are sealed with
/// (``JournalMetaKey/sealingVault``); `swhub serve` starts only with that vault. A vault file
/// lost or emptied is otherwise made anew without a word: the fields it sealed are
/// delivered without their values, and the new vault's first data keys take the lost keys'
/// ids, so that putting the old vault back then leaves the new records unreadable. A config
/// that lost its `keys:` section would deliver sealed fields empty and journal new ones in
/// the clear.
enum SealingVaultCheck {
    /// Records `vault` in a journal that names none; refuses (exit 78) a journal that names
    /// another vault, or one that names a vault when the config has none, unless `accept`.
    static func check(_ store: any JournalStore, vault: KeyVault?, accept: Bool, readOnly: Bool, logger: Logger) throws {
        guard let journal = store as? any JournalMetaValues else { return }
        let key = JournalMetaKey.sealingVault
        let recorded = try journal.metaValue(key)
        switch (recorded, vault) {
        case (nil, nil):
            return
        case (nil, let vault?):
            guard !readOnly else { return }
            try journal.setMetaValue(key, to: vault.id)
            logger.info(
                "the journal's personal fields are sealed with this key vault", metadata: ["vault": "\(vault.path)", "id": "\(vault.id)"])
        case (let named?, nil):
            guard accept, !readOnly else {
                throw CommandFailure(
                    .configuration,
                    "the journal's personal fields are sealed with key vault \(named), and this config has no keys: section:"
                        + " they would be delivered without their values, and new ones journaled in the clear."
                        + " Put the keys: section back, or start once with --accept-vault-change to go on without sealing")
            }
            try journal.setMetaValue(key, to: nil)
            logger.warning(
                "--accept-vault-change: personal fields are no longer sealed; what key vault \(named) sealed is readable only with it",
                metadata: ["vault": "\(named)"])
        case (let named?, let vault?) where named != vault.id:
            guard accept, !readOnly else {
                throw CommandFailure(
                    .configuration,
                    "the journal's personal fields are sealed with key vault \(named), but \(vault.path) is key vault \(vault.id)"
                        + " (made anew after the file was lost or emptied, or another hub's): what the journal's vault sealed"
                        + " cannot be opened with it, and its new data keys would take the lost keys' ids. Put the journal's vault"
                        + " back (from its backup, beside its shred log), or start once with --accept-vault-change to seal with"
                        + " this one from now on")
            }
            try journal.setMetaValue(key, to: vault.id)
            logger.warning(
                "--accept-vault-change: personal fields are sealed with this key vault from now on; what key vault \(named) sealed is readable only with it",
                metadata: ["vault": "\(vault.path)", "id": "\(vault.id)", "previous": "\(named)"])
        case (_?, _?):
            return
        }
    }
}
