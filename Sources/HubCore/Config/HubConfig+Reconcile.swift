import Foundation
import HubConfigKit

extension HubConfig {
    /// Cross-verification's settings (`statistics.reconcile:` in the config): how far a paid
    /// amount may be from the declared value, and how long a document may wait for its
    /// counterpart before it is listed as a discrepancy.
    public struct Reconcile: Sendable, Equatable {
        /// The difference allowed between a declaration's value and what was paid for it, in
        /// CNY: `absolute + relative × declared value`. A difference beyond it is a
        /// `VALUE_MISMATCH`.
        public var absoluteTolerance: Decimal
        /// The part of the declared value allowed on top of ``absoluteTolerance`` (0.005 = 0.5 %).
        public var relativeTolerance: Decimal
        /// Days a release may wait for its payment, a payment and a waybill for their release,
        /// a payment for its order, counted to the journal's clock (the newest record read).
        public var graceDays: Int

        /// One fen, no relative part, 30 days.
        public init(
            absoluteTolerance: Decimal = Decimal(sign: .plus, exponent: -2, significand: 1), relativeTolerance: Decimal = 0,
            graceDays: Int = 30
        ) {
            self.absoluteTolerance = absoluteTolerance
            self.relativeTolerance = relativeTolerance
            self.graceDays = graceDays
        }

        /// The grace in microseconds.
        public var graceUs: Int64 { Int64(graceDays) * 86_400_000_000 }
    }

    /// `statistics.reconcile:` as written in the YAML.
    struct RawReconcile: Decodable {
        struct Tolerance: Decodable {
            var absolute: Double?
            var relative: Double?
        }
        var tolerance: Tolerance?
        var graceDays: Int?

        enum CodingKeys: String, CodingKey {
            case tolerance
            case graceDays = "grace_days"
        }
    }

    /// The reconciliation settings a config names (defaults without `reconcile:`).
    static func parseReconcile(_ raw: RawReconcile?) throws -> Reconcile {
        guard let raw else { return Reconcile() }
        var reconcile = Reconcile()
        func decimal(_ value: Double, _ key: String, _ range: ClosedRange<Double>, _ meaning: String) throws -> Decimal {
            guard value.isFinite, range.contains(value),
                let decimal = Decimal(string: String(value), locale: Locale(identifier: "en_US_POSIX"))
            else { throw ConfigError(.invalidValue, "statistics.reconcile.tolerance.\(key) = \(value) must be \(meaning)") }
            return decimal
        }
        if let absolute = raw.tolerance?.absolute {
            reconcile.absoluteTolerance = try decimal(absolute, "absolute", 0...1e12, "a CNY amount of 0 or more")
        }
        if let relative = raw.tolerance?.relative {
            reconcile.relativeTolerance = try decimal(relative, "relative", 0...1, "a fraction from 0 to 1 (0.005 = 0.5 %)")
        }
        if let days = raw.graceDays {
            guard (0...3650).contains(days) else {
                throw ConfigError(.invalidValue, "statistics.reconcile.grace_days = \(days) is outside 0...3650")
            }
            reconcile.graceDays = days
        }
        return reconcile
    }
}
