import NIOCore
import PostgresNIO

/// Message rows as one array per column of `messages`, for one `INSERT ... SELECT * FROM
/// unnest($1 ... $11)` (the append's new rows, a migration's page of rows).
struct MessageColumns {
    var seqs: [Int64] = []
    var senders: [String] = []
    var ids: [String] = []
    var types: [String] = []
    var recipients: [String] = []
    var correlations: [String] = []
    var created: [Int64] = []
    var journaled: [Int64] = []
    var bodies: [ByteBuffer] = []
    var chains: [ByteBuffer] = []
    var crcs: [Int64] = []

    /// The bindings $1 to $11, in the column order of `messages`.
    var binds: PostgresBindings {
        var binds = PostgresBindings()
        binds.append(seqs)
        binds.append(senders)
        binds.append(ids)
        binds.append(types)
        binds.append(recipients)
        binds.append(correlations)
        binds.append(created)
        binds.append(journaled)
        binds.append(bodies)
        binds.append(chains)
        binds.append(crcs)
        return binds
    }
}
