/// Whether a ``MaildirStore`` flushes a message to stable storage before SMTP answers 250.
///
/// Either way the message file is written, its envelope record appended and the file renamed into
/// `new/` before the 250, so what got 250 is in the kernel's page cache and survives the process
/// dying. The choice is only about the machine dying, and only about SMTP delivery: IMAP APPEND,
/// COPY and MOVE into folders, start-up and log compaction sync in either mode.
public enum MaildirFsync: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The message file and its envelope record (fdatasyncs shared by concurrent deliveries) are
    /// on stable storage before the 250, and a restart finishes a rename into `new/` that a crash
    /// cut off: acknowledged mail survives `kill -9`, an OOM kill, `docker kill`, a kernel crash
    /// and a power loss (on a disk that honours flushes). The default.
    case always
    /// No fsync on the way to the 250: acknowledged mail survives `kill -9`, an OOM kill and
    /// `docker kill` (the kernel still writes the page cache out), but a kernel crash or a power
    /// loss can lose what arrived in the last seconds before it (on ext4 the journal commits every
    /// 5 s, dirty data is written back within 30 s): such a message can be missing after the
    /// restart, or its file empty or cut short, or its envelope rebuilt from its headers.
    case never

    public var description: String { rawValue }
}
