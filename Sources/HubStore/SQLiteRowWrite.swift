import GRDB
import GRDBSQLite

/// Runs a prepared INSERT with its parameters bound straight through SQLite's C API, for the
/// journal's two inserts per message: GRDB's `execute(arguments:)` builds a
/// `StatementArguments` of boxed values for every row, which the group commit's profile
/// showed at a tenth of the hub's CPU. Strings are copied by SQLite (`SQLITE_TRANSIENT`);
/// blobs are bound in place and must stay valid until `run` returns. An empty string binds
/// as `''`, never as NULL.
///
/// Only for statements of this store, on its writer connection, inside its transaction:
/// errors are thrown as GRDB's `DatabaseError`, as `execute(arguments:)` would.
struct SQLiteRowWrite {
    private let handle: OpaquePointer
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Binds the statement's parameters with `bind`, steps it once and resets it.
    ///
    /// - Parameters:
    ///   - statement: A prepared INSERT of this store.
    ///   - db: The connection it belongs to.
    ///   - bind: Binds the parameters, numbered from 1.
    static func run(_ statement: Statement, in db: Database, _ bind: (SQLiteRowWrite) -> Void) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        bind(SQLiteRowWrite(handle: handle))
        let code = sqlite3_step(handle)
        let message = code == SQLITE_DONE ? nil : db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Binds an integer.
    func int(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds a string (copied).
    func text(_ index: Int32, _ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, utf8.count > 0 else {
                sqlite3_bind_text(handle, index, "", 0, Self.transient)
                return
            }
            _ = base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(handle, index, $0, Int32(utf8.count), Self.transient)
            }
        }
    }

    /// Binds bytes in place (an empty buffer binds NULL); they must outlive the step.
    func blob(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), nil)
    }
}
