/// Something a test needs that is not there or did not work (a peer, the binary, a
/// pseudo-terminal): thrown, it fails the test with this description instead of skipping it.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
