/// A converter expression that cannot be compiled: the expression as written and why.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var expression: String
    public var reason: String

    public init(expression: String, reason: String) {
        self.expression = expression
        self.reason = reason
    }

    public var description: String { "invalid expression \"\(expression)\": \(reason)" }
}
