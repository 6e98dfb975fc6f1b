import FuzzSupport

/// The targets that need the NIO and Hummingbird modules: the socket's line framer and the HTTP request bodies.
/// Both are internal types, reached with `@testable import`, which needs a build with testing enabled (a debug
/// build, which is also how Fuzz/run builds this binary); a plain release build has no targets here.
enum EdgeTargets {
    #if DEBUG
        static let all: [FuzzTarget] = [LineFramerTarget.target, HTTPBodiesTarget.target, WebFormTarget.target]
    #else
        static let all: [FuzzTarget] = []
    #endif
}
