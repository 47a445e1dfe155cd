/// One readiness report from the kernel for a registered descriptor.
struct ReadinessEvent {
    var token: UInt64
    var readable: Bool
    var writable: Bool
}

/// The token reserved for the selector's own wake-up descriptor.
let wakeToken: UInt64 = 0
