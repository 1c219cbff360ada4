import Foundation
import HubConfigKit
import HubCore
import HubCrypto

/// What `swhub serve` and `swhub config check` check of `keys:`: the master key file is
/// safe and holds a key (and, when the vault exists, the key that wraps it); the master key
/// command's program is an executable (it is not run: a KMS may log or rate-limit each
/// call); the vault's folder can be written. Every problem names its key.
struct KeysPreflight {
    let keys: HubConfig.Keys

    func problems() -> [ConfigError] {
        var found: [ConfigError] = []
        switch keys.masterKey {
        case .file(let path):
            do {
                let master = try MasterKeySource.file(path: path).load()
                if let recorded = try KeyVault.recordedMasterFingerprint(path: keys.vault), recorded != master.fingerprint {
                    found.append(
                        ConfigError(
                            .badKey,
                            "keys.master_key_file \(path) holds master key \(master.fingerprint), but keys.vault \(keys.vault) is wrapped by master key \(recorded)"
                        ))
                }
            } catch {
                let key = error.code == .vaultFailure ? "keys.vault" : "keys.master_key_file"
                found.append(ConfigError(.badKey, "\(key): \(error.reason) [\(error.code.rawValue)]"))
            }
        case .command(let argv):
            if let program = argv.first, MasterKeySource.locateProgram(program) == nil {
                found.append(
                    ConfigError(.invalidValue, "keys.master_key_command: \(program) is not an executable file (nor found on PATH)"))
            }
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: keys.vault, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                found.append(ConfigError(.invalidValue, "keys.vault \(keys.vault) is a folder, not a file"))
            } else if !FileManager.default.isWritableFile(atPath: keys.vault) {
                found.append(ConfigError(.invalidValue, "keys.vault \(keys.vault) exists but cannot be written by this user"))
            }
        } else {
            do {
                try HubPreflight.checkFileFolder(keys.vault, key: "keys.vault \(keys.vault)")
            } catch let error as ConfigError {
                found.append(error)
            } catch {
                found.append(ConfigError(.invalidValue, "keys.vault: \(error)"))
            }
        }
        return found
    }
}
