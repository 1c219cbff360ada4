/// A commit's consecutive messages of one type from one sender to the same recipients,
/// counted as one `RouterNote.journaled` instead of a note per message: the metrics then
/// look up their counters once per run, not once per message and recipient.
struct JournaledRun {
    private var type = ""
    private var sender = ""
    private var recipients: [String] = []
    private var count = 0

    /// Counts a journaled message; a message that does not continue the run ends it (its
    /// note goes into `actions`) and begins the next.
    mutating func add(type: String, sender: String, recipients: [String], into actions: inout [RouterAction]) {
        if count > 0 && type == self.type && sender == self.sender && recipients == self.recipients {
            count += 1
            return
        }
        flush(into: &actions)
        (self.type, self.sender, self.recipients, count) = (type, sender, recipients, 1)
    }

    /// Ends the run: its note goes into `actions`.
    mutating func flush(into actions: inout [RouterAction]) {
        guard count > 0 else { return }
        actions.append(.note(.journaled(type: type, sender: sender, recipients: recipients, count: count)))
        count = 0
    }
}
