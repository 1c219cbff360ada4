import Foundation
import HubConfigKit

extension HubConfig {
    /// Trade statistics' settings (`statistics:` in the config): the rates that turn declared
    /// values into CNY, and where the statistics cache is kept.
    public struct Statistics: Sendable, Equatable {
        /// CNY per unit of each currency, by the code the messages carry: ISO 4217 letters
        /// (`USD`) or the customs' 3-digit code (`502`). CNY itself (`CNY`, `142`) is always 1.
        public var cnyRates: [String: Decimal]
        /// The statistics cache's SQLite file (absolute once parsed), nil: beside a SQLite
        /// journal (`<journal>.trade-stats.sqlite`), or `trade-stats.sqlite` in the config's
        /// folder for a PostgreSQL journal.
        public var cache: String?
        /// Cross-verification's tolerance and grace (`statistics.reconcile:`).
        public var reconcile = Reconcile()

        /// The codes of CNY itself, at rate 1.
        public static let cnyCodes: Set<String> = ["CNY", "142"]

        public init(cnyRates: [String: Decimal] = [:], cache: String? = nil) {
            self.cnyRates = cnyRates
            self.cache = cache
        }

        /// The rate of `currency`, nil when the config names none.
        public func rate(_ currency: String) -> Decimal? {
            Self.cnyCodes.contains(currency) ? 1 : cnyRates[currency]
        }
    }

    /// `statistics:` as written in the YAML.
    struct RawStatistics: Decodable {
        var cnyRates: [String: Double]?
        var cache: String?
        var reconcile: RawReconcile?

        enum CodingKeys: String, CodingKey {
            case cache, reconcile
            case cnyRates = "cny_rates"
        }
    }

    /// The statistics settings a config names (defaults without `statistics:`).
    static func parseStatistics(_ raw: RawStatistics?, resolve: (String) -> String) throws -> Statistics {
        guard let raw else { return Statistics() }
        var statistics = Statistics()
        for (code, rate) in raw.cnyRates ?? [:] {
            let key = "statistics.cny_rates.\(code)"
            let letters = code.count == 3 && code.allSatisfy { $0.isASCII && $0.isUppercase }
            let digits = code.count == 3 && code.allSatisfy { $0.isASCII && $0.isNumber }
            guard letters || digits else {
                throw ConfigError(
                    .invalidValue,
                    "\(key): '\(code)' is not a currency code (3 capital letters of ISO 4217 such as USD, or the customs' 3 digits such as 502)"
                )
            }
            guard rate.isFinite, rate > 0, let decimal = Decimal(string: String(rate), locale: Locale(identifier: "en_US_POSIX")) else {
                throw ConfigError(.invalidValue, "\(key) = \(rate) must be a number above 0 (CNY per unit of \(code))")
            }
            if Statistics.cnyCodes.contains(code), decimal != 1 {
                throw ConfigError(.invalidValue, "\(key) = \(rate): \(code) is CNY, its rate is 1")
            }
            statistics.cnyRates[code] = decimal
        }
        if let cache = raw.cache {
            guard !cache.isEmpty else { throw ConfigError(.invalidValue, "statistics.cache is empty") }
            statistics.cache = resolve(cache)
        }
        statistics.reconcile = try parseReconcile(raw.reconcile)
        return statistics
    }
}
