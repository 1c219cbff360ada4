import GRDB

extension StoreError {
    /// Maps an error thrown while using the database to a ``StoreError``.
    ///
    /// Only SQLite's result code and message are kept: GRDB hides statement arguments
    /// from its descriptions by default, and decoding errors (whose descriptions may show
    /// row values, message bodies included) are reduced to a fixed sentence.
    ///
    /// - Parameters:
    ///   - error: The error thrown.
    ///   - code: The code to use unless the error shows a damaged file.
    ///   - operation: What was being done, for the reason.
    static func mapping(_ error: any Error, to code: Code, operation: String) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as DatabaseError:
            let damaged = error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
            return StoreError(
                code: damaged ? .corrupt : code,
                reason: "\(operation): SQLite error \(error.extendedResultCode.rawValue): "
                    + (error.message ?? "no message")
            )
        case is RowDecodingError:
            return StoreError(code: .corrupt, reason: "\(operation): a stored value has an unexpected type")
        default:
            return StoreError(code: code, reason: "\(operation): \(type(of: error))")
        }
    }
}
