/// The receiving connections of the parties one commit delivers to, found once per party
/// instead of once per message and recipient: a commit's messages mostly go to the same few
/// parties, and comparing a party id with a handful of others costs less than hashing it.
/// Holds up to 16 parties; any further one is looked up each time. Valid for one commit,
/// during which `RouterCore.receivers` does not change.
struct RecentReceivers {
    private var parties: [String] = []
    private var connections: [[UInt8]?] = []

    /// `party`'s receiving connection, if it has one.
    mutating func connection(of party: String, in receivers: [String: [UInt8]]) -> [UInt8]? {
        for index in parties.indices where parties[index] == party { return connections[index] }
        let connection = receivers[party]
        if parties.count < 16 {
            parties.append(party)
            connections.append(connection)
        }
        return connection
    }
}
