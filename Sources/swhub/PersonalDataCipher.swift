import HubCore
import HubCrypto
import HubStore
import Logging

extension HubConfig.Keys {
    /// Where the master key comes from, as `keys:` says.
    var masterKeySource: MasterKeySource {
        switch masterKey {
        case .file(let path): .file(path: path)
        case .command(let argv): .command(argv: argv, timeout: Double(commandTimeoutSeconds))
        }
    }
}

/// The cipher that keeps a hub's personal fields sealed in its journal: the data-key vault
/// of `keys:`, opened with the master key, sealing with the algorithm of `crypto:`.
enum PersonalDataCipher {
    /// The cipher of `config`, nil when it has no `keys:` section (bodies are journaled as
    /// submitted; `swhub serve` warns when the config declares personal fields).
    /// - Throws: ``CryptoError`` when the master key cannot be had or is not the vault's:
    ///   the hub must not start and journal personal fields in the clear instead.
    static func make(config: HubConfig) throws -> (cipher: PersonalDataSeal.Cipher, vault: KeyVault)? {
        guard let keys = config.keys else { return nil }
        let vault = try KeyVault(path: keys.vault, masterKey: try keys.masterKeySource.load())
        let suite: CipherSuite = config.crypto == .sm ? .sm : .standard
        let cipher = PersonalDataSeal.Cipher(
            seal: { plaintext, owner, context in
                try vault.seal(plaintext, enterprise: owner, suite: suite, associatedData: context)
            },
            open: { sealed, context in try vault.open(sealed, associatedData: context) },
            shreds: { vault.shredsNoticed() })
        return (cipher, vault)
    }
}
