import Adapters
import ArgumentParser
import HubClient
import HubConfigKit
import HubCore
import HubCrypto
import HubProtocol
import HubStore

/// How `swhub` ends, by class, so that a script can tell "retry later" from "bad input"
/// (README, "Exit codes"). 64 stays ArgumentParser's: a command line that does not parse,
/// answered with the usage text; a refusal at run time never prints it.
enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Done.
    case success = 0
    /// The command ran and its check failed: `verify` found damage in the journal (rows,
    /// indexes, ack positions, WAL, integrity check), `demo` had
    /// a filing that did not settle; also any failure not classed below.
    case failed = 1
    /// The input was refused: the hub answered 4xx, or a file given is unreadable or not
    /// the format it must be. The same input fails again.
    case refused = 2
    /// What was asked for is not there: an id with no message or no feedback in the journal.
    case notFound = 3
    /// Try again later, unchanged (same message ids): the hub answered 3xx (busy, shutting
    /// down) or did not answer in time.
    case retryLater = 4
    /// The hub or its journal failed: a 5xx answer, a reply that could not be read, a journal
    /// that could not be read or written.
    case hubFailure = 5
    /// The command line does not parse (ArgumentParser's, with the usage text).
    case usage = 64
    /// A configuration or key file is missing, unreadable or invalid, or the hub refused
    /// this client's key (sysexits' EX_CONFIG); also `serve` over a damaged journal (behind
    /// its head record, or its head record or file damaged): the setup must change before
    /// a restart can help (`swhub verify`, `swhub serve --salvage`).
    case configuration = 78

    /// The status for a class of the hub's error codes.
    init(_ errorClass: HubErrorCode.Class) {
        switch errorClass {
        case .retryLater: self = .retryLater
        case .refused: self = .refused
        case .hubFailure: self = .hubFailure
        }
    }

    /// The status of an error a command threw, nil for the errors ArgumentParser answers
    /// itself (`ExitCode`, `ValidationError`, help requests) and for errors of no class.
    static func of(_ error: any Error) -> ExitStatus? {
        switch error {
        case let failure as CommandFailure: failure.status
        case is ConfigError, is AdapterSettingsError: .configuration
        case let error as CryptoError: of(error)
        case let error as HubClientError: of(error)
        case let error as StoreError:
            error.code == .notFound ? .notFound : error.code == .unavailable ? .retryLater : .hubFailure
        default: nil
        }
    }

    /// The status of a client call's failure.
    static func of(_ error: HubClientError) -> ExitStatus {
        // A key the hub's configuration no longer accepts: as a key it refuses (78).
        if error.hubCode == .keyRevoked { return .configuration }
        if let errorClass = error.errorClass { return ExitStatus(errorClass) }
        return error.code == .closed ? .hubFailure : .configuration
    }

    /// The status of a key or vault failure (`swhub keys`): a master key that cannot be
    /// had or is the wrong one is a configuration matter; a file that exists and must not
    /// be overwritten, or bad input, is refused; the vault failing is the hub's.
    static func of(_ error: CryptoError) -> ExitStatus {
        let configuration: Set<CryptoError.Code> = [.masterKeyUnavailable, .masterKeyRefused, .masterKeyMismatch, .libraryUnavailable]
        let refused: Set<CryptoError.Code> = [.alreadyExists, .invalidKey, .malformedSealedValue, .authenticationFailed]
        if configuration.contains(error.code) { return .configuration }
        if refused.contains(error.code) { return .refused }
        return error.code == .keyShredded || error.code == .keyNotFound ? .notFound : .hubFailure
    }

    /// Throwable as ArgumentParser's `ExitCode` (ends the process without a message).
    var exitCode: ExitCode { ExitCode(rawValue) }
}

/// A command's failure at run time: `swhub` prints `error: <message>` on standard error and
/// exits with `status`, never with the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}
