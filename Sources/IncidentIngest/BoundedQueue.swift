import NIOCore
import Synchronization

/// A first-in, first-out queue from one producer task to one consumer task, holding at most `capacity`
/// elements: the producer waits for room, so a slow consumer slows the producer instead of growing memory.
///
/// The socket source keeps one per connection between the task reading lines and the task writing replies.
/// Both waits end early when the waiting task is cancelled.
final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var items = CircularBuffer<Element>()
        /// The producer will add nothing more; the consumer drains what is left.
        var finished = false
        /// The consumer is gone; what is queued is dropped and the producer is refused.
        var closed = false
        var producer: CheckedContinuation<Void, Never>?
        var consumer: CheckedContinuation<Void, Never>?
    }

    private enum Step {
        case element(Element)
        case end
        case wait
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0, "a bounded queue needs room for one element")
        self.capacity = capacity
    }

    /// The number of elements waiting for the consumer.
    var count: Int { state.withLock { $0.items.count } }

    /// Whether one more element fits beside `pending` ones the producer holds for it, without waiting; false when
    /// the consumer is gone.
    func hasRoom(beyond pending: Int) -> Bool {
        state.withLock { !$0.closed && $0.items.count + pending < capacity }
    }

    /// Whether the consumer is gone.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Waits until there is room for one more element; false when the consumer is gone or the task is cancelled.
    ///
    /// With a single producer the room is still there when it appends right after.
    func reserve() async -> Bool {
        while true {
            let room: Bool? = state.withLock { state in
                if state.closed { return false }
                return state.items.count < capacity ? true : nil
            }
            if let room { return room }
            if Task.isCancelled { return false }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.closed || state.items.count < capacity || Task.isCancelled { return true }
                        state.producer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                wakeProducer()
            }
        }
    }

    /// Adds an element after `reserve()`; dropped when the consumer is gone.
    func append(_ element: Element) {
        let consumer: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            state.items.append(element)
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// The first element, waiting for one, left in the queue until `removeFirst()`; nil once the producer has
    /// finished and all is taken, when the queue is closed, or when the task is cancelled.
    ///
    /// Keeping the element queued while the consumer works on it makes `capacity` bound everything the
    /// producer has handed over and the consumer has not finished.
    func first() async -> Element? {
        while true {
            let step: Step = state.withLock { state in
                if state.closed { return .end }
                if let element = state.items.first { return .element(element) }
                return state.finished ? .end : .wait
            }
            switch step {
            case .element(let element):
                return element
            case .end:
                return nil
            case .wait:
                if Task.isCancelled { return nil }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = state.withLock { state in
                            if state.closed || state.finished || !state.items.isEmpty || Task.isCancelled {
                                return true
                            }
                            state.consumer = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    wakeConsumer()
                }
                if Task.isCancelled { return nil }
            }
        }
    }

    /// The first element if there is one and it satisfies `ready`, without waiting or removing it.
    func first(if ready: (Element) -> Bool) -> Element? {
        state.withLock { state in
            guard !state.closed, let first = state.items.first, ready(first) else { return nil }
            return first
        }
    }

    /// Removes the first element, making room for the producer.
    func removeFirst() {
        let producer: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.items.isEmpty else { return nil }
            state.items.removeFirst()
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume()
    }

    /// The producer is done; the consumer gets what is queued, then nil.
    func finish() {
        let consumer: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// The consumer is gone: drop what is queued and let a waiting producer go.
    func close() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.closed = true
            state.items.removeAll()
            defer { (state.producer, state.consumer) = (nil, nil) }
            return [state.producer, state.consumer].compactMap { $0 }
        }
        for waiter in waiters { waiter.resume() }
    }

    private func wakeProducer() {
        let producer = state.withLock { state in
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume()
    }

    private func wakeConsumer() {
        let consumer = state.withLock { state in
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }
}
